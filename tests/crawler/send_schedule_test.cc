#include "crawler/send_schedule.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kNever = SendSchedule::kNever;

int64_t ns(Duration d) { return d.count(); }

SendLimits spacing(Duration d) { return SendLimits{d, std::nullopt}; }
SendLimits rate(int64_t n, Duration p, Duration gap = Duration::zero()) {
  return SendLimits{gap, Rate{n, p}};
}

// Every window (t - p, t] holds at most n of the sorted times.
void expect_window(const std::vector<int64_t>& t, int64_t n, int64_t p) {
  for (size_t i = 0; i < t.size(); ++i) {
    size_t in = 0;
    for (size_t j = 0; j <= i; ++j) {
      if (t[j] > t[i] - p) ++in;
    }
    EXPECT_LE(in, static_cast<size_t>(n)) << "window ending at " << t[i];
  }
}

TEST(SendScheduleTest, WithoutLimitsEveryReservationIsNow) {
  SendSchedule s;
  EXPECT_FALSE(SendLimits{}.any());
  EXPECT_EQ(s.reserve(100, SendLimits{}), 100);
  EXPECT_EQ(s.reserve(100, SendLimits{}), 100);
  EXPECT_EQ(s.reserve(50, SendLimits{}), 100);  // never backwards
}

TEST(SendScheduleTest, SpacingQueuesReservationsOneGapApart) {
  SendSchedule s;
  const int64_t g = ns(seconds(2));
  EXPECT_EQ(s.reserve(0, spacing(seconds(2))), 0);
  EXPECT_EQ(s.reserve(0, spacing(seconds(2))), g);
  EXPECT_EQ(s.reserve(1, spacing(seconds(2))), 2 * g);
  // Long after: at once, and the gap counts from there.
  EXPECT_EQ(s.reserve(100 * g, spacing(seconds(2))), 100 * g);
  EXPECT_EQ(s.next_allowed(), 101 * g);
  // A larger spacing given later (a Crawl-delay) applies from the next one.
  EXPECT_EQ(s.reserve(100 * g, spacing(seconds(7))), 101 * g);
  EXPECT_EQ(s.reserve(100 * g, spacing(seconds(7))), 101 * g + ns(seconds(7)));
}

TEST(SendScheduleTest, RateIsASlidingWindowLikeRateLimiter) {
  SendSchedule s;
  const int64_t m = ns(std::chrono::minutes(1));
  std::vector<int64_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(s.reserve(0, rate(3, std::chrono::minutes(1))));
  EXPECT_EQ(got, (std::vector<int64_t>{0, 0, 0, m, m, m, 2 * m}));
  EXPECT_LE(s.recent().size(), 3u);
}

TEST(SendScheduleTest, RandomArrivalsNeverBreakTheWindowOrTheGap) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    const int64_t n = 1 + static_cast<int64_t>(rng() % 5);
    const Duration p = milliseconds(1 + rng() % 1000);
    const Duration gap = milliseconds(rng() % 300);
    SendSchedule s;
    std::vector<int64_t> t;
    int64_t now = 0;
    for (int i = 0; i < 60; ++i) {
      now += static_cast<int64_t>(rng() % ns(milliseconds(400)));
      int64_t r = s.reserve(now, rate(n, p, gap));
      EXPECT_GE(r, now);
      if (!t.empty()) {
        EXPECT_GE(r - t.back(), ns(gap));
      }
      t.push_back(r);
    }
    expect_window(t, n, ns(p));
  }
}

TEST(SendScheduleTest, RatesAboveMaxExactAreSpacedEvenly) {
  SendSchedule s(/*max_exact=*/4);
  std::vector<int64_t> t;
  for (int i = 0; i < 20; ++i) t.push_back(s.reserve(0, rate(10, seconds(1))));
  for (size_t i = 1; i < t.size(); ++i) {
    EXPECT_EQ(t[i] - t[i - 1], ns(milliseconds(100)));
  }
  expect_window(t, 10, ns(seconds(1)));
  EXPECT_EQ(s.recent().size(), 1u);  // memory stays bounded
  // Rounded up: 3 per ns-odd period never exceeds 3.
  SendSchedule odd(1);
  int64_t a = odd.reserve(0, rate(3, Duration(10)));
  int64_t b = odd.reserve(0, rate(3, Duration(10)));
  EXPECT_EQ(b - a, 4);
}

TEST(SendScheduleTest, HugeDurationsSaturateAtNever) {
  SendSchedule s;
  EXPECT_EQ(s.reserve(5, spacing(Duration::max())), 5);
  EXPECT_EQ(s.next_allowed(), kNever);
  EXPECT_EQ(s.reserve(6, spacing(Duration::max())), kNever);
  EXPECT_EQ(s.reserve(7, spacing(seconds(1))), kNever);  // still never

  SendSchedule r;
  EXPECT_EQ(r.reserve(0, rate(1, Duration::max())), 0);
  EXPECT_EQ(r.reserve(0, rate(1, Duration::max())), kNever);

  SendSchedule h;  // hours::max() and a now near the end of the clock
  EXPECT_EQ(h.reserve(kNever - 10, spacing(hours(1))), kNever - 10);
  EXPECT_EQ(h.reserve(kNever - 10, spacing(hours(1))), kNever);

  SendSchedule big;
  const int64_t n = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(big.reserve(0, rate(n, seconds(1))), 0);  // evenly: 1 ns apart
  EXPECT_EQ(big.reserve(0, rate(n, seconds(1))), 1);
}

TEST(SendScheduleTest, BadLimitsAreRejectedByCheckLimits) {
  EXPECT_TRUE(check_limits(SendLimits{}).ok());
  EXPECT_TRUE(check_limits(spacing(Duration::zero())).ok());
  EXPECT_TRUE(check_limits(spacing(Duration::max())).ok());
  EXPECT_TRUE(check_limits(rate(1, Duration(1))).ok());
  struct Case {
    SendLimits limits;
    const char* what;
  };
  for (const Case& c : {Case{spacing(-seconds(1)), "spacing"},
                        Case{spacing(Duration::min()), "spacing"},
                        Case{rate(0, seconds(1)), "count"},
                        Case{rate(-3, seconds(1)), "count"},
                        Case{rate(std::numeric_limits<int64_t>::min(),
                                  seconds(1)),
                             "count"},
                        Case{rate(1, Duration::zero()), "period"},
                        Case{rate(1, -seconds(1)), "period"},
                        Case{rate(1, Duration::min()), "period"}}) {
    absl::Status s = check_limits(c.limits);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(s.message().find(c.what), std::string::npos) << s.message();
  }
}

TEST(SendScheduleTest, RecentTimesRoundTripAndCorruptBytesAreRejected) {
  SendSchedule s;
  for (int i = 0; i < 5; ++i) s.reserve(ns(seconds(i)), rate(4, hours(1)));
  absl::StatusOr<SendSchedule> back =
      SendSchedule::decode(s.next_allowed(), s.encode_recent());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->recent(), s.recent());
  EXPECT_EQ(back->next_allowed(), s.next_allowed());
  // The copy goes on exactly as the original would.
  EXPECT_EQ(back->reserve(ns(seconds(9)), rate(4, hours(1))),
            s.reserve(ns(seconds(9)), rate(4, hours(1))));
  // Negative times survive the byte form.
  SendSchedule neg;
  neg.reserve(-5, rate(2, seconds(1)));
  absl::StatusOr<SendSchedule> n2 =
      SendSchedule::decode(neg.next_allowed(), neg.encode_recent());
  ASSERT_TRUE(n2.ok());
  EXPECT_EQ(n2->recent(), neg.recent());

  EXPECT_EQ(SendSchedule::decode(0, "1234567").status().code(),
            absl::StatusCode::kDataLoss);
  std::string desc = s.encode_recent();
  std::string swapped = desc.substr(8, 8) + desc.substr(0, 8);
  EXPECT_EQ(SendSchedule::decode(0, swapped).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(SendSchedule::decode(0, "").ok());
}

}  // namespace
}  // namespace aio::crawler
