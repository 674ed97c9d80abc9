#include "sync/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/wait.h"
#include "tests/common/test_util.h"

namespace aio {
namespace {

using testing::VirtualTime;
using testing::yield;

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Seconds since `start` on the running loop's clock.
double since(TimePoint start) {
  return std::chrono::duration<double>(get_running_loop().time() - start)
      .count();
}

Coro<void> acquire_and_stamp(RateLimiter* rl, TimePoint start,
                             std::vector<double>* stamps) {
  co_await rl->acquire();
  stamps->push_back(since(start));
}

Coro<void> many(RateLimiter* rl, int n, std::vector<double>* stamps) {
  TimePoint start = get_running_loop().time();
  std::vector<Task<void>> ts;
  for (int i = 0; i < n; ++i)
    ts.push_back(create_task(acquire_and_stamp(rl, start, stamps)));
  for (auto& t : ts) co_await t;
}

TEST(RateLimiter,
     ThreePerMinuteLetsThreeGoThenTheNextWhenTheFirstLeavesTheWindow) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(3, minutes(1));
  std::vector<double> stamps;
  loop.run_until_complete(many(&rl, 8, &stamps));
  EXPECT_EQ(stamps, (std::vector<double>{0, 0, 0, 60, 60, 60, 120, 120}));
}

TEST(RateLimiter, BurstOfOneSpacesAcquisitionsEvenly) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(3, minutes(1), 1);
  std::vector<double> stamps;
  loop.run_until_complete(many(&rl, 5, &stamps));
  EXPECT_EQ(stamps, (std::vector<double>{0, 20, 40, 60, 80}));
}

TEST(RateLimiter, NeverMoreThanMaxRateInAnyWindow) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(5, seconds(1), 2);
  std::vector<double> stamps;
  loop.run_until_complete(
      [](RateLimiter* rl, std::vector<double>* stamps) -> Coro<void> {
        TimePoint start = get_running_loop().time();
        // Irregular demand: bursts and pauses.
        for (int round = 0; round < 6; ++round) {
          std::vector<Task<void>> ts;
          for (int i = 0; i < 4 + round; ++i) {
            ts.push_back(create_task(acquire_and_stamp(rl, start, stamps)));
          }
          for (auto& t : ts) co_await t;
          co_await sleep(0.13 * round);
        }
      }(&rl, &stamps));
  ASSERT_EQ(stamps.size(), 39u);
  for (size_t i = 0; i < stamps.size(); ++i) {
    int in_window = 0;
    for (size_t j = i; j < stamps.size() && stamps[j] < stamps[i] + 1.0 - 1e-9;
         ++j)
      ++in_window;
    EXPECT_LE(in_window, 5) << "window starting at " << stamps[i];
  }
  // burst 2: never three at the same instant.
  for (size_t i = 2; i < stamps.size(); ++i)
    EXPECT_LT(stamps[i - 2], stamps[i]);
}

Coro<void> idle_then_acquire(RateLimiter* rl, std::vector<double>* stamps) {
  TimePoint start = get_running_loop().time();
  for (int i = 0; i < 3; ++i) co_await acquire_and_stamp(rl, start, stamps);
  co_await sleep(600.0);  // a long pause refills everything
  for (int i = 0; i < 3; ++i) co_await acquire_and_stamp(rl, start, stamps);
}

TEST(RateLimiter, AfterAPauseTheFullRateIsAvailableAgain) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(3, minutes(1));
  std::vector<double> stamps;
  loop.run_until_complete(idle_then_acquire(&rl, &stamps));
  EXPECT_EQ(stamps, (std::vector<double>{0, 0, 0, 600, 600, 600}));
}

Coro<std::string> acquire_report(RateLimiter* rl, TimePoint start,
                                 std::vector<double>* stamps) {
  try {
    co_await rl->acquire();
    stamps->push_back(since(start));
    co_return "acquired";
  } catch (const CancelledError&) {
    co_return "cancelled";
  }
}

Coro<void> cancel_head_scenario(RateLimiter* rl, std::vector<std::string>* out,
                                std::vector<double>* stamps) {
  TimePoint start = get_running_loop().time();
  co_await rl->acquire();  // uses the only slot of this minute
  auto a = create_task(acquire_report(rl, start, stamps));
  auto b = create_task(acquire_report(rl, start, stamps));
  co_await sleep(10.0);
  a.cancel();  // the head leaves: b inherits the 60 s deadline
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(RateLimiter, WaiterCancelledWhileWaitingConsumesNothing) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(1, minutes(1));
  std::vector<std::string> out;
  std::vector<double> stamps;
  loop.run_until_complete(cancel_head_scenario(&rl, &out, &stamps));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "acquired"}));
  EXPECT_EQ(stamps, (std::vector<double>{60}));
}

Coro<void> cancel_after_grant_scenario(RateLimiter* rl,
                                       std::vector<std::string>* out,
                                       std::vector<double>* stamps) {
  TimePoint start = get_running_loop().time();
  co_await rl->acquire();
  auto a = create_task(acquire_report(rl, start, stamps));
  auto b = create_task(acquire_report(rl, start, stamps));
  // At t = 60 the timer grants a's slot; a task that wakes at the same
  // instant (queued right behind the timer) cancels a before a runs.
  co_await sleep(60.0);
  EXPECT_EQ(rl->waiting(), 1u);  // a granted, b waiting
  a.cancel();
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(RateLimiter, WaiterCancelledAfterItsSlotWasGrantedGivesTheSlotToTheNext) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(1, minutes(1));
  std::vector<std::string> out;
  std::vector<double> stamps;
  loop.run_until_complete(cancel_after_grant_scenario(&rl, &out, &stamps));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "acquired"}));
  EXPECT_EQ(stamps, (std::vector<double>{60}));  // b used the refunded slot
}

Coro<void> try_scenario(RateLimiter* rl, std::vector<bool>* out) {
  out->push_back(rl->try_acquire());
  out->push_back(rl->try_acquire());
  out->push_back(rl->try_acquire());
  co_await sleep(30.0);
  out->push_back(rl->try_acquire());
  co_await sleep(30.0);
  out->push_back(rl->try_acquire());
}

TEST(RateLimiter, TryAcquireNeverWaits) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(2, minutes(1));
  std::vector<bool> out;
  loop.run_until_complete(try_scenario(&rl, &out));
  EXPECT_EQ(out, (std::vector<bool>{true, true, false, false, true}));
}

Coro<void> fifo_scenario(RateLimiter* rl, std::vector<int>* order) {
  std::vector<Task<void>> ts;
  for (int i = 0; i < 6; ++i) {
    ts.push_back(create_task(
        [](RateLimiter* rl, std::vector<int>* order, int i) -> Coro<void> {
          co_await rl->acquire();
          order->push_back(i);
        }(rl, order, i)));
  }
  co_await yield();
  // A newcomer does not overtake the tasks that are waiting.
  EXPECT_FALSE(rl->try_acquire());
  for (auto& t : ts) co_await t;
}

TEST(RateLimiter, WaitersAreServedInArrivalOrder) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(2, seconds(1));
  std::vector<int> order;
  loop.run_until_complete(fifo_scenario(&rl, &order));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(RateLimiter, InvalidParametersAreRejected) {
  EXPECT_THROW(RateLimiter(0, seconds(1)), std::invalid_argument);
  EXPECT_THROW(RateLimiter(1, seconds(0)), std::invalid_argument);
  EXPECT_THROW(RateLimiter(3, seconds(1), 0), std::invalid_argument);
  EXPECT_THROW(RateLimiter(3, seconds(1), 4), std::invalid_argument);
  EXPECT_THROW(RateLimiter(3, milliseconds(-5)), std::invalid_argument);
}

TEST(RateLimiter, TryAcquireWithoutAnyLoopThrowsLogicError) {
  RateLimiter rl(1, seconds(1));
  EXPECT_THROW(rl.try_acquire(), std::logic_error);
}

Coro<std::string> acquire_report_errors(RateLimiter* rl) {
  try {
    co_await rl->acquire();
    co_return "acquired";
  } catch (const std::logic_error& e) {
    co_return e.what();
  }
}

Coro<void> destroy_scenario(std::unique_ptr<RateLimiter>* rl,
                            std::string* out) {
  co_await (*rl)->acquire();
  auto t = create_task(acquire_report_errors(rl->get()));
  co_await yield();
  rl->reset();  // also removes its timer from the loop
  *out = co_await t;
}

TEST(RateLimiter, DestroyingItWakesWaitersWithAClearError) {
  EventLoop loop(VirtualTime());
  auto rl = std::make_unique<RateLimiter>(1, minutes(1));
  std::string out;
  loop.run_until_complete(destroy_scenario(&rl, &out));
  EXPECT_NE(out.find("aio::RateLimiter destroyed"), std::string::npos) << out;
}

Coro<void> acquire_once(RateLimiter* rl) { co_await rl->acquire(); }

TEST(RateLimiter, UseFromASecondLiveLoopThrowsLogicError) {
  RateLimiter rl(10, seconds(1));
  EventLoop a(VirtualTime("rl-loop-a"));
  a.run_until_complete(acquire_once(&rl));
  EventLoop b(VirtualTime("rl-loop-b"));
  EXPECT_THROW(b.run_until_complete(acquire_once(&rl)), std::logic_error);
}

// ---- issue 9, item 8: durations and counts at their limits

Coro<std::string> acquire_within(RateLimiter* rl, Duration timeout) {
  try {
    co_await wait_for(acquire_once(rl), timeout);
    co_return "acquired";
  } catch (const TimeoutError&) {
    co_return "timed out";
  }
}

Coro<void> maximal_period(RateLimiter* rl, std::vector<std::string>* out) {
  for (int64_t i = 0; i < rl->max_rate(); ++i) {
    out->push_back(rl->try_acquire() ? "yes" : "no");
  }
  out->push_back(rl->try_acquire() ? "yes" : "no");
  co_await sleep(std::chrono::hours(24 * 365));  // a year later: still no
  out->push_back(rl->try_acquire() ? "yes" : "no");
  out->push_back(co_await acquire_within(rl, std::chrono::hours(1)));
  EXPECT_EQ(rl->waiting(), 0u);  // the timed-out waiter left
}

TEST(RateLimiter, AMaximalPeriodAdmitsMaxRateAndThenNothing) {
  EventLoop loop(VirtualTime());
  RateLimiter one(1, Duration::max());
  std::vector<std::string> out;
  loop.run_until_complete(maximal_period(&one, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"yes", "no", "no", "timed out"}));
  RateLimiter three(3, Duration::max());
  out.clear();
  loop.run_until_complete(maximal_period(&three, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"yes", "yes", "yes", "no", "no",
                                           "timed out"}));
}

TEST(RateLimiter, AMaximalPeriodWithBurstOneAdmitsOneAndThenNothing) {
  EventLoop loop(VirtualTime());
  RateLimiter rl(2, Duration::max(), 1);  // one every ~146 years
  std::vector<std::string> out;
  loop.run_until_complete(
      [](RateLimiter* rl, std::vector<std::string>* out) -> Coro<void> {
        out->push_back(rl->try_acquire() ? "yes" : "no");
        out->push_back(rl->try_acquire() ? "yes" : "no");
        out->push_back(co_await acquire_within(rl, std::chrono::hours(1)));
      }(&rl, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"yes", "no", "timed out"}));
}

TEST(RateLimiter, TheSmallestPeriodAndTheLargestRateAdmitEverything) {
  EventLoop loop(VirtualTime());
  RateLimiter tiny(1, Duration(1));  // one per nanosecond
  RateLimiter huge(std::numeric_limits<int64_t>::max(), seconds(1));
  RateLimiter huge_burst(std::numeric_limits<int64_t>::max(), Duration::max(),
                         std::numeric_limits<int64_t>::max());
  int admitted = 0;
  loop.run_until_complete([](RateLimiter* tiny, RateLimiter* huge,
                             RateLimiter* huge_burst,
                             int* admitted) -> Coro<void> {
    for (int i = 0; i < 1000; ++i) {
      co_await tiny->acquire();  // waits at most a nanosecond each
      if (huge->try_acquire()) ++*admitted;
      if (huge_burst->try_acquire()) ++*admitted;
    }
  }(&tiny, &huge, &huge_burst, &admitted));
  EXPECT_EQ(admitted, 2000);
}

TEST(RateLimiter, ZeroNegativeAndMinimalParametersAreRejected) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_THROW(RateLimiter(-1, seconds(1)), std::invalid_argument);
  EXPECT_THROW(RateLimiter(kMin, seconds(1)), std::invalid_argument);
  EXPECT_THROW(RateLimiter(1, Duration::min()), std::invalid_argument);
  EXPECT_THROW(RateLimiter(1, Duration(-1)), std::invalid_argument);
  EXPECT_THROW(RateLimiter(3, seconds(1), -1), std::invalid_argument);
  EXPECT_THROW(RateLimiter(3, seconds(1), kMin), std::invalid_argument);
  EXPECT_THROW(RateLimiter(3, seconds(1), kMax), std::invalid_argument);
  EXPECT_NO_THROW(RateLimiter(kMax, Duration::max(), kMax));
}

}  // namespace
}  // namespace aio
