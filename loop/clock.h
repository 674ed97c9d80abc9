// Time as the event loop sees it.
//
// The loop's clock is std::chrono::steady_clock. Under virtual time
// (EventLoop::Options::virtual_time) the loop's time() only moves when the loop
// is idle and jumps to the next timer, so sleeps complete instantly and tests
// are deterministic.
#ifndef AIO_LOOP_CLOCK_H_
#define AIO_LOOP_CLOCK_H_

#include <chrono>

namespace aio {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;

}  // namespace aio

#endif  // AIO_LOOP_CLOCK_H_
