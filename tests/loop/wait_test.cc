#include "loop/wait.h"

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

std::vector<Task<int>> spawn(std::vector<int> secs) {
  std::vector<Task<int>> ts;
  for (int s : secs)
    ts.push_back(create_task(after(s, std::chrono::seconds(s))));
  return ts;
}

TEST(WaitTest, AllCompleted) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    std::vector<int> secs{3, 1, 2};
    auto r = co_await wait(spawn(secs));
    EXPECT_EQ(r.done.size(), 3u);
    EXPECT_TRUE(r.pending.empty());
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 3.0);
}

TEST(WaitTest, FirstCompleted) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    std::vector<int> secs{3, 1, 2};
    auto ts = spawn(secs);
    auto r = co_await wait(ts, std::nullopt, ReturnWhen::kFirstCompleted);
    EXPECT_EQ(r.done.size(), 1u);
    EXPECT_EQ(r.done[0].result(), 1);
    EXPECT_EQ(r.pending.size(), 2u);
    for (auto& t : r.pending) t.cancel();
    co_await wait(ts);
  };
  loop->run_until_complete(main());
}

TEST(WaitTest, FirstExceptionStopsEarly) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    std::vector<Task<int>> ts{create_task(after(1, 10s)),
                              create_task(fail_after(2s))};
    auto r = co_await wait(ts, std::nullopt, ReturnWhen::kFirstException);
    EXPECT_EQ(r.done.size(), 1u);
    EXPECT_THROW(r.done[0].result(), std::runtime_error);
    EXPECT_EQ(r.pending.size(), 1u);
    co_await r.pending[0];
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 10.0);
}

TEST(WaitTest, TimeoutDoesNotCancelPendingTasks) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    std::vector<int> secs{1, 5};
    auto ts = spawn(secs);
    auto r = co_await wait(ts, 2s);
    EXPECT_EQ(r.done.size(), 1u);
    EXPECT_EQ(r.pending.size(), 1u);
    EXPECT_FALSE(r.pending[0].cancelled());
    EXPECT_EQ(co_await r.pending[0], 5);  // it kept running
  };
  loop->run_until_complete(main());
}

TEST(WaitTest, EmptySetIsRejected) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> { co_await wait(std::vector<Task<int>>{}); };
  EXPECT_THROW(loop->run_until_complete(main()), std::invalid_argument);
}

TEST(WaitForTest, ReturnsTheValueInTime) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<int> {
    co_return co_await wait_for(after(4, 1s), 2s);
  };
  EXPECT_EQ(loop->run_until_complete(main()), 4);
}

TEST(WaitForTest, TimeoutCancelsTheInnerWorkAndWaitsForItToUnwind) {
  VirtualLoop loop;
  bool unwound = false;
  auto slow = [&]() -> Coro<int> {
    std::exception_ptr cancel;
    try {
      co_await sleep(1h);
    } catch (const CancelledError&) {
      cancel = std::current_exception();
    }
    co_await sleep(1s);  // slow cleanup: wait_for must wait for it
    unwound = true;
    std::rethrow_exception(cancel);
  };
  auto main = [&]() -> Coro<void> {
    auto t = create_task(slow());
    bool timed_out = false;
    try {
      co_await wait_for(t, 2s);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_TRUE(unwound);
    EXPECT_TRUE(t.cancelled());
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 3.0);
}

TEST(WaitForTest, InnerThatSwallowsCancellationReturnsItsValue) {
  VirtualLoop loop;
  auto stubborn = []() -> Coro<int> {
    try {
      co_await sleep(1h);
    } catch (const CancelledError&) {
      co_return 7;
    }
    co_return 0;
  };
  auto main = [&]() -> Coro<int> {
    co_return co_await wait_for(stubborn(), 1s);
  };
  EXPECT_EQ(loop->run_until_complete(main()), 7);
}

TEST(WaitForTest, CancellingTheAwaiterCancelsTheInnerWork) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto inner = create_task(after(1, 1h));
    auto outer = create_task(wait_for(inner, 2h));
    co_await sleep(1s);
    co_await cancel_and_wait(outer);
    EXPECT_TRUE(outer.cancelled());
    EXPECT_TRUE(inner.cancelled());
  };
  loop->run_until_complete(main());
}

TEST(WaitForTest, InnerExceptionPropagates) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<int> {
    co_return co_await wait_for(fail_after(1s), 5s);
  };
  EXPECT_THROW(loop->run_until_complete(main()), std::runtime_error);
}

TEST(AsCompletedTest, YieldsInCompletionOrder) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<std::vector<int>> {
    std::vector<int> got;
    std::vector<int> secs{3, 1, 2};
    for (auto next : as_completed(spawn(secs))) got.push_back(co_await next);
    co_return got;
  };
  EXPECT_EQ(loop->run_until_complete(main()), (std::vector<int>{1, 2, 3}));
}

TEST(AsCompletedTest, TimeoutRaisesTimeoutError) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<std::vector<int>> {
    std::vector<int> got;
    std::vector<int> secs{1, 5};
    auto ts = spawn(secs);
    auto ac = as_completed(ts, 2s);
    got.push_back(co_await ac.next());
    bool timed_out = false;
    try {
      co_await ac.next();
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    for (auto& t : ts) t.cancel();
    co_await gather_settled(ts);
    co_return got;
  };
  EXPECT_EQ(loop->run_until_complete(main()), (std::vector<int>{1}));
}

TEST(AsCompletedTest, FailedTaskRethrowsAtItsStep) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<int> {
    std::vector<Task<int>> ts{create_task(fail_after(1s)),
                              create_task(after(2, 2s))};
    auto ac = as_completed(ts);
    bool failed = false;
    try {
      co_await ac.next();
    } catch (const std::runtime_error&) {
      failed = true;
    }
    EXPECT_TRUE(failed);
    co_return co_await ac.next();
  };
  EXPECT_EQ(loop->run_until_complete(main()), 2);
}

}  // namespace
}  // namespace aio
