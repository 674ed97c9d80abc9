// aio::Semaphore and aio::BoundedSemaphore (asyncio.Semaphore /
// asyncio.BoundedSemaphore): a counter of permits that tasks acquire and
// release.
//
//   aio::Semaphore sem(3);                  // at most 3 at a time
//   auto permit = co_await sem.acquire();   // a PermitGuard (permit_guard.h)
//
// Fairness: waiters get permits in the order they called acquire(); a release
// hands its permit directly to the first waiter, so no later acquire() can
// barge in ahead of it.
//
// Cancellation: a task cancelled while waiting leaves the queue and takes no
// permit; a task cancelled after a permit was handed to it but before it ran
// passes that permit to the next waiter, then raises CancelledError. Either
// way no permit is lost.
//
// Threads and loops: use a semaphore from one loop's thread. It may be
// created outside any loop (e.g. at namespace scope); it binds to the first
// loop that uses it, and use from another loop throws std::logic_error (see
// sync/internal/loop_binding.h). Waiters are resumed on that loop, through its
// run queue, in FIFO order. Destroying a semaphore that tasks still wait on
// wakes them with std::logic_error; it must outlive its PermitGuards.
#ifndef AIO_SYNC_SEMAPHORE_H_
#define AIO_SYNC_SEMAPHORE_H_

#include <cstddef>
#include <cstdint>

#include "sync/internal/semaphore_core.h"
#include "sync/permit_guard.h"

namespace aio {

class Semaphore {
 public:
  // `value` permits; std::invalid_argument if negative.
  explicit Semaphore(int64_t value = 1)
      : core_(value, internal::SemaphoreCore::Kind::kSemaphore) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // `auto permit = co_await sem.acquire();` Waits for a permit; raises
  // CancelledError if the task is cancelled while waiting.
  [[nodiscard]] internal::SemaphoreCore::AcquireAwaiter acquire() {
    return core_.acquire();
  }
  // Returns a permit (wakes the first waiter). For code that detached its
  // guard; BoundedSemaphore throws std::logic_error on over-release.
  void release() { core_.release(); }
  // True when acquire() would wait.
  bool locked() const { return core_.locked(); }
  // Free permits now.
  int64_t value() const { return core_.value(); }
  // Tasks waiting now.
  size_t waiting() const { return core_.waiting(); }

 protected:
  Semaphore(int64_t value, internal::SemaphoreCore::Kind kind)
      : core_(value, kind) {}

 private:
  internal::SemaphoreCore core_;
};

// A Semaphore that refuses to be released more times than it was acquired:
// release() then throws std::logic_error (asyncio raises ValueError). Permits
// already handed to woken waiters that have not run yet count as released.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(int64_t value = 1)
      : Semaphore(value, internal::SemaphoreCore::Kind::kBoundedSemaphore) {}
};

}  // namespace aio

#endif  // AIO_SYNC_SEMAPHORE_H_
