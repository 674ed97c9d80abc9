#include "sync/event.h"

#include <stdexcept>

namespace aio {

using internal::ListWaiter;
using Outcome = ListWaiter::Outcome;

Event::~Event() { internal::wake_all(waiters_, Outcome::kAbandoned); }

void Event::set() {
  binding_.check("aio::Event", waiters_.empty());
  if (set_) return;
  set_ = true;
  internal::wake_all(waiters_, Outcome::kGranted);
}

void Event::clear() {
  binding_.check("aio::Event", waiters_.empty());
  set_ = false;
}

bool Event::WaitAwaiter::await_ready() {
  ev_->binding_.check("aio::Event", ev_->waiters_.empty());
  if (!ev_->set_) return false;
  outcome = Outcome::kTaken;  // await_resume: set already
  return true;
}

bool Event::WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  return internal::park(this, ev_->waiters_, h, "aio::Event::wait");
}

void Event::WaitAwaiter::await_resume() {
  if (outcome == Outcome::kTaken) return;
  if (outcome == Outcome::kAbandoned) {
    throw std::logic_error(
        "aio::Event destroyed while a task was waiting on it");
  }
  // Woken by set(), or cancelled: a pending cancellation wins either way.
  task->throw_if_must_cancel();
  if (outcome != Outcome::kGranted) {
    throw std::logic_error(
        "aio::Event::wait: resumed before the event was set");
  }
  outcome = Outcome::kTaken;
}

}  // namespace aio
