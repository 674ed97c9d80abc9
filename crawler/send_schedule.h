// aio::crawler::SendSchedule: when the next request to one origin may start,
// as a reservation — the arithmetic behind --delay, robots.txt Crawl-delay
// and --rate=N/PERIOD, shared by the in-process HostState and the MariaDB one
// (which keeps the schedule in the origin's row, against the server's clock).
//
//   SendSchedule s;
//   int64_t t = s.reserve(now_ns, SendLimits{std::chrono::seconds(2), {}});
//   // the request may start at t (>= now); the next one at t + 2 s
//
// The rule, exactly (the same as aio::RateLimiter's, sync/rate_limiter.h):
// a reservation at `now` gets the earliest t >= now such that
//   (1) t >= the previous reservation + the spacing given with it, and
//   (2) fewer than rate.count reservations lie in (t - rate.period, t]
//       (a sliding window: "3/1m" lets 3 go at once, the 4th one period
//       after the 1st).
// Reservations are granted in call order, so times never go backwards.
// Memory: rule (2) keeps up to rate.count times; above `max_exact`
// (constructor) it keeps none and spaces reservations evenly by
// period / count (rounded up) instead — never more than count in a window,
// but no bursts. Times are nanoseconds on any clock the caller picks; a time
// past the int64 range saturates at kNever (INT64_MAX: "never").
//
// A plain value type, pure: any thread, one at a time.
#ifndef AIO_CRAWLER_SEND_SCHEDULE_H_
#define AIO_CRAWLER_SEND_SCHEDULE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/options.h"
#include "loop/clock.h"

namespace aio::crawler {

// What spaces the requests to one origin.
struct SendLimits {
  Duration spacing{};       // between two starts; 0 = none
  std::optional<Rate> rate;  // at most count in any window of period

  // True when either applies (otherwise there is nothing to reserve).
  bool any() const { return spacing > Duration::zero() || rate.has_value(); }
};

// OK, or InvalidArgument naming the problem: a negative spacing, a rate
// count < 1 or a period <= 0 (prepare() rejects the same as flags).
absl::Status check_limits(const SendLimits& limits);

class SendSchedule {
 public:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  // Rule (2) is exact for rates up to this many per period by default.
  static constexpr size_t kDefaultMaxExact = 1024;

  explicit SendSchedule(size_t max_exact = kDefaultMaxExact)
      : max_exact_(max_exact) {}

  // Reserves the earliest allowed start >= now_ns (see above) and returns
  // it. `limits` must pass check_limits (asserted).
  int64_t reserve(int64_t now_ns, const SendLimits& limits);

  // The earliest start rule (1) allows next (INT64_MIN before any).
  int64_t next_allowed() const { return next_allowed_; }
  // The recent reservations rule (2) remembers, ascending.
  const std::deque<int64_t>& recent() const { return recent_; }

  // The recent times as bytes (8 bytes each, little-endian) and back:
  // what the MariaDB HostState keeps in the row. decode() rejects a blob
  // whose size is not a multiple of 8 or whose times are not ascending.
  std::string encode_recent() const;
  static absl::StatusOr<SendSchedule> decode(int64_t next_allowed,
                                             std::string_view recent,
                                             size_t max_exact =
                                                 kDefaultMaxExact);

 private:
  size_t max_exact_;
  int64_t next_allowed_ = std::numeric_limits<int64_t>::min();
  std::deque<int64_t> recent_;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_SEND_SCHEDULE_H_
