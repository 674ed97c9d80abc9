#include "crawler/retry_policy.h"

#include <chrono>
#include <limits>

#include "absl/random/random.h"
#include "gtest/gtest.h"
#include "net/http_error.h"

namespace aio::crawler {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

absl::StatusOr<http::Response> status(int code, http::Headers h = {}) {
  http::Response r;
  r.status = code;
  r.headers = std::move(h);
  return r;
}

absl::StatusOr<http::Response> error(http::ErrorKind kind) {
  return http::make_error(kind, "test");
}

RetryOptions opts(int retries = 3) {
  RetryOptions o;
  o.retries = retries;
  o.base_delay = milliseconds(100);
  o.max_delay = seconds(10);
  o.max_retry_after = seconds(30);
  return o;
}

TEST(RetryPolicyTest, RetriesServerErrorsAnd429) {
  absl::BitGen gen;
  for (int code : {500, 502, 503, 504, 599, 429}) {
    EXPECT_TRUE(decide_retry(status(code), 1, opts(), gen).retry) << code;
  }
}

TEST(RetryPolicyTest, NeverOtherStatusCodes) {
  absl::BitGen gen;
  for (int code : {200, 204, 301, 302, 304, 400, 401, 403, 404, 408, 410, 451}) {
    EXPECT_FALSE(decide_retry(status(code), 1, opts(), gen).retry) << code;
  }
}

TEST(RetryPolicyTest, RetriesTransientNetworkErrors) {
  absl::BitGen gen;
  for (auto kind : {http::ErrorKind::kConnectionReset, http::ErrorKind::kTimeout,
                    http::ErrorKind::kConnectionRefused,
                    http::ErrorKind::kTruncated, http::ErrorKind::kNetwork}) {
    EXPECT_TRUE(decide_retry(error(kind), 1, opts(), gen).retry)
        << http::to_string(kind);
  }
}

TEST(RetryPolicyTest, NeverErrorsASecondTryCannotFix) {
  absl::BitGen gen;
  for (auto kind :
       {http::ErrorKind::kInvalidUrl, http::ErrorKind::kUnsupportedProtocol,
        http::ErrorKind::kDns, http::ErrorKind::kTls, http::ErrorKind::kTooLarge,
        http::ErrorKind::kTooManyRedirects, http::ErrorKind::kClientClosed,
        http::ErrorKind::kProtocol, http::ErrorKind::kOther}) {
    EXPECT_FALSE(decide_retry(error(kind), 1, opts(), gen).retry)
        << http::to_string(kind);
  }
  EXPECT_FALSE(
      decide_retry(absl::InternalError("not from net"), 1, opts(), gen).retry);
}

TEST(RetryPolicyTest, AtMostRetriesPlusOneTries) {
  absl::BitGen gen;
  EXPECT_TRUE(decide_retry(status(503), 1, opts(2), gen).retry);
  EXPECT_TRUE(decide_retry(status(503), 2, opts(2), gen).retry);
  EXPECT_FALSE(decide_retry(status(503), 3, opts(2), gen).retry);
  EXPECT_FALSE(decide_retry(status(503), 1, opts(0), gen).retry);
}

TEST(RetryPolicyTest, NegativeAndZeroCountsAndAttempts) {
  absl::BitGen gen;
  EXPECT_FALSE(decide_retry(status(503), 1, opts(-5), gen).retry);
  // attempt 0 or negative counts as 1.
  EXPECT_TRUE(decide_retry(status(503), 0, opts(1), gen).retry);
  EXPECT_TRUE(decide_retry(status(503), -7, opts(1), gen).retry);
  EXPECT_FALSE(decide_retry(status(503), std::numeric_limits<int>::max(),
                            opts(1), gen)
                   .retry);
}

TEST(RetryPolicyTest, MaxRetriesAndMaxAttemptDoNotOverflow) {
  absl::BitGen gen;
  RetryOptions o = opts(std::numeric_limits<int>::max());
  RetryDecision d =
      decide_retry(status(503), std::numeric_limits<int>::max() - 1, o, gen);
  EXPECT_TRUE(d.retry);
  EXPECT_LE(d.delay, o.max_delay);
  EXPECT_GE(d.delay, o.max_delay / 2);
}

TEST(RetryPolicyTest, ExponentialBackoffWithJitterInRange) {
  absl::BitGen gen;
  for (int attempt = 1; attempt <= 10; ++attempt) {
    Duration full = std::min<Duration>(milliseconds(100) * (1 << (attempt - 1)),
                                       seconds(10));
    for (int i = 0; i < 50; ++i) {
      RetryDecision d = decide_retry(status(500), attempt, opts(100), gen);
      ASSERT_TRUE(d.retry);
      EXPECT_GE(d.delay, full / 2 - milliseconds(1)) << attempt;
      EXPECT_LE(d.delay, full + milliseconds(1)) << attempt;
    }
  }
}

TEST(RetryPolicyTest, JitterSpreadsDelays) {
  absl::BitGen gen;
  Duration lo = Duration::max(), hi = Duration::zero();
  for (int i = 0; i < 200; ++i) {
    Duration d = decide_retry(status(500), 3, opts(), gen).delay;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GT(hi - lo, milliseconds(50));
}

TEST(RetryPolicyTest, ZeroNegativeAndMaxDelays) {
  absl::BitGen gen;
  RetryOptions o = opts();
  o.base_delay = Duration::zero();
  EXPECT_EQ(decide_retry(status(500), 1, o, gen).delay, Duration::zero());
  o.base_delay = milliseconds(-5);
  EXPECT_EQ(decide_retry(status(500), 1, o, gen).delay, Duration::zero());
  o.base_delay = Duration::max();
  o.max_delay = Duration::max();
  RetryDecision d = decide_retry(status(500), 3, o, gen);
  EXPECT_TRUE(d.retry);
  EXPECT_GT(d.delay, Duration::zero());
  o.base_delay = seconds(1);
  o.max_delay = milliseconds(-1);
  EXPECT_EQ(decide_retry(status(500), 3, o, gen).delay, Duration::zero());
}

TEST(RetryPolicyTest, RetryAfterSecondsOn429And503) {
  absl::BitGen gen;
  EXPECT_EQ(decide_retry(status(429, {{"Retry-After", "7"}}), 1, opts(), gen).delay,
            seconds(7));
  EXPECT_EQ(decide_retry(status(503, {{"retry-after", " 2 "}}), 1, opts(), gen).delay,
            seconds(2));
  EXPECT_EQ(decide_retry(status(429, {{"Retry-After", "0"}}), 1, opts(), gen).delay,
            Duration::zero());
}

TEST(RetryPolicyTest, RetryAfterIsCapped) {
  absl::BitGen gen;
  EXPECT_EQ(
      decide_retry(status(429, {{"Retry-After", "3600"}}), 1, opts(), gen).delay,
      seconds(30));
  EXPECT_EQ(decide_retry(status(429, {{"Retry-After", "99999999999999999999"}}),
                         1, opts(), gen)
                .delay,
            seconds(30));
  RetryOptions o = opts();
  o.max_retry_after = seconds(-1);
  EXPECT_EQ(decide_retry(status(429, {{"Retry-After", "5"}}), 1, o, gen).delay,
            Duration::zero());
}

TEST(RetryPolicyTest, RetryAfterHttpDateAgainstTheDateHeader) {
  absl::BitGen gen;
  auto r = status(503, {{"Date", "Tue, 01 Dec 2026 10:00:00 GMT"},
                        {"Retry-After", "Tue, 01 Dec 2026 10:00:12 GMT"}});
  EXPECT_EQ(decide_retry(r, 1, opts(), gen).delay, seconds(12));
  auto past = status(503, {{"Date", "Tue, 01 Dec 2026 10:00:00 GMT"},
                           {"Retry-After", "Tue, 01 Dec 2026 09:00:00 GMT"}});
  EXPECT_EQ(decide_retry(past, 1, opts(), gen).delay, Duration::zero());
}

TEST(RetryPolicyTest, UnusableRetryAfterFallsBackToBackoff) {
  absl::BitGen gen;
  for (const char* v : {"soon", "-5", "1.5", "", "Tue, 01 Dec 2026 10:00:12 GMT"}) {
    RetryDecision d =
        decide_retry(status(429, {{"Retry-After", v}}), 1, opts(), gen);
    EXPECT_TRUE(d.retry) << v;
    EXPECT_GE(d.delay, milliseconds(50)) << v;
    EXPECT_LE(d.delay, milliseconds(100)) << v;
  }
}

TEST(RetryPolicyTest, RetryAfterIgnoredOnOther5xx) {
  absl::BitGen gen;
  RetryDecision d =
      decide_retry(status(500, {{"Retry-After", "20"}}), 1, opts(), gen);
  EXPECT_LE(d.delay, milliseconds(100));
}

TEST(RetryAfterTest, ParsesFormats) {
  http::Response r;
  EXPECT_FALSE(retry_after(r).has_value());
  r.headers = {{"Retry-After", "120"}};
  EXPECT_EQ(retry_after(r), seconds(120));
  r.headers = {{"Date", "Sunday, 06-Nov-94 08:49:37 GMT"},
               {"Retry-After", "Sun Nov  6 08:49:40 1994"}};
  EXPECT_EQ(retry_after(r), seconds(3));
}

TEST(RetryPolicyTest, NoRetryMeansNoDelay) {
  absl::BitGen gen;
  RetryDecision d = decide_retry(status(404), 1, opts(), gen);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.delay, Duration::zero());
}

}  // namespace
}  // namespace aio::crawler
