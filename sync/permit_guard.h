// aio::PermitGuard: one permit of a Semaphore, BoundedSemaphore or Lock, held
// for the guard's lifetime. The C++ form of `async with sem:`:
//
//   {
//     auto permit = co_await sem.acquire();   // waits in FIFO order
//     ...                                     // at most N tasks here
//   }                                         // released (next waiter woken)
//
// Move-only. Destroy or release() it on the loop thread of its primitive; the
// primitive must outlive the guard. detach() gives up ownership without
// releasing, for code that calls the primitive's release() itself later.
#ifndef AIO_SYNC_PERMIT_GUARD_H_
#define AIO_SYNC_PERMIT_GUARD_H_

#include <type_traits>
#include <utility>

#include "sync/internal/semaphore_core.h"

namespace aio {

class [[nodiscard]] PermitGuard {
 public:
  PermitGuard() = default;
  explicit PermitGuard(internal::SemaphoreCore* core) noexcept : core_(core) {}
  PermitGuard(PermitGuard&& o) noexcept
      : core_(std::exchange(o.core_, nullptr)) {}
  PermitGuard& operator=(PermitGuard&& o) noexcept {
    if (this != &o) {
      release();
      core_ = std::exchange(o.core_, nullptr);
    }
    return *this;
  }
  PermitGuard(const PermitGuard&) = delete;
  PermitGuard& operator=(const PermitGuard&) = delete;
  ~PermitGuard() { release(); }

  // Releases the permit now (idempotent).
  void release() noexcept {
    if (core_) std::exchange(core_, nullptr)->release_held();
  }
  // Keeps the permit acquired but stops owning it.
  void detach() noexcept { core_ = nullptr; }
  bool owns_permit() const noexcept { return core_ != nullptr; }
  explicit operator bool() const noexcept { return owns_permit(); }

 private:
  internal::SemaphoreCore* core_ = nullptr;
};

static_assert(std::is_nothrow_move_constructible_v<PermitGuard>);
static_assert(sizeof(PermitGuard) == sizeof(void*));

}  // namespace aio

#endif  // AIO_SYNC_PERMIT_GUARD_H_
