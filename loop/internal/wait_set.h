// Internal: WaitSet, the one mechanism behind gather, wait, wait_for,
// as_completed and TaskGroup. It watches N futures of the current loop,
// records the order in which they complete, and parks the current task until
// a condition holds: at least `target` are done, or (optionally) one has
// failed, or a deadline passes.
#ifndef AIO_LOOP_INTERNAL_WAIT_SET_H_
#define AIO_LOOP_INTERNAL_WAIT_SET_H_

#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "loop/event_loop.h"
#include "loop/internal/future_base.h"
#include "loop/internal/timer_heap.h"
#include "loop/park.h"

namespace aio::internal {

class WaitSet : private TimerNode, private ParkedTask {
 public:
  enum StopOn : uint8_t {
    kStopOnNothing = 0,
    kStopOnException = 1,  // a future ended with an exception
    kStopOnCancelled = 2,  // a future was cancelled
  };

  // Takes a reference to each future. All must belong to `loop` (or be
  // unbound; they are bound to it); std::logic_error otherwise.
  WaitSet(EventLoop* loop, std::vector<FutureBase*> futs)
      : loop_(loop), futs_(std::move(futs)) {
    nodes_ = std::make_unique<Node[]>(futs_.size());
    for (size_t i = 0; i < futs_.size(); ++i) futs_[i]->add_ref();
    try {
      for (size_t i = 0; i < futs_.size(); ++i)
        futs_[i]->bind_loop(loop, "wait:");
    } catch (...) {
      for (auto* f : futs_) f->release();
      throw;
    }
    for (size_t i = 0; i < futs_.size(); ++i) {
      Node& n = nodes_[i];
      n.set = this;
      n.index = static_cast<uint32_t>(i);
      if (futs_[i]->done()) {
        note_done(static_cast<uint32_t>(i));
      } else {
        n.on_done = [](Waiter* w, FutureBase*) {
          auto* node = static_cast<Node*>(w);
          node->set->note_done(node->index);
        };
        futs_[i]->add_waiter(&n);
      }
    }
  }
  WaitSet(const WaitSet&) = delete;
  ~WaitSet() {
    if (queued()) loop_->remove_timer(this);
    for (size_t i = 0; i < futs_.size(); ++i) {
      futs_[i]->remove_waiter(&nodes_[i]);
      futs_[i]->release();
    }
  }

  size_t size() const { return futs_.size(); }
  FutureBase* future(size_t i) const { return futs_[i]; }
  // Indices of done futures, in completion order.
  const std::vector<uint32_t>& done_order() const { return order_; }
  size_t done_count() const { return order_.size(); }
  bool failed() const { return failed_; }
  // Index of the first future that met a stop condition, if any.
  std::optional<uint32_t> first_failure() const { return first_failure_; }

  class Awaiter {
   public:
    Awaiter(WaitSet* s, size_t target, uint8_t stop_on,
            std::optional<int64_t> deadline, bool cancellable)
        : s_(s),
          target_(target),
          stop_on_(stop_on),
          deadline_(deadline),
          cancellable_(cancellable) {}
    bool await_ready() const { return s_->satisfied(target_, stop_on_); }
    bool await_suspend(std::coroutine_handle<> h) { return s_->park(h, this); }
    // True if the condition holds; false if the deadline passed first.
    bool await_resume() {
      s_->waiting_ = nullptr;
      if (cancellable_) s_->deliver_cancel();
      return s_->satisfied(target_, stop_on_);
    }

   private:
    friend class WaitSet;
    WaitSet* s_;
    size_t target_;
    uint8_t stop_on_;
    std::optional<int64_t> deadline_;
    bool cancellable_;
  };

  // Parks until `target` futures are done or a stop condition holds, or the
  // deadline (loop ns) passes. A non-cancellable wait ignores task
  // cancellation (the request stays pending for the next await).
  Awaiter wait(size_t target, uint8_t stop_on = kStopOnNothing,
               std::optional<int64_t> deadline = std::nullopt,
               bool cancellable = true) {
    return Awaiter(this, target, stop_on, deadline, cancellable);
  }

  bool satisfied(size_t target, uint8_t stop_on) const {
    return order_.size() >= target || (stop_on && stop_hit(stop_on));
  }

 private:
  struct Node : Waiter {
    WaitSet* set = nullptr;
    uint32_t index = 0;
  };

  bool stop_hit(uint8_t stop_on) const {
    return ((stop_on & kStopOnException) && first_exception_) ||
           ((stop_on & kStopOnCancelled) && first_cancelled_);
  }

  void note_done(uint32_t i) {
    order_.push_back(i);
    FutureBase* f = futs_[i];
    if (f->state() == State::kException && !first_exception_)
      first_exception_ = true;
    if (f->state() == State::kCancelled && !first_cancelled_)
      first_cancelled_ = true;
    if (f->state() == State::kException || f->state() == State::kCancelled) {
      failed_ = true;
      if (!first_failure_) first_failure_ = i;
    }
    if (waiting_ && satisfied(waiting_->target_, waiting_->stop_on_)) wake();
  }

  // Unregisters the wait (timer, condition); the futures stay watched.
  void unregister() {
    if (queued()) loop_->remove_timer(this);
    waiting_ = nullptr;
  }
  void wake() {
    unregister();
    ParkedTask::wake();
  }

  bool park(std::coroutine_handle<> h, Awaiter* a) {
    FutureBase* current = require_task("waiting on tasks");
    if (current->loop() != loop_) {
      throw std::logic_error("wait: futures belong to " + loop_->name() +
                             " but the task runs on " +
                             current->loop()->name());
    }
    // A non-cancellable wait leaves a pending cancellation for the next
    // await; a cancellable one delivers it now.
    if (!prepare("waiting on tasks") && a->cancellable_) return false;
    if (a->deadline_ && *a->deadline_ <= loop_->now_ns()) return false;
    waiting_ = a;
    if (a->deadline_) {
      when = *a->deadline_;
      fire = [](TimerNode* t) { static_cast<WaitSet*>(t)->wake(); };
      loop_->add_timer(this);
    }
    cancel = a->cancellable_ ? &on_cancel : &on_cancel_ignored;
    suspend_at(h);
    return true;
  }
  static bool on_cancel(CancelHook* c, Op op, std::string&) {
    auto* self = static_cast<WaitSet*>(c);
    if (op == kDetach) {
      self->unregister();
    } else {
      self->wake();
    }
    return false;
  }
  // A non-cancellable wait stays parked; the request stays pending (the task
  // raises it at its next cancellable await).
  static bool on_cancel_ignored(CancelHook* c, Op op, std::string&) {
    if (op == kDetach) static_cast<WaitSet*>(c)->unregister();
    return false;
  }

  EventLoop* loop_;
  std::vector<FutureBase*> futs_;
  std::unique_ptr<Node[]> nodes_;
  std::vector<uint32_t> order_;
  Awaiter* waiting_ = nullptr;
  bool failed_ = false;
  bool first_exception_ = false;
  bool first_cancelled_ = false;
  std::optional<uint32_t> first_failure_;
};

}  // namespace aio::internal

#endif  // AIO_LOOP_INTERNAL_WAIT_SET_H_
