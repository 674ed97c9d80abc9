// aio::crawler retry policy: whether a finished try of a request should be
// tried again, and after how long. A pure function of the outcome, the
// attempt number, the options and a random source (for jitter); safe from
// any thread with its own absl::BitGen.
//
// Retried (while attempt <= retries, so a URL gets at most retries + 1
// tries):
//   - HTTP 5xx responses and 429 Too Many Requests;
//   - connection resets, timeouts, connection refused, truncated bodies and
//     other transient network errors (//net's kConnectionReset, kTimeout,
//     kConnectionRefused, kTruncated, kNetwork).
// Never retried: other status codes (2xx, 3xx, other 4xx: a 3xx that //net
// returns is one without a usable Location), and the errors a second try
// cannot fix (invalid URL, unsupported scheme, DNS failure, TLS, body too
// large, too many redirects / redirect loops, the client closed, unknown).
// Delay: exponential backoff, base_delay * 2^(attempt-1) capped at
// max_delay, with "equal jitter" (uniform in [d/2, d]) so that retries of
// many URLs spread out. A Retry-After header on a 429 or 503 (delta-seconds,
// or an HTTP-date measured against the response's Date header) replaces the
// backoff, capped at max_retry_after.
#ifndef AIO_CRAWLER_RETRY_POLICY_H_
#define AIO_CRAWLER_RETRY_POLICY_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "loop/clock.h"
#include "net/response.h"

namespace aio::crawler {

struct RetryOptions {
  // Retries after the first try (--retries). Negative counts as 0.
  int retries = 2;
  // The backoff before the first retry; doubles with each retry. Negative
  // counts as 0.
  Duration base_delay = std::chrono::milliseconds(500);
  // The largest backoff (before jitter). Negative counts as 0.
  Duration max_delay = std::chrono::seconds(30);
  // The largest wait a Retry-After header can ask for. Negative counts as 0.
  Duration max_retry_after = std::chrono::seconds(60);
};

struct RetryDecision {
  bool retry = false;
  Duration delay{0};  // wait this long before the next try (0 if !retry)
};

// `attempt` is the number of tries made so far, the one that produced
// `outcome` included (1 after the first try); values below 1 count as 1.
RetryDecision decide_retry(const absl::StatusOr<http::Response>& outcome,
                           int attempt, const RetryOptions& options,
                           absl::BitGen& gen);

// Is this outcome worth another try at all (ignoring the attempt count)?
bool is_retryable(const absl::StatusOr<http::Response>& outcome);

// The Retry-After value of a response as a duration: delta-seconds, or an
// HTTP-date relative to the Date header; nullopt when absent, unparsable or
// not measurable (a date without a Date header). Never negative.
std::optional<Duration> retry_after(const http::Response& response);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_RETRY_POLICY_H_
