#include "sync/condition.h"

#include <exception>
#include <stdexcept>
#include <string>

#include "loop/errors.h"

namespace aio {

using internal::ListWaiter;

// Parks the task until a notify picks it.
class Condition::NotifyAwaiter : private ListWaiter {
 public:
  explicit NotifyAwaiter(Condition* cond) : cond_(cond) {}
  NotifyAwaiter(const NotifyAwaiter&) = delete;
  NotifyAwaiter& operator=(const NotifyAwaiter&) = delete;
  ~NotifyAwaiter() {
    internal::unpark(this);
    // The frame died after a notify picked it: pass the notification on.
    if (outcome == ListWaiter::WaitState::kGranted) cond_->wake_waiters(1);
  }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    return internal::park(this, cond_->waiters_, h, "aio::Condition::wait");
  }
  void await_resume() {
    if (outcome == ListWaiter::WaitState::kAbandoned) {
      throw std::logic_error(
          "aio::Condition destroyed while a task was waiting on it");
    }
    if (outcome == ListWaiter::WaitState::kGranted) {
      internal::take_grant(this);
      if (task->must_cancel()) cond_->wake_waiters(1);
    }
    task->throw_if_must_cancel();
    if (outcome != ListWaiter::WaitState::kTaken) {
      throw std::logic_error("aio::Condition::wait: resumed without a notify");
    }
  }
  bool abandoned() const { return outcome == ListWaiter::WaitState::kAbandoned; }

 private:
  Condition* cond_;
};

Condition::Condition()
    : own_lock_(std::make_unique<Lock>()), lock_(own_lock_.get()) {}

Condition::Condition(Lock& lock) : lock_(&lock) {}

Condition::~Condition() { internal::abandon(waiters_, granted_); }

void Condition::check_held(const char* what) {
  binding_.check("aio::Condition", waiters_.empty() && granted_.empty());
  if (!lock_->locked()) {
    throw std::logic_error(std::string(what) + ": the lock is not acquired");
  }
}

void Condition::wake_waiters(size_t n) {
  while (n-- > 0 && !waiters_.empty()) {
    internal::grant(waiters_.pop_front(), granted_);
  }
}

void Condition::notify(size_t n) {
  check_held("aio::Condition::notify");
  wake_waiters(n);
}

void Condition::notify_all() {
  check_held("aio::Condition::notify_all");
  wake_waiters(waiters_.size());
}

Coro<void> Condition::wait() {
  check_held("aio::Condition::wait");
  lock_->core_.release_held();
  std::exception_ptr error;
  bool notified = false;
  {
    NotifyAwaiter notify(this);
    try {
      co_await notify;
      notified = true;
    } catch (...) {
      if (notify.abandoned()) throw;  // `this` is gone: touch nothing
      error = std::current_exception();
    }
  }
  // Re-acquire the lock even if cancelled meanwhile: the caller's guard still
  // believes it holds the lock.
  for (;;) {
    try {
      PermitGuard held = co_await lock_->acquire();
      held.detach();
      break;
    } catch (const CancelledError&) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) {
    // Notified, then cancelled while re-acquiring: let someone else have it.
    if (notified) wake_waiters(1);
    std::rethrow_exception(error);
  }
}

}  // namespace aio
