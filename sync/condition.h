// aio::Condition (asyncio.Condition): tasks wait, under a Lock, until another
// task notifies them.
//
//   aio::Condition cond;                    // or Condition(lock): share one
//   {
//     auto held = co_await cond.acquire();  // PermitGuard on the lock
//     co_await cond.wait_for([&] { return !items.empty(); });
//     ...                                   // the lock is held again here
//   }
//   // elsewhere, holding the lock: cond.notify();  or  cond.notify_all();
//
// wait() must be called with the lock held (std::logic_error otherwise). It
// releases the lock, waits for a notify, and re-acquires the lock before it
// returns or throws, even when the task is cancelled. notify(n) wakes the n
// longest-waiting tasks (FIFO).
//
// Cancellation: a task cancelled while waiting raises CancelledError with the
// lock held again. One cancelled after a notify chose it passes that
// notification to the next waiter, so no notification is lost.
//
// Threads and loops: as for every //sync primitive, one loop's thread; binds
// to the first loop that uses it (std::logic_error from another loop); waiters
// resume on that loop. A Condition must outlive its waiters (destroying it
// wakes them with std::logic_error), and a shared Lock must outlive it.
#ifndef AIO_SYNC_CONDITION_H_
#define AIO_SYNC_CONDITION_H_

#include <coroutine>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "loop/coro.h"
#include "loop/park.h"
#include "sync/internal/loop_binding.h"
#include "sync/lock.h"
#include "sync/permit_guard.h"

namespace aio {

class Condition {
 public:
  // A condition with its own Lock.
  Condition();
  // A condition on `lock`, shared with other conditions or code.
  explicit Condition(Lock& lock);
  ~Condition();
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // Acquires the underlying lock: `auto held = co_await cond.acquire();`
  [[nodiscard]] internal::SemaphoreCore::AcquireAwaiter acquire() {
    return lock_->acquire();
  }
  void release() { lock_->release(); }
  bool locked() const { return lock_->locked(); }
  Lock& lock() const { return *lock_; }

  // Releases the lock, waits to be notified, re-acquires the lock.
  Coro<void> wait();
  // Waits until `pred()` is true (checked first, then after each wake-up);
  // returns its final value. The lock must be held.
  template <typename Predicate>
  Coro<bool> wait_for(Predicate pred) {
    bool result = static_cast<bool>(pred());
    while (!result) {
      co_await wait();
      result = static_cast<bool>(pred());
    }
    co_return result;
  }

  // Wakes up to `n` waiters. The lock must be held (std::logic_error).
  void notify(size_t n = 1);
  // asyncio's rule for a signed count: zero or negative wakes nobody.
  template <typename I>
  requires std::is_integral_v<I> && std::is_signed_v<I>
  void notify(I n) { notify(n > 0 ? static_cast<size_t>(n) : size_t{0}); }
  void notify_all();
  size_t waiting() const { return waiters_.size(); }

 private:
  class NotifyAwaiter;
  void check_held(const char* what);
  void wake_waiters(size_t n);

  std::unique_ptr<Lock> own_lock_;
  Lock* lock_;
  internal::WaitList waiters_;
  internal::WaitList granted_;  // notified, not yet resumed
  internal::LoopBinding binding_;
};

}  // namespace aio

#endif  // AIO_SYNC_CONDITION_H_
