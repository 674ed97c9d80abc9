#include "sync/event.h"

#include <stdexcept>

namespace aio {

using internal::ListWaiter;

Event::~Event() {
  internal::wake_all(waiters_, ListWaiter::WaitState::kAbandoned);
}

void Event::set() {
  binding_.check("aio::Event", waiters_.empty());
  if (set_) return;
  set_ = true;
  internal::wake_all(waiters_, ListWaiter::WaitState::kGranted);
}

void Event::clear() {
  binding_.check("aio::Event", waiters_.empty());
  set_ = false;
}

bool Event::WaitAwaiter::await_ready() {
  ev_->binding_.check("aio::Event", ev_->waiters_.empty());
  if (!ev_->set_) return false;
  outcome = ListWaiter::WaitState::kTaken;  // await_resume: set already
  return true;
}

bool Event::WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  return internal::park(this, ev_->waiters_, h, "aio::Event::wait");
}

void Event::WaitAwaiter::await_resume() {
  if (outcome == ListWaiter::WaitState::kTaken) return;
  if (outcome == ListWaiter::WaitState::kAbandoned) {
    throw std::logic_error(
        "aio::Event destroyed while a task was waiting on it");
  }
  // Woken by set(), or cancelled: a pending cancellation wins either way.
  task->throw_if_must_cancel();
  if (outcome != ListWaiter::WaitState::kGranted) {
    throw std::logic_error(
        "aio::Event::wait: resumed before the event was set");
  }
  outcome = ListWaiter::WaitState::kTaken;
}

}  // namespace aio
