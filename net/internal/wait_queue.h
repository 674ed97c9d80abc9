// Internal: tasks parked until something happens (a write buffer drained, a
// socket closed, a transfer finished, a server closed).
//
// `co_await queue.wait()` parks the current task following loop/park.h, so a
// cancelled task leaves the queue at once and raises aio::CancelledError.
// wake_all() reschedules every parked task; a woken task re-checks its
// condition (wake-ups carry no value). Loop thread only. Destroying the queue
// wakes whoever is still parked, so an owner may die before its waiters.
#ifndef AIO_NET_INTERNAL_WAIT_QUEUE_H_
#define AIO_NET_INTERNAL_WAIT_QUEUE_H_

#include <coroutine>

#include "loop/park.h"

namespace aio::net::internal {

class WaitQueue {
 public:
  class Awaiter : private aio::internal::CancelHook {
   public:
    explicit Awaiter(WaitQueue* q) : q_(q) {}
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    ~Awaiter() {
      unlink();
      if (task_ && task_->awaiting == static_cast<CancelHook*>(this))
        task_->awaiting = nullptr;
    }
    bool await_ready() const noexcept { return q_ == nullptr; }
    bool await_suspend(std::coroutine_handle<> h) {
      task_ = aio::internal::require_task("co_await on an aio::net wait");
      if (task_->must_cancel()) return false;
      link();
      cancel = [](CancelHook* c) {
        auto* self = static_cast<Awaiter*>(c);
        self->unlink();
        self->wake();
        return false;
      };
      task_->resume_point = h;
      task_->awaiting = this;
      return true;
    }
    void await_resume() {
      if (task_) task_->throw_if_must_cancel();
    }

   private:
    friend class WaitQueue;
    void link() {
      prev_ = q_->tail_;
      next_ = nullptr;
      (q_->tail_ ? q_->tail_->next_ : q_->head_) = this;
      q_->tail_ = this;
      linked_ = true;
    }
    void unlink() {
      if (!linked_) return;
      (prev_ ? prev_->next_ : q_->head_) = next_;
      (next_ ? next_->prev_ : q_->tail_) = prev_;
      prev_ = next_ = nullptr;
      linked_ = false;
    }
    void wake() {
      task_->loop()->wake_parked(task_);
    }

    WaitQueue* q_;
    aio::internal::FutureBase* task_ = nullptr;
    Awaiter* prev_ = nullptr;
    Awaiter* next_ = nullptr;
    bool linked_ = false;
  };

  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;
  ~WaitQueue() { wake_all(); }

  // Parks the current task until wake_all().
  Awaiter wait() { return Awaiter(this); }
  bool empty() const { return head_ == nullptr; }
  void wake_all() {
    while (head_) {
      Awaiter* a = head_;
      a->unlink();
      a->wake();
    }
  }

 private:
  Awaiter* head_ = nullptr;
  Awaiter* tail_ = nullptr;
};

}  // namespace aio::net::internal

#endif  // AIO_NET_INTERNAL_WAIT_QUEUE_H_
