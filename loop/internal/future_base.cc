#include "loop/internal/future_base.h"

#include <mutex>
#include <unordered_map>

#include "loop/errors.h"
#include "loop/event_loop.h"

namespace aio::internal {
namespace {

// Custom task names live outside the task state (most tasks keep the default
// "Task-<id>", and every byte of task state costs memory per task).
std::mutex& names_mu() {
  static std::mutex mu;
  return mu;
}
std::unordered_map<const FutureBase*, std::string>& names() {
  static auto* m = new std::unordered_map<const FutureBase*, std::string>;
  return *m;
}
}  // namespace

void no_task_error(const char* what) {
  throw std::logic_error(std::string(what) +
                         " must run inside a task (use aio::run, "
                         "run_until_complete or create_task)");
}

FutureBase::~FutureBase() {
  if (state_ == State::kException && !(flags_ & kRetrieved))
    report_unretrieved();
  if (flags_ & kHasName) {
    std::lock_guard<std::mutex> lock(names_mu());
    names().erase(this);
  }
}

void FutureBase::destroy_state() noexcept {
  if (flags_ & kIsCoro) {
    std::coroutine_handle<>::from_address(reinterpret_cast<char*>(this) -
                                          kPromiseOffset)
        .destroy();
  } else {
    deleter_(this);
  }
}

void FutureBase::report_unretrieved() {
  ExceptionContext ctx;
  ctx.message = is_task() ? "Task exception was never retrieved"
                          : "Future exception was never retrieved";
  ctx.exception = exc_;
  if (is_task()) ctx.task_name = name();
  if (loop_ && loop_alive(loop_)) {
    loop_->call_exception_handler(ctx);
  } else {
    std::fprintf(
        stderr, "aio: %s\n%s%s\n", ctx.message.c_str(),
        ctx.task_name.empty() ? "" : ("task: " + ctx.task_name + "\n").c_str(),
        describe_exception(exc_).c_str());
  }
}

void FutureBase::bind_loop_slow(EventLoop* loop, const char* what) {
  if (loop_ == nullptr) {
    loop_ = loop;
  } else if (loop_ != loop) {
    throw std::logic_error(
        std::string(what) + " " +
        (is_task() ? "Task " + name() : std::string("Future")) +
        " is attached to a different loop: it belongs to " +
        (loop_alive(loop_) ? loop_->name() : std::string("a destroyed loop")) +
        ", but is used from " + loop->name());
  }
}

void FutureBase::settable_error(const char* op) const {
  if (is_task()) {
    throw std::logic_error(std::string("Task does not support ") + op);
  }
  throw InvalidStateError(std::string(op) + ": the future is already done");
}

void FutureBase::add_waiter(Waiter* w) {
  if (!waiters_) {
    w->next = w->prev = w;
    waiters_ = w;
  } else {
    Waiter* tail = waiters_->prev;
    tail->next = w;
    w->prev = tail;
    w->next = waiters_;
    waiters_->prev = w;
  }
}

void FutureBase::remove_waiter(Waiter* w) {
  if (!w->linked()) return;
  if (w->next == w) {
    waiters_ = nullptr;
  } else {
    w->prev->next = w->next;
    w->next->prev = w->prev;
    if (waiters_ == w) waiters_ = w->next;
  }
  w->next = w->prev = nullptr;
}

void FutureBase::fire_waiters() {
  if (!waiters_) return;
  add_ref();
  while (waiters_) {
    Waiter* w = waiters_;
    remove_waiter(w);
    w->on_done(w, this);
  }
  release();
}

void FutureBase::finish_with_result() {
  state_ = State::kResult;
  fire_waiters();
}

void FutureBase::set_exception(std::exception_ptr e) {
  check_settable("set_exception()");
  if (!e) throw std::invalid_argument("set_exception: null exception_ptr");
  exc_ = std::move(e);
  state_ = State::kException;
  fire_waiters();
}

bool FutureBase::cancel(std::string msg) {
  if (done()) return false;
  if (is_task()) {
    ++cancelling_;
    if (awaiting) {
      CancelHook* h = awaiting;
      if (h->cancel(h, CancelHook::kCancel, msg)) return true;
    }
    flags_ |= kMustCancel;
    if (!msg.empty())
      exc_ = std::make_exception_ptr(CancelledError(std::move(msg)));
    return true;
  }
  exc_ = std::make_exception_ptr(CancelledError(std::move(msg)));
  state_ = State::kCancelled;
  fire_waiters();
  return true;
}

int FutureBase::uncancel() {
  if (cancelling_ > 0) --cancelling_;
  // No request left: drop one that was never delivered (Python 3.13).
  if (cancelling_ == 0 && (flags_ & kMustCancel)) {
    flags_ &= ~kMustCancel;
    exc_ = nullptr;
  }
  return cancelling_;
}

void FutureBase::throw_if_must_cancel() {
  if (!(flags_ & kMustCancel)) return;
  flags_ &= ~kMustCancel;
  std::exception_ptr e = std::move(exc_);
  exc_ = nullptr;
  if (e) std::rethrow_exception(e);
  throw CancelledError();
}

void FutureBase::rethrow_slow() {
  switch (state_) {
    case State::kPending:
    case State::kResult:  // not reached: the inline check returns first
      throw InvalidStateError("Result is not set.");
    case State::kException:
      flags_ |= kRetrieved;
      std::rethrow_exception(exc_);
    case State::kCancelled:
      std::rethrow_exception(exc_);
  }
  std::abort();
}

std::exception_ptr FutureBase::exception() {
  if (state_ == State::kPending)
    throw InvalidStateError("Exception is not set.");
  if (state_ == State::kCancelled) std::rethrow_exception(exc_);
  flags_ |= kRetrieved;
  return state_ == State::kException ? exc_ : nullptr;
}

std::string FutureBase::name() const {
  if (flags_ & kHasName) {
    std::lock_guard<std::mutex> lock(names_mu());
    return names()[this];
  }
  return "Task-" + std::to_string(id_);
}

void FutureBase::set_name(std::string name) {
  std::lock_guard<std::mutex> lock(names_mu());
  names()[this] = std::move(name);
  flags_ |= kHasName;
}

void FutureBase::init_task(EventLoop* loop, uint32_t id) {
  loop_ = loop;
  flags_ |= kIsTask;
  id_ = id;
  refs_ = 1;  // the loop's reference, dropped when the task finishes
}

void FutureBase::step(FutureBase* task) {
  FutureBase* prev = t_current_task;
  t_current_task = task;
  if (!(task->flags_ & kStarted)) {
    task->flags_ |= kStarted;
    if (task->flags_ & kMustCancel) {
      // Cancelled before it ran: the body never starts (as in asyncio).
      task->flags_ &= ~kMustCancel;
      std::exception_ptr e =
          task->exc_ ? task->exc_ : std::make_exception_ptr(CancelledError());
      task->exc_ = nullptr;
      task->finish_task(e);
      t_current_task = prev;
      return;
    }
  }
  t_transfer_depth = 0;
  task->resume_point.resume();
  while (t_bounce) {  // see transfer_to()
    std::coroutine_handle<> h = std::exchange(t_bounce, nullptr);
    t_transfer_depth = 0;
    h.resume();
  }
  t_current_task = prev;
}

void FutureBase::finish_task(std::exception_ptr exc) {
  if (loop_ && live_index != UINT32_MAX) loop_->unregister_task(this);
  awaiting = nullptr;
  if (!exc && (flags_ & kMustCancel)) {
    // Cancelled right before the body returned: as asyncio's task step does
    // at StopIteration, the task ends cancelled (with the request's message)
    // and the value is dropped.
    exc = exc_ ? exc_ : std::make_exception_ptr(CancelledError());
  }
  flags_ &= ~kMustCancel;
  if (exc) {
    bool is_cancel = false;
    try {
      std::rethrow_exception(exc);
    } catch (const CancelledError&) {
      is_cancel = true;
    } catch (...) {
    }
    state_ = is_cancel ? State::kCancelled : State::kException;
    exc_ = std::move(exc);
  } else {
    exc_ = nullptr;
    state_ = State::kResult;
  }
  fire_waiters();
  release();  // the loop's reference; may destroy the frame
}

}  // namespace aio::internal
