// aio::Lock (asyncio.Lock): mutual exclusion between tasks of one loop.
//
//   aio::Lock lock;
//   {
//     auto held = co_await lock.acquire();   // PermitGuard
//     ...                                    // one task at a time
//   }
//
// A Lock is a semaphore with one permit and shares its guarantees (see
// semaphore.h): FIFO hand-off with no barging, cancellation loses no
// ownership, binds to the first loop that uses it, waiters resume on that
// loop. It is not owned by a task: any task may release it, and release() of
// an unlocked Lock throws std::logic_error (asyncio's RuntimeError); a Lock
// that a release() has just handed to a waiter that has not run yet counts as
// released, so a second release() throws too and never lets two tasks hold
// it. It is not reentrant: a task that acquires it twice waits for itself
// forever.
#ifndef AIO_SYNC_LOCK_H_
#define AIO_SYNC_LOCK_H_

#include <cstddef>

#include "sync/internal/semaphore_core.h"
#include "sync/permit_guard.h"

namespace aio {

class Condition;

class Lock {
 public:
  Lock() : core_(1, internal::SemaphoreCore::Kind::kLock) {}
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  [[nodiscard]] internal::SemaphoreCore::AcquireAwaiter acquire() {
    return core_.acquire();
  }
  // Unlocks (hands the lock to the first waiter). std::logic_error if unlocked.
  void release() { core_.release(); }
  bool locked() const { return core_.locked(); }
  size_t waiting() const { return core_.waiting(); }

 private:
  friend class Condition;
  internal::SemaphoreCore core_;
};

}  // namespace aio

#endif  // AIO_SYNC_LOCK_H_
