#include "executor/wrap_future.h"

#include <stdexcept>
#include <string>

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
  FutureBase* task = parked_;
  if (task == nullptr) return;
  parked_ = nullptr;
  waiting_.store(false, std::memory_order_relaxed);
  task->loop()->end_external_wait();
  task->loop()->wake_parked(task);
}

bool LoopLink::park(std::coroutine_handle<> h, ConcurrentFutureStateBase* cf) {
  FutureBase* task =
      require_task("co_await on aio::wrap_future / run_in_executor");
  if (task->loop() != loop_) {
    throw std::logic_error("aio::WrappedFuture belongs to event loop " +
                           loop_->name() + " but is awaited from " +
                           task->loop()->name());
  }
  awaiter_ = task;
  if (task->must_cancel()) return false;
  waiting_.store(true, std::memory_order_seq_cst);
  if (cf->done()) {  // completed since await_ready: do not park
    waiting_.store(false, std::memory_order_relaxed);
    return false;
  }
  parked_ = task;
  cf_ = cf;
  task->loop()->begin_external_wait();
  task->resume_point = h;
  task->awaiting = this;
  return true;
}

void LoopLink::resumed() {
  FutureBase* task = awaiter_;
  awaiter_ = nullptr;
  if (task) task->throw_if_must_cancel();
}

bool LoopLink::on_cancel(CancelHook* hook) {
  auto* self = static_cast<LoopLink*>(hook);
  FutureBase* task = self->parked_;
  self->parked_ = nullptr;
  self->waiting_.store(false, std::memory_order_relaxed);
  task->loop()->end_external_wait();
  task->loop()->wake_parked(task);
  // Work that has not started is not worth running any more.
  self->cf_->cancel();
  return false;
}

void LoopLink::detach() {
  {
    MutexLock l(&mu_);
    target_ = nullptr;
  }
  if (parked_ != nullptr) {
    if (parked_->awaiting == this) parked_->awaiting = nullptr;
    if (loop_alive(parked_->loop())) parked_->loop()->end_external_wait();
    parked_ = nullptr;
    waiting_.store(false, std::memory_order_relaxed);
  }
}

}  // namespace aio::internal
