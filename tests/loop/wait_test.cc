#include "loop/wait.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <stdexcept>
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

// ---- Issue 9 item 5: timeouts at 0, negative, max, infinity and NaN.

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename D>
Coro<int> wait_for_after_2h(D timeout) {
  co_return co_await wait_for(after(7, 2h), timeout);
}

TEST(WaitForTest, HugeOrInfiniteTimeoutsWaitUntilDone) {
  // These overflowed "now + timeout" (or cast infinity, undefined) and timed
  // out at once.
  VirtualLoop loop;
  TimePoint start = loop->time();
  EXPECT_EQ(loop->run_until_complete(wait_for_after_2h(Duration::max())), 7);
  EXPECT_EQ(loop->run_until_complete(
                wait_for_after_2h(std::chrono::hours::max())),
            7);
  EXPECT_EQ(loop->run_until_complete(
                wait_for_after_2h(std::chrono::duration<double>(kInf))),
            7);
  EXPECT_EQ(loop->run_until_complete(
                wait_for_after_2h(std::optional<Duration>(Duration::max()))),
            7);
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 4 * 7200.0);
}

template <typename D>
Coro<bool> wait_for_times_out(D timeout) {
  try {
    co_await wait_for(after(7, 2h), timeout);
  } catch (const TimeoutError&) {
    co_return true;
  }
  co_return false;
}

TEST(WaitForTest, ZeroOrNegativeTimeoutsTimeOutAtOnce) {
  VirtualLoop loop;
  TimePoint start = loop->time();
  EXPECT_TRUE(loop->run_until_complete(wait_for_times_out(0s)));
  EXPECT_TRUE(loop->run_until_complete(wait_for_times_out(-1s)));
  EXPECT_TRUE(loop->run_until_complete(wait_for_times_out(Duration::min())));
  EXPECT_TRUE(loop->run_until_complete(
      wait_for_times_out(std::chrono::duration<double>(-kInf))));
  EXPECT_EQ(loop->time(), start);
}

TEST(WaitForTest, NaNTimeoutIsRejectedWithAClearError) {
  VirtualLoop loop;
  auto main = []() -> Coro<std::string> {
    try {
      co_await wait_for(after(1, 1s), std::chrono::duration<double>(kNaN));
    } catch (const std::invalid_argument& e) {
      co_return e.what();
    }
    co_return "";
  };
  EXPECT_NE(loop->run_until_complete(main()).find("aio::wait_for"),
            std::string::npos);
}

Coro<size_t> wait_done_count(Duration timeout) {
  std::vector<Task<int>> ts;
  ts.push_back(create_task(after(1, 1h)));
  ts.push_back(create_task(after(2, 2h)));
  auto r = co_await wait(std::move(ts), timeout);
  for (auto& t : r.pending) t.cancel();
  co_return r.done.size();
}

TEST(WaitTest, TimeoutsAtTheEdges) {
  VirtualLoop loop;
  TimePoint start = loop->time();
  EXPECT_EQ(loop->run_until_complete(wait_done_count(Duration::max())), 2u);
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 7200.0);
  start = loop->time();
  EXPECT_EQ(loop->run_until_complete(wait_done_count(0s)), 0u);
  EXPECT_EQ(loop->run_until_complete(wait_done_count(-5s)), 0u);
  EXPECT_EQ(loop->run_until_complete(wait_done_count(Duration::min())), 0u);
  auto drain = []() -> Coro<void> {
    for (int i = 0; i < 3; ++i) co_await sleep(0);
  };
  loop->run_until_complete(drain());  // the cancelled leftovers unwind
  EXPECT_EQ(loop->time(), start);
  auto nan = []() -> Coro<void> {
    std::vector<Task<int>> ts;
    ts.push_back(create_task(after(1, 1h)));
    EXPECT_THROW(
        (void)wait(ts, std::chrono::duration<double>(kNaN)),
        std::invalid_argument);
    ts[0].cancel();
    co_await sleep(0);
  };
  loop->run_until_complete(nan());
}

TEST(AsCompletedTest, InfiniteTimeoutWaitsForEveryResult) {
  VirtualLoop loop;
  auto main = []() -> Coro<int> {
    std::vector<Coro<int>> cs;
    cs.push_back(after(1, 2h));
    cs.push_back(after(2, 1h));
    int sum = 0;
    for (auto next : as_completed(std::move(cs), Duration::max())) {
      sum = sum * 10 + co_await next;
    }
    co_return sum;
  };
  EXPECT_EQ(loop->run_until_complete(main()), 21);
}

// Issue 8: wait_for and wait take any awaitable, not only Coro/Task/Future.
TEST(WaitForTest, AcceptsAnAwaiter) {
  VirtualLoop loop;
  auto main = []() -> Coro<bool> {
    co_await wait_for(sleep(1s), 2s);  // in time
    try {
      co_await wait_for(sleep(1h), 2s);
    } catch (const TimeoutError&) {
      co_return true;
    }
    co_return false;
  };
  TimePoint start = loop->time();
  EXPECT_TRUE(loop->run_until_complete(main()));
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 3.0);
}

TEST(WaitTest, AcceptsCorosAndReturnsTheirTasks) {
  VirtualLoop loop;
  auto main = []() -> Coro<int> {
    std::vector<Coro<int>> cs;
    cs.push_back(after(1, 1s));
    cs.push_back(after(2, 1h));
    WaitResult<Task<int>> r =
        co_await wait(std::move(cs), 10s, ReturnWhen::kAllCompleted);
    EXPECT_EQ(r.done.size(), 1u);
    EXPECT_EQ(r.pending.size(), 1u);
    r.pending[0].cancel();
    co_await sleep(0);
    co_return r.done[0].result();
  };
  EXPECT_EQ(loop->run_until_complete(main()), 1);
}

}  // namespace
}  // namespace aio
