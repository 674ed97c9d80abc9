#include "loop/sleep.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::VirtualLoop;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Coro<void> log_after_yield(std::vector<std::string>* log, std::string name) {
  co_await sleep(0);
  log->push_back(name);
}

TEST(SleepTest, SleepZeroYieldsToEveryReadyTaskFirst) {
  VirtualLoop loop;
  std::vector<std::string> log;
  auto main = [&]() -> Coro<void> {
    create_task(log_after_yield(&log, "a"));
    create_task(log_after_yield(&log, "b"));
    co_await sleep(0);  // a and b run their first step
    log.push_back("main");
    co_await sleep(0);
    co_await sleep(0);
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_EQ(log, (std::vector<std::string>{"main", "a", "b"}));
  EXPECT_EQ(loop->time(), start);
}

TEST(SleepTest, SleepsForTheGivenDurationOnTheLoopsClock) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    co_await sleep(1500ms);
    co_await sleep(0.5);
    co_await sleep(std::chrono::duration<double>(0.25));
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 2.25);
}

TEST(SleepTest, NegativeDurationsYieldLikeZero) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    co_await sleep(-5s);
    co_await sleep(-1.0);
    co_await sleep(-kInf);
    co_await sleep(Duration::min());
    co_await sleep(std::chrono::hours::min());
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_EQ(loop->time(), start);
}

TEST(SleepTest, SleepUntilAPastTimeReturnsAtOnce) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    co_await sleep_until(get_running_loop().time() - 1s);
    co_await sleep_until(TimePoint::min());
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_EQ(loop->time(), start);
}

// Sleeps with `s` under wait_for(…, 1 h): returns whether it timed out, so a
// sleep that means "never" must take exactly the hour.
template <typename S>
Coro<bool> times_out_after_an_hour(S s) {
  try {
    co_await wait_for(s(), 1h);
  } catch (const TimeoutError&) {
    co_return true;
  }
  co_return false;
}

Coro<void> sleep_duration_max() { co_await sleep(Duration::max()); }
Coro<void> sleep_hours_max() { co_await sleep(std::chrono::hours::max()); }
Coro<void> sleep_infinity() { co_await sleep(kInf); }
Coro<void> sleep_double_duration_infinity() {
  co_await sleep(std::chrono::duration<double>(kInf));
}
Coro<void> sleep_1e10_seconds() { co_await sleep(1e10); }
Coro<void> sleep_until_max() { co_await sleep_until(TimePoint::max()); }

// Issue 9 items 6 and 7: these overflowed (or converted a double out of
// range, undefined behaviour) into deadlines in the past or a 292-year poll.
TEST(SleepTest, TooLongOrInfiniteSleepsLastUntilCancelled) {
  for (auto* fn : {&sleep_duration_max, &sleep_hours_max, &sleep_infinity,
                   &sleep_double_duration_infinity, &sleep_1e10_seconds,
                   &sleep_until_max}) {
    VirtualLoop loop;
    TimePoint start = loop->time();
    EXPECT_TRUE(loop->run_until_complete(times_out_after_an_hour(fn)));
    EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 3600.0);
  }
}

TEST(SleepTest, ALongButFiniteSleepEndsOnTime) {
  VirtualLoop loop;
  auto main = []() -> Coro<void> { co_await sleep(1e9); };  // ~31.7 years
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 1e9);
}

TEST(SleepTest, NaNIsRejectedWithAClearError) {
  try {
    (void)sleep(kNaN);
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("aio::sleep"), std::string::npos);
  }
  EXPECT_THROW((void)sleep(std::chrono::duration<double>(kNaN)),
               std::invalid_argument);
}

TEST(SleepTest, ANeverEndingSleepDoesNotStarveOtherTimers) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto forever = create_task(sleep_duration_max());
    co_await sleep(1s);
    EXPECT_FALSE(forever.done());
    forever.cancel();
    for (int i = 0; i < 3; ++i) co_await sleep(0);
    EXPECT_TRUE(forever.cancelled());
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 1.0);
}

TEST(SleepTest, SleepOutsideATaskIsAClearError) {
  VirtualLoop loop;
  auto awaiter = sleep(1s);
  EXPECT_THROW(awaiter.await_suspend(std::noop_coroutine()), std::logic_error);
}

}  // namespace
}  // namespace aio
