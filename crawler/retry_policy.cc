#include "crawler/retry_policy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "net/http_error.h"

namespace aio::crawler {
namespace {

Duration non_negative(Duration d) {
  return d < Duration::zero() ? Duration::zero() : d;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<absl::Time> parse_http_date(std::string_view v) {
  std::string text(trim(v));
  absl::Time t;
  std::string err;
  // RFC 9110 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms.
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y"}) {
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> retry_after(const http::Response& response) {
  std::optional<std::string_view> value = response.headers.get("Retry-After");
  if (!value) return std::nullopt;
  std::string_view v = trim(*value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // delta-seconds; saturate absurd values instead of overflowing.
    if (v.size() > 9) return std::chrono::duration_cast<Duration>(std::chrono::hours(24 * 365));
    int64_t seconds = 0;
    for (char c : v) seconds = seconds * 10 + (c - '0');
    return std::chrono::duration_cast<Duration>(std::chrono::seconds(seconds));
  }
  std::optional<absl::Time> when = parse_http_date(v);
  std::optional<std::string_view> date = response.headers.get("Date");
  if (!when || !date) return std::nullopt;
  std::optional<absl::Time> now = parse_http_date(*date);
  if (!now) return std::nullopt;
  absl::Duration d = *when - *now;
  if (d < absl::ZeroDuration()) return Duration::zero();
  return std::chrono::duration_cast<Duration>(absl::ToChronoNanoseconds(
      std::min(d, absl::Hours(24 * 365))));
}

bool is_retryable(const absl::StatusOr<http::Response>& outcome) {
  if (outcome.ok()) {
    int s = outcome->status;
    return s == 429 || (s >= 500 && s <= 599);
  }
  switch (http::error_kind(outcome.status())) {
    case http::ErrorKind::kConnectionReset:
    case http::ErrorKind::kTimeout:
    case http::ErrorKind::kConnectionRefused:
    case http::ErrorKind::kTruncated:
    case http::ErrorKind::kNetwork:
      return true;
    default:
      return false;
  }
}

RetryDecision decide_retry(const absl::StatusOr<http::Response>& outcome,
                           int attempt, const RetryOptions& options,
                           absl::BitGen& gen) {
  attempt = std::max(attempt, 1);
  int retries = std::max(options.retries, 0);
  if (attempt > retries || !is_retryable(outcome)) return {};

  RetryDecision d;
  d.retry = true;
  if (outcome.ok() && (outcome->status == 429 || outcome->status == 503)) {
    if (std::optional<Duration> after = retry_after(*outcome)) {
      d.delay = std::min(*after, non_negative(options.max_retry_after));
      return d;
    }
  }
  // base * 2^(attempt-1), computed in double seconds so that nothing
  // overflows, then capped.
  double base = std::chrono::duration<double>(non_negative(options.base_delay)).count();
  double cap = std::chrono::duration<double>(non_negative(options.max_delay)).count();
  double exp = std::min(attempt - 1, 1000);
  double backoff = std::min(base * std::pow(2.0, exp), cap);
  if (!(backoff > 0)) return d;  // zero (or NaN-free zero) delay
  double jittered = absl::Uniform(absl::IntervalClosedClosed, gen, backoff / 2, backoff);
  double max_seconds = std::chrono::duration<double>(Duration::max()).count() / 2;
  d.delay = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(std::min(jittered, max_seconds)));
  return d;
}

}  // namespace aio::crawler
