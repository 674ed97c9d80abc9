// Internal: the counting semaphore behind Semaphore, BoundedSemaphore and Lock.
//
// Invariant: tasks wait only while no permit is free (waiters non-empty
// implies value_ == 0). release() hands its permit straight to the first
// waiter instead of raising the count, so a task that calls acquire() while a
// woken waiter has not run yet finds no free permit and queues behind it:
// FIFO, no barging. Permits held by tasks = bound_ - value_ - granted_.size()
// (for BoundedSemaphore and Lock); release() refuses when that is 0.
#ifndef AIO_SYNC_INTERNAL_SEMAPHORE_CORE_H_
#define AIO_SYNC_INTERNAL_SEMAPHORE_CORE_H_

#include <coroutine>
#include <cstdint>

#include "loop/park.h"
#include "sync/internal/loop_binding.h"

namespace aio {
class PermitGuard;
namespace internal {

class SemaphoreCore {
 public:
  enum class Kind : uint8_t { kSemaphore, kBoundedSemaphore, kLock };

  // Throws std::invalid_argument if `value` is negative.
  SemaphoreCore(int64_t value, Kind kind);
  // Wakes any task still waiting with std::logic_error (the primitive died
  // under it) instead of leaving it with a dangling reference.
  ~SemaphoreCore();
  SemaphoreCore(const SemaphoreCore&) = delete;
  SemaphoreCore& operator=(const SemaphoreCore&) = delete;

  class AcquireAwaiter;
  AcquireAwaiter acquire();

  // Checked release: loop binding, and over-release (std::logic_error) for
  // BoundedSemaphore and Lock, counting permits handed to woken waiters that
  // have not run yet as already released.
  void release();
  // Returns a permit that is known to be held (a guard, a cancelled waiter):
  // hands it to the first waiter or makes it free.
  void release_held() noexcept;

  bool locked() const { return value_ == 0; }
  bool idle() const { return waiters_.empty() && granted_.empty(); }
  int64_t value() const { return value_; }
  size_t waiting() const { return waiters_.size(); }
  const char* name() const;

 private:
  int64_t value_;
  int64_t bound_;  // a release that would raise value_ past this throws
  Kind kind_;
  WaitList waiters_;
  WaitList granted_;  // woken with a permit, not yet resumed
  LoopBinding binding_;
};

// What `co_await sem.acquire()` evaluates: takes a free permit at once, or
// parks the task at the back of the queue until a release hands it one.
class [[nodiscard]] SemaphoreCore::AcquireAwaiter : private ListWaiter {
 public:
  explicit AcquireAwaiter(SemaphoreCore* core) : core_(core) {}
  AcquireAwaiter(AcquireAwaiter&&) = default;  // until awaited (loop/park.h)
  AcquireAwaiter& operator=(const AcquireAwaiter&) = delete;
  ~AcquireAwaiter();

  bool await_ready();
  bool await_suspend(std::coroutine_handle<> h);
  PermitGuard await_resume();

 private:
  SemaphoreCore* core_;
};

inline SemaphoreCore::AcquireAwaiter SemaphoreCore::acquire() {
  return AcquireAwaiter(this);
}

}  // namespace internal
}  // namespace aio

#endif  // AIO_SYNC_INTERNAL_SEMAPHORE_CORE_H_
