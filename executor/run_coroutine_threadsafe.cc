#include "executor/run_coroutine_threadsafe.h"

namespace aio::internal {

void CoroLink::request_cancel() {
  MutexLock l(&mu_);
  if (target_ == nullptr) return;
  try {
    target_->call_soon_threadsafe([self = shared_from_this()] {
      if (self->task_ != nullptr) self->task_->cancel();
    });
  } catch (const std::logic_error&) {
    // The loop is closed; the task can no longer run.
  }
}

void CoroLink::detach() {
  task_ = nullptr;
  MutexLock l(&mu_);
  target_ = nullptr;
}

}  // namespace aio::internal
