#include "sync/event.h"

#include <stdexcept>

namespace aio {

// ListWaiter::Outcome (what a parked waiter was woken with) is always
// written qualified: aio::Outcome<T> is gather_settled's result.
using internal::ListWaiter;

Event::~Event() {
  internal::wake_all(waiters_, ListWaiter::Outcome::kAbandoned);
}

void Event::set() {
  binding_.check("aio::Event", waiters_.empty());
  if (set_) return;
  set_ = true;
  internal::wake_all(waiters_, ListWaiter::Outcome::kGranted);
}

void Event::clear() {
  binding_.check("aio::Event", waiters_.empty());
  set_ = false;
}

bool Event::WaitAwaiter::await_ready() {
  ev_->binding_.check("aio::Event", ev_->waiters_.empty());
  if (!ev_->set_) return false;
  outcome = ListWaiter::Outcome::kTaken;  // await_resume: set already
  return true;
}

bool Event::WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  return internal::park(this, ev_->waiters_, h, "aio::Event::wait");
}

void Event::WaitAwaiter::await_resume() {
  if (outcome == ListWaiter::Outcome::kTaken) return;
  if (outcome == ListWaiter::Outcome::kAbandoned) {
    throw std::logic_error(
        "aio::Event destroyed while a task was waiting on it");
  }
  // Woken by set(), or cancelled: a pending cancellation wins either way.
  task->throw_if_must_cancel();
  if (outcome != ListWaiter::Outcome::kGranted) {
    throw std::logic_error(
        "aio::Event::wait: resumed before the event was set");
  }
  outcome = ListWaiter::Outcome::kTaken;
}

}  // namespace aio
