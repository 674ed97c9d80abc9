// aio::sleep: suspend the current task for a duration (asyncio.sleep).
//
// sleep(0) yields: the task goes to the back of the run queue, so every other
// ready task runs first. A cancelled sleep removes its timer at once. Under
// virtual time, sleeps complete as soon as nothing else is ready.
// Durations follow loop/clock.h: negative yields like 0, Duration::max(),
// infinity or anything past the clock's range sleeps until cancelled, NaN
// throws std::invalid_argument (at the call).
//
// Threads: await inside a task, on its loop's thread (std::logic_error
// outside a task). The task resumes on its loop, through the run queue, when
// the timer fires (timers fire by deadline, then in insertion order).
#ifndef AIO_LOOP_SLEEP_H_
#define AIO_LOOP_SLEEP_H_

#include <chrono>
#include <coroutine>

#include "loop/clock.h"
#include "loop/event_loop.h"
#include "loop/park.h"

namespace aio {
namespace internal {

class SleepAwaiter : private TimerNode, private ParkedTask {
 public:
  // Until the task suspends, `when` holds the delay (or, if absolute, the
  // deadline): sleeps are many, and every byte of the awaiter is frame size.
  // owner_bits is 1 for an absolute deadline.
  explicit SleepAwaiter(int64_t delay_ns, bool absolute = false) {
    when = delay_ns;
    owner_bits = absolute ? 1 : 0;
  }
  SleepAwaiter(SleepAwaiter&&) = default;  // until awaited (see park.h)
  ~SleepAwaiter() {
    if (queued()) task->loop()->remove_timer(this);
  }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (!prepare("aio::sleep")) return false;
    EventLoop* loop = task->loop();
    if (!owner_bits && when <= 0) {
      task->resume_point = h;
      loop->schedule_task(task);  // yield: queued, not parked
      return true;
    }
    if (!owner_bits) when = deadline_after(loop->now_ns(), when);
    fire = [](TimerNode* t) { static_cast<SleepAwaiter*>(t)->wake(); };
    cancel = [](CancelHook* c, Op op, std::string&) {
      auto* self = static_cast<SleepAwaiter*>(c);
      self->task->loop()->remove_timer(self);
      if (op == kCancel) self->wake();
      return false;
    };
    if (when != kNever) loop->add_timer(this);  // else: until cancelled
    suspend_at(h);
    return true;
  }
  void await_resume() { deliver_cancel(); }
};
static_assert(sizeof(SleepAwaiter) == sizeof(TimerNode) + sizeof(ParkedTask));

}  // namespace internal

// [[nodiscard]]: `aio::sleep(3);` without co_await (the tutorial crawler's
// busy-loop bug) is a compiler warning, an error under --config=werror.
//
// Any std::chrono duration, integer or floating-point (see loop/clock.h:
// <= 0 yields, too long or infinite sleeps until cancelled, NaN throws
// std::invalid_argument).
template <typename Rep, typename Period>
[[nodiscard]] internal::SleepAwaiter sleep(std::chrono::duration<Rep, Period> d) {
  return internal::SleepAwaiter(internal::to_ns(d, "aio::sleep"));
}
// asyncio-style seconds: sleep(0) yields, sleep(0.5) sleeps half a second,
// sleep(INFINITY) sleeps until cancelled.
[[nodiscard]] inline internal::SleepAwaiter sleep(double seconds) {
  return internal::SleepAwaiter(internal::seconds_to_ns(seconds, "aio::sleep"));
}
// Sleeps until the loop's time() reaches `when`.
inline internal::SleepAwaiter sleep_until(TimePoint when) {
  return internal::SleepAwaiter(when.time_since_epoch().count(), true);
}

}  // namespace aio

#endif  // AIO_LOOP_SLEEP_H_
