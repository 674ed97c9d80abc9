#include "sync/internal/semaphore_core.h"

#include <limits>
#include <stdexcept>
#include <string>

#include "loop/errors.h"
#include "sync/permit_guard.h"

namespace aio::internal {


SemaphoreCore::SemaphoreCore(int64_t value, Kind kind)
    : value_(value), bound_(value), kind_(kind) {
  if (value < 0) {
    throw std::invalid_argument(std::string(name()) +
                                ": initial value must be >= 0, got " +
                                std::to_string(value));
  }
  if (kind == Kind::kSemaphore) bound_ = std::numeric_limits<int64_t>::max();
}

SemaphoreCore::~SemaphoreCore() { abandon(waiters_, granted_); }

const char* SemaphoreCore::name() const {
  switch (kind_) {
    case Kind::kSemaphore:
      return "aio::Semaphore";
    case Kind::kBoundedSemaphore:
      return "aio::BoundedSemaphore";
    case Kind::kLock:
      return "aio::Lock";
  }
  return "aio::Semaphore";
}

void SemaphoreCore::release() {
  binding_.check(name(), idle());
  // A permit handed to a woken waiter that has not run yet is no longer held
  // by anyone who could release it: count it as free, or a second release
  // would hand out a permit that does not exist (two holders of a Lock).
  const auto pending = static_cast<int64_t>(granted_.size());
  if (value_ >= bound_ - pending) {
    switch (kind_) {
      case Kind::kLock:
        throw std::logic_error("aio::Lock::release: the lock is not acquired");
      case Kind::kBoundedSemaphore:
        throw std::logic_error(
            "aio::BoundedSemaphore released too many times (value would exceed "
            "the initial " +
            std::to_string(bound_) + ")");
      case Kind::kSemaphore:
        throw std::logic_error(
            "aio::Semaphore released too many times (value overflow)");
    }
  }
  release_held();
}

void SemaphoreCore::release_held() noexcept {
  if (waiters_.empty()) {
    ++value_;
  } else {
    grant(waiters_.pop_front(), granted_);
  }
}

// ---- AcquireAwaiter

bool SemaphoreCore::AcquireAwaiter::await_ready() {
  core_->binding_.check(core_->name(), core_->idle());
  if (core_->value_ > 0) {
    --core_->value_;
    outcome = ListWaiter::WaitState::kTaken;  // await_resume: taken at once
    return true;
  }
  return false;
}

bool SemaphoreCore::AcquireAwaiter::await_suspend(std::coroutine_handle<> h) {
  const char* what = core_->kind_ == Kind::kLock ? "aio::Lock::acquire"
                                                 : "aio::Semaphore::acquire";
  return park(this, core_->waiters_, h, what);
}

PermitGuard SemaphoreCore::AcquireAwaiter::await_resume() {
  switch (outcome) {
    case ListWaiter::WaitState::kTaken:
      return PermitGuard(core_);
    case ListWaiter::WaitState::kGranted:
      take_grant(this);
      if (task->must_cancel()) {
        // Cancelled after release() handed us the permit: pass it on.
        core_->release_held();
        task->throw_if_must_cancel();
      }
      return PermitGuard(core_);
    case ListWaiter::WaitState::kAbandoned:
      throw std::logic_error(
          "aio::Semaphore/Lock destroyed while a task was waiting to acquire "
          "it");
    default:
      break;
  }
  // Cancelled while waiting (or before parking): nothing was taken.
  task->throw_if_must_cancel();
  throw std::logic_error("aio::Semaphore::acquire: resumed without a permit");
}

SemaphoreCore::AcquireAwaiter::~AcquireAwaiter() {
  unpark(this);
  // The frame died between being handed a permit and running: return it.
  if (outcome == ListWaiter::WaitState::kGranted) core_->release_held();
}

}  // namespace aio::internal
