// aio::sleep: suspend the current task for a duration (asyncio.sleep).
//
// sleep(0) yields: the task goes to the back of the run queue, so every other
// ready task runs first. A cancelled sleep removes its timer at once. Under
// virtual time, sleeps complete as soon as nothing else is ready.
#ifndef AIO_LOOP_SLEEP_H_
#define AIO_LOOP_SLEEP_H_

#include <chrono>
#include <coroutine>

#include "loop/clock.h"
#include "loop/event_loop.h"
#include "loop/internal/future_base.h"
#include "loop/internal/timer_heap.h"

namespace aio {
namespace internal {

class SleepAwaiter : private TimerNode, private CancelHook {
 public:
  // Until the task suspends, `when` holds the delay (or, if absolute, the
  // deadline): sleeps are many, and every byte of the awaiter is frame size.
  // owner_bits is 1 for an absolute deadline.
  explicit SleepAwaiter(int64_t delay_ns, bool absolute = false)
  {
    when = delay_ns;
    owner_bits = absolute ? 1 : 0;
  }
  SleepAwaiter(const SleepAwaiter&) = delete;
  ~SleepAwaiter() {
    if (queued()) task_->loop()->remove_timer(this);
    if (task_ && task_->awaiting == static_cast<CancelHook*>(this))
      task_->awaiting = nullptr;
  }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    task_ = require_task("aio::sleep");
    if (task_->must_cancel()) return false;
    task_->resume_point = h;
    EventLoop* loop = task_->loop();
    if (!owner_bits && when <= 0) {
      loop->schedule_task(task_);  // yield
      return true;
    }
    if (!owner_bits) when += loop->now_ns();
    fire = [](TimerNode* t) {
      auto* self = static_cast<SleepAwaiter*>(t);
      self->task_->loop()->wake_parked(self->task_);
    };
    cancel = [](CancelHook* c) {
      auto* self = static_cast<SleepAwaiter*>(c);
      self->task_->loop()->remove_timer(self);
      self->task_->loop()->wake_parked(self->task_);
      return false;
    };
    loop->add_timer(this);
    task_->awaiting = this;
    return true;
  }
  void await_resume() { task_->throw_if_must_cancel(); }

 private:
  FutureBase* task_ = nullptr;
};

}  // namespace internal

template <typename Rep, typename Period>
internal::SleepAwaiter sleep(std::chrono::duration<Rep, Period> d) {
  return internal::SleepAwaiter(
      std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}
// asyncio-style seconds: sleep(0) yields, sleep(0.5) sleeps half a second.
inline internal::SleepAwaiter sleep(double seconds) {
  return internal::SleepAwaiter(static_cast<int64_t>(seconds * 1e9));
}
// Sleeps until the loop's time() reaches `when`.
inline internal::SleepAwaiter sleep_until(TimePoint when) {
  return internal::SleepAwaiter(when.time_since_epoch().count(), true);
}

}  // namespace aio

#endif  // AIO_LOOP_SLEEP_H_
