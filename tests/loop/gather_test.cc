#include "loop/gather.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::after;
using testing::cancel_and_wait;
using testing::fail_after;
using testing::VirtualLoop;

Coro<void> sleep_then_void() { co_await sleep(std::chrono::seconds(1)); }

TEST(GatherTest, ResultsInArgumentOrderNotCompletionOrder) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto t = create_task(after(2, 1s));
    Future<std::string> f;
    loop->call_later(2s, [f] { f.set_result("future"); });
    auto [a, b, c, d] = co_await gather(after(1, 3s), t, f, sleep_then_void());
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 2);
    EXPECT_EQ(c, "future");
    EXPECT_EQ(d, std::monostate{});
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 3.0);
}

TEST(GatherTest, VectorFormKeepsOrder) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<std::vector<int>> {
    std::vector<Coro<int>> cs;
    for (int i = 0; i < 10; ++i)
      cs.push_back(after(i, std::chrono::seconds(10 - i)));
    co_return co_await gather(std::move(cs));
  };
  EXPECT_EQ(loop->run_until_complete(main()),
            (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(GatherTest, FirstFailureCancelsTheRestAndWaitsForThemBeforeRethrowing) {
  VirtualLoop loop;
  std::vector<std::string> unwound;
  auto slow = [&](std::string name) -> Coro<int> {
    std::exception_ptr cancel;
    try {
      co_await sleep(1h);
    } catch (const CancelledError&) {
      cancel = std::current_exception();
    }
    co_await sleep(1s);  // slow cleanup: gather must wait for it
    unwound.push_back(name);
    std::rethrow_exception(cancel);
  };
  auto main = [&]() -> Coro<std::string> {
    auto s1 = create_task(slow("s1"));
    try {
      co_await gather(s1, slow("s2"), fail_after(1s, "boom"));
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(unwound.size(),
                2u);  // both children unwound before the rethrow
      EXPECT_TRUE(s1.cancelled());
      co_return e.what();
    }
    co_return "no error";
  };
  TimePoint start = loop->time();
  EXPECT_EQ(loop->run_until_complete(main()), "boom");
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 2.0);
  EXPECT_TRUE(loop.errors.empty());
}

TEST(GatherTest, OtherFailuresAreMarkedRetrievedNotReportedAsLost) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    try {
      co_await gather(fail_after(1s, "one"), fail_after(1s, "two"));
    } catch (const std::runtime_error&) {
    }
    co_await sleep(0);  // the children's frames are gone now
  };
  loop->run_until_complete(main());
  EXPECT_TRUE(loop.errors.empty()) << loop.errors.size() << " reported";
}

TEST(GatherTest, CancellingTheAwaiterCancelsEveryChild) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto a = create_task(after(1, 1h));
    auto b = create_task(after(2, 1h));
    auto g = create_task(gather(a, b));
    co_await sleep(1s);
    co_await cancel_and_wait(g);
    EXPECT_TRUE(g.cancelled());
    EXPECT_TRUE(a.cancelled());
    EXPECT_TRUE(b.cancelled());
  };
  loop->run_until_complete(main());
}

TEST(GatherTest, SettledReturnsEveryOutcome) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto c = create_task(after(3, 1h));
    loop->call_later(1s, [c] { c.cancel(); });
    auto [a, b, cc] =
        co_await gather_settled(after(1, 2s), fail_after(1s, "bad"), c);
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value(), 1);
    EXPECT_FALSE(b.ok());
    EXPECT_THROW(b.value(), std::runtime_error);
    EXPECT_TRUE(cc.cancelled());

    std::vector<Coro<int>> many;
    many.push_back(after(1, 1s));
    many.push_back(after(2, 1s));
    auto outs = co_await gather_settled(std::move(many));
    EXPECT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[1].value(), 2);
  };
  loop->run_until_complete(main());
  EXPECT_TRUE(loop.errors.empty());  // nothing lost, nothing unretrieved
}

Coro<int> record_first_run(std::vector<int>* log, int id) {
  log->push_back(id);
  co_await sleep(0);
  co_return id;
}

// Issue 8: children start in argument order, as asyncio's do (g++ evaluated
// make_tuple's arguments right to left, so they started in reverse).
TEST(GatherTest, ChildrenFirstRunInArgumentOrder) {
  VirtualLoop loop;
  std::vector<int> tuple_log, vector_log, settled_log, settled_vector_log;
  auto main = [&]() -> Coro<void> {
    auto [a, b, c] = co_await gather(record_first_run(&tuple_log, 1),
                                     record_first_run(&tuple_log, 2),
                                     record_first_run(&tuple_log, 3));
    EXPECT_EQ(a + b * 10 + c * 100, 321);
    std::vector<Coro<int>> cs;
    for (int i = 1; i <= 3; ++i) cs.push_back(record_first_run(&vector_log, i));
    co_await gather(std::move(cs));
    co_await gather_settled(record_first_run(&settled_log, 1),
                            record_first_run(&settled_log, 2),
                            record_first_run(&settled_log, 3));
    std::vector<Coro<int>> ds;
    for (int i = 1; i <= 3; ++i)
      ds.push_back(record_first_run(&settled_vector_log, i));
    co_await gather_settled(std::move(ds));
  };
  loop->run_until_complete(main());
  const std::vector<int> in_order{1, 2, 3};
  EXPECT_EQ(tuple_log, in_order);
  EXPECT_EQ(vector_log, in_order);
  EXPECT_EQ(settled_log, in_order);
  EXPECT_EQ(settled_vector_log, in_order);
}

TEST(GatherTest, AcceptsAwaitersBesideCorosTasksAndFutures) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    Future<int> f;
    get_running_loop().call_later(1s, [f] { f.set_result(3); });
    auto [slept, one, two, three] =
        co_await gather(sleep(2s), after(1, 1s), create_task(after(2, 1s)), f);
    EXPECT_EQ(slept, std::monostate{});
    EXPECT_EQ(one + two + three, 6);
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 2.0);
}

}  // namespace
}  // namespace aio
