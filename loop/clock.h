// Time as the event loop sees it.
//
// The loop's clock is std::chrono::steady_clock. Under virtual time
// (EventLoop::Options::virtual_time) the loop's time() only moves when the loop
// is idle and jumps to the next timer, so sleeps complete instantly and tests
// are deterministic.
//
// Durations given to the loop (sleep, call_later, wait_for, wait, timeouts)
// follow asyncio: zero or negative means "now" (sleep yields, a timeout has
// already passed), and anything too long for the clock — Duration::max(),
// hours::max(), duration<double>(INFINITY), 1e300 seconds — means "never"
// (the wait can still be cancelled). A NaN duration is rejected with
// std::invalid_argument. The helpers below are the one place that does this
// arithmetic; every component uses them.
#ifndef AIO_LOOP_CLOCK_H_
#define AIO_LOOP_CLOCK_H_

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ratio>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace aio {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;

namespace internal {

// A deadline (ns on the loop's clock) that never comes: timers at kNever
// never fire, and the loop never waits or jumps towards them.
inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// now + timeout, saturating: a timeout <= 0 gives `now`, one that would pass
// the end of the clock gives kNever.
constexpr int64_t deadline_after(int64_t now_ns, int64_t timeout_ns) {
  if (timeout_ns <= 0) return now_ns;
  int64_t r = 0;
  if (__builtin_add_overflow(now_ns, timeout_ns, &r)) return kNever;
  return r;
}

[[noreturn]] inline void nan_duration_error(const char* what) {
  throw std::invalid_argument(std::string(what) +
                              ": the duration is NaN (not a number)");
}

// Any std::chrono duration (integer or floating-point) in nanoseconds,
// saturating at the int64 range: +infinity and anything too long give
// INT64_MAX (kNever as a timeout), -infinity and anything too negative give
// INT64_MIN. NaN throws std::invalid_argument naming `what`.
template <typename Rep, typename Period>
int64_t to_ns(std::chrono::duration<Rep, Period> d, const char* what) {
  constexpr long double kMax = 9223372036854775807.0L;   // 2^63 - 1
  constexpr long double kMin = -9223372036854775808.0L;  // -2^63
  using PerNs = std::ratio_divide<Period, std::nano>;
  const long double ns = static_cast<long double>(d.count()) *
                         static_cast<long double>(PerNs::num) /
                         static_cast<long double>(PerNs::den);
  if constexpr (std::is_floating_point_v<Rep>) {
    if (std::isnan(ns)) nan_duration_error(what);
  }
  if (ns >= kMax) return std::numeric_limits<int64_t>::max();
  if (ns <= kMin) return std::numeric_limits<int64_t>::min();
  if constexpr (std::is_floating_point_v<Rep>) {
    return static_cast<int64_t>(ns);
  } else {
    // In range: exact integer arithmetic.
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }
}

// Seconds as a double (asyncio's unit) in nanoseconds, as to_ns.
inline int64_t seconds_to_ns(double seconds, const char* what) {
  return to_ns(std::chrono::duration<double>(seconds), what);
}

}  // namespace internal
}  // namespace aio

#endif  // AIO_LOOP_CLOCK_H_
