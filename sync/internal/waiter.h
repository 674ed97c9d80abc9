// Internal: the parked-task list that every //sync primitive is built on.
//
// A SyncWaiter is one task parked on a primitive, following the protocol of
// loop/park.h: it lives in the awaiter (so in the task's coroutine frame), is
// linked into its primitive's WaitList while the task waits, and is woken at
// most once with an Outcome that says what it got. Everything here runs on the
// thread of the loop the primitive is bound to.
//
// Ownership rule shared by all primitives: whatever a waiter is granted
// (a permit, an item, a queue slot, a rate-limit slot) is handed to it when it
// is woken, before it runs. If its task is cancelled in between, the awaiter
// hands the grant on to the next waiter when it resumes (or when its frame is
// destroyed), so nothing is ever lost and nobody can barge in ahead of it.
#ifndef AIO_SYNC_INTERNAL_WAITER_H_
#define AIO_SYNC_INTERNAL_WAITER_H_

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include "loop/park.h"

namespace aio::internal {

class WaitList;

struct SyncWaiter : CancelHook {
  enum class Outcome : uint8_t {
    kWaiting,    // parked, or unlinked by a cancellation
    kGranted,    // woken with what it waited for; not yet taken by the task
    kTaken,      // the task took the grant (or handed it back)
    kShutDown,   // woken because the queue was shut down
    kAbandoned,  // woken because the primitive was destroyed
  };
  SyncWaiter* next = nullptr;
  SyncWaiter* prev = nullptr;
  WaitList* list = nullptr;  // the list it is linked in, or nullptr
  FutureBase* task = nullptr;
  Outcome outcome = Outcome::kWaiting;

  bool linked() const { return list != nullptr; }
};

// Intrusive FIFO list of parked waiters: O(1) append, pop and removal.
class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }
  SyncWaiter* front() const { return head_; }

  void push_back(SyncWaiter* w) {
    w->list = this;
    w->next = nullptr;
    w->prev = tail_;
    if (tail_) {
      tail_->next = w;
    } else {
      head_ = w;
    }
    tail_ = w;
    ++size_;
  }
  void remove(SyncWaiter* w) {
    if (w->prev) {
      w->prev->next = w->next;
    } else {
      head_ = w->next;
    }
    if (w->next) {
      w->next->prev = w->prev;
    } else {
      tail_ = w->prev;
    }
    w->next = w->prev = nullptr;
    w->list = nullptr;
    --size_;
  }
  SyncWaiter* pop_front() {
    SyncWaiter* w = head_;
    remove(w);
    return w;
  }

 private:
  SyncWaiter* head_ = nullptr;
  SyncWaiter* tail_ = nullptr;
  size_t size_ = 0;
};

// Resumes a waiter's task on its loop with `outcome`. The waiter must already
// be unlinked. Safe to call from a cancel hook, a timer or another task.
inline void wake(SyncWaiter* w, SyncWaiter::Outcome outcome) {
  w->outcome = outcome;
  w->task->loop()->wake_parked(w->task);
}

// Pops and wakes every waiter of `list` with `outcome`.
inline void wake_all(WaitList& list, SyncWaiter::Outcome outcome) {
  while (!list.empty()) wake(list.pop_front(), outcome);
}

// Wakes a waiter (popped from its wait list) with a grant, and keeps it in
// `granted` until its task takes the grant, so that a primitive destroyed in
// between can tell it (see abandon()).
inline void grant(SyncWaiter* w, WaitList& granted) {
  granted.push_back(w);
  wake(w, SyncWaiter::Outcome::kGranted);
}

// await_resume of a granted waiter: leaves the granted list.
inline void take_grant(SyncWaiter* w) {
  w->list->remove(w);
  w->outcome = SyncWaiter::Outcome::kTaken;
}

// A primitive's destructor: every parked task resumes with kAbandoned (its
// awaiter throws std::logic_error), and woken tasks that have not run yet
// learn that their grant died with the primitive. Awaiters with kAbandoned
// never touch the primitive again.
inline void abandon(WaitList& waiting, WaitList& granted) {
  wake_all(waiting, SyncWaiter::Outcome::kAbandoned);
  while (!granted.empty())
    granted.pop_front()->outcome = SyncWaiter::Outcome::kAbandoned;
}

// The default CancelHook: the waiter leaves its list and its task resumes to
// raise CancelledError (park.h: return false).
inline bool cancel_parked(CancelHook* hook) {
  auto* w = static_cast<SyncWaiter*>(hook);
  if (w->linked()) w->list->remove(w);
  w->task->loop()->wake_parked(w->task);
  return false;
}

// await_suspend's half of park.h: parks the current task at the back of
// `list`. Returns false when a cancellation is already pending, in which case
// nothing is registered and await_resume must deliver it.
inline bool park(SyncWaiter* w, WaitList& list, std::coroutine_handle<> h,
                 const char* what) {
  FutureBase* task = require_task(what);
  w->task = task;
  if (task->must_cancel()) return false;
  if (w->cancel == nullptr) w->cancel = &cancel_parked;
  list.push_back(w);
  task->resume_point = h;
  task->awaiting = w;
  return true;
}

// The destructor's half of park.h: detaches a waiter whose frame is destroyed
// while parked. Returns true if it was still linked.
inline bool unpark(SyncWaiter* w) {
  bool was_linked = w->linked();
  if (was_linked) w->list->remove(w);
  if (w->task && w->task->awaiting == static_cast<CancelHook*>(w)) {
    w->task->awaiting = nullptr;
  }
  return was_linked;
}

}  // namespace aio::internal

#endif  // AIO_SYNC_INTERNAL_WAITER_H_
