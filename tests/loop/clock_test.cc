#include "loop/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace aio {
namespace {

using internal::deadline_after;
using internal::kNever;
using internal::seconds_to_ns;
using internal::to_ns;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ClockTest, DeadlineAfterSaturatesAtNever) {
  EXPECT_EQ(deadline_after(100, 5), 105);
  EXPECT_EQ(deadline_after(100, 0), 100);
  EXPECT_EQ(deadline_after(100, -5), 100);  // a past deadline is "now"
  EXPECT_EQ(deadline_after(100, kMin), 100);
  EXPECT_EQ(deadline_after(100, kMax), kNever);
  EXPECT_EQ(deadline_after(kMax - 10, 11), kNever);
  EXPECT_EQ(deadline_after(kMax - 10, 10), kMax);
}

TEST(ClockTest, IntegerDurationsSaturateInsteadOfOverflowing) {
  using namespace std::chrono;
  EXPECT_EQ(to_ns(seconds(3), "t"), 3'000'000'000);
  EXPECT_EQ(to_ns(milliseconds(-2), "t"), -2'000'000);
  EXPECT_EQ(to_ns(nanoseconds::max(), "t"), kMax);
  EXPECT_EQ(to_ns(nanoseconds::min(), "t"), kMin);
  EXPECT_EQ(to_ns(hours::max(), "t"), kMax);
  EXPECT_EQ(to_ns(hours::min(), "t"), kMin);
  EXPECT_EQ(to_ns(duration<uint64_t>(std::numeric_limits<uint64_t>::max()),
                  "t"),
            kMax);
  EXPECT_EQ(to_ns(duration<int64_t, std::pico>(2500), "t"), 2);
}

TEST(ClockTest, FloatingDurationsSaturateAndRejectNaN) {
  EXPECT_EQ(seconds_to_ns(1.5, "t"), 1'500'000'000);
  EXPECT_EQ(seconds_to_ns(0.0, "t"), 0);
  EXPECT_EQ(seconds_to_ns(-0.25, "t"), -250'000'000);
  EXPECT_EQ(seconds_to_ns(kInf, "t"), kMax);
  EXPECT_EQ(seconds_to_ns(-kInf, "t"), kMin);
  EXPECT_EQ(seconds_to_ns(1e10, "t"), kMax);  // 317 years: past the clock
  EXPECT_EQ(seconds_to_ns(-1e300, "t"), kMin);
  EXPECT_EQ(to_ns(std::chrono::duration<float, std::milli>(2.0f), "t"),
            2'000'000);
  try {
    seconds_to_ns(kNaN, "aio::test");
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "aio::test: the duration is NaN (not a number)");
  }
}

}  // namespace
}  // namespace aio
