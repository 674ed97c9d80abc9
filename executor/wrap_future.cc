#include "executor/wrap_future.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace aio::internal {

void LoopLink::notify(const std::shared_ptr<LoopLink>& self) {
  if (!self->waiting_.load(std::memory_order_seq_cst)) return;  // see waiting_
  MutexLock l(&self->mu_);
  if (self->target_ == nullptr) return;  // nobody awaits any more
  try {
    self->target_->call_soon_threadsafe([self] { self->on_complete(); });
  } catch (const std::logic_error&) {
    // The loop is closed: its tasks will never run again.
  }
}

void LoopLink::on_complete() {
  if (!parked()) return;  // cancelled meanwhile: woken already
  stop_waiting();
  wake();
}

void LoopLink::stop_waiting() {
  waiting_.store(false, std::memory_order_relaxed);
  task->loop()->end_external_wait(soon_);
}

bool LoopLink::park(std::coroutine_handle<> h, ConcurrentFutureStateBase* cf) {
  FutureBase* current =
      require_task("co_await on aio::wrap_future / run_in_executor");
  if (current->loop() != loop_) {
    throw std::logic_error("aio::WrappedFuture belongs to event loop " +
                           loop_->name() + " but is awaited from " +
                           current->loop()->name());
  }
  if (!prepare("co_await on aio::wrap_future / run_in_executor")) return false;
  waiting_.store(true, std::memory_order_seq_cst);
  if (cf->done()) {  // completed since await_ready: do not park
    waiting_.store(false, std::memory_order_relaxed);
    return false;
  }
  cf_ = cf;
  task->loop()->begin_external_wait(soon_);
  suspend_at(h);
  return true;
}

void LoopLink::resumed() {
  // A WrappedFuture may be awaited again (done by then): forget this task.
  FutureBase* t = std::exchange(task, nullptr);
  if (t) t->throw_if_must_cancel();
}

bool LoopLink::on_cancel(CancelHook* hook, Op op, std::string&) {
  auto* self = static_cast<LoopLink*>(hook);
  self->stop_waiting();
  if (op == kDetach) {
    // The loop is closing: the completing thread must not post to it.
    MutexLock l(&self->mu_);
    self->target_ = nullptr;
    return false;
  }
  self->wake();
  // Work that has not started is not worth running any more.
  self->cf_->cancel();
  return false;
}

void LoopLink::detach() {
  {
    MutexLock l(&mu_);
    target_ = nullptr;
  }
  if (parked()) {
    forget();
    stop_waiting();
  }
  // The last reference may go on the completing thread: leave nothing there
  // that points at the task.
  task = nullptr;
}

}  // namespace aio::internal
