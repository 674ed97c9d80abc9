// Parking the current task: the one mechanism behind every await point that
// suspends a task (sleep, fd waits, Future and Task waits, gather/wait, every
// //sync primitive, //executor's thread hops, //net's transfers and streams).
//
// Not user API: the target //loop:park is visible to this repository's
// components only. User code wants Future, Event, Queue and friends.
//
// The protocol, which ParkedTask carries out:
//
//   await_suspend(h):
//     if (!prepare("what")) return false;  // a cancel is pending: deliver it
//     ...register the wait (a WaitList, a timer, a future's waiter list)...
//     cancel = &my_hook;                   // how to detach this wait
//     suspend_at(h);                       // resume_point + awaiting
//     return true;
//   wake-up (once, on the loop thread, after unregistering the wait):
//     wake();                              // clears awaiting, schedules
//   my_hook(self, op, msg):
//     kCancel: task.cancel(msg) reached the innermost await. Detach the wait
//       and wake(); return false so that the task raises CancelledError(msg)
//       when it resumes, or true when the awaited object itself will raise
//       the CancelledError (a Future cancelled with `msg`).
//     kDetach: the loop is closing (EventLoop::close) and the task will never
//       run again: unregister the wait WITHOUT waking, so that completing a
//       Future, setting an Event or releasing a Semaphore later, after the
//       loop is destroyed, touches nothing of the loop.
//   await_resume():
//     deliver_cancel();                    // a cancel that came while queued
//   destructor:
//     ~ParkedTask clears `awaiting` if the frame dies while parked; derived
//     awaiters unregister their wait first.
//
// WaitList is the one intrusive FIFO list of parked tasks, with the outcome
// each one is woken with and the hand-off rules of //sync (see ListWaiter).
// A future's own list of completion callbacks (FutureBase::add_waiter) is a
// different thing: it holds callbacks, not parked tasks.
//
// Threads: everything here runs on the thread of the loop the task belongs
// to. A task is woken at most once per park. Woken tasks resume through the
// loop's run queue, in the order they were woken.
#ifndef AIO_LOOP_PARK_H_
#define AIO_LOOP_PARK_H_

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "loop/event_loop.h"
#include "loop/internal/future_base.h"
#include "loop/internal/timer_heap.h"

namespace aio::internal {

// The bookkeeping half of an awaiter that parks a task. Derive from it
// (privately) and set `cancel` to the awaiter's hook before suspend_at().
class ParkedTask : public CancelHook {
 public:
  ParkedTask() = default;
  // An awaiter may be moved until it is first awaited (ensure_future and
  // aio::wait_for take awaiters by value), never while parked.
  ParkedTask(ParkedTask&& o) noexcept : CancelHook(o), task(o.task) {
    assert(!o.parked());
  }
  ParkedTask& operator=(const ParkedTask&) = delete;
  ~ParkedTask() { forget(); }

  // await_suspend's first step: binds the running task (std::logic_error
  // naming `what` outside a task). False when a cancellation is pending:
  // register nothing, return false from await_suspend and let await_resume
  // deliver it.
  bool prepare(const char* what) {
    task = require_task(what);
    return !task->must_cancel();
  }
  // await_suspend's last step, once the wait is registered.
  void suspend_at(std::coroutine_handle<> h) {
    assert(cancel != nullptr);
    task->resume_point = h;
    task->awaiting = this;
  }
  // The task is parked here (not woken, cancelled or detached yet).
  bool parked() const { return task && task->awaiting == this; }
  // Wakes the parked task: it runs again in the loop's next batch. Call once,
  // after the wait is unregistered.
  void wake() {
    assert(parked());
    task->loop()->wake_parked(task);
  }
  // await_resume: raises a cancellation that arrived while the task was
  // queued to run (or before it parked).
  void deliver_cancel() {
    if (task) task->throw_if_must_cancel();
  }
  // The frame dies while parked: the task no longer awaits anything here.
  void forget() {
    if (parked()) task->awaiting = nullptr;
  }

  FutureBase* task = nullptr;  // set by prepare()
};
static_assert(sizeof(ParkedTask) == 2 * sizeof(void*));

class WaitList;

// A task parked in a WaitList, woken at most once with a WaitState that says
// what it got.
//
// Hand-off rule of //sync, which this list supports: whatever a waiter is
// granted (a permit, an item, a queue slot, a rate-limit slot) is handed to it
// when it is woken, before it runs; it then sits in its primitive's "granted"
// list until its task takes the grant (take_grant). If its task is cancelled
// in between, the awaiter hands the grant on to the next waiter when it
// resumes (or when its frame is destroyed), so nothing is ever lost and
// nobody barges in ahead of it.
struct ListWaiter : ParkedTask {
  ListWaiter() = default;
  // Movable until parked (see ParkedTask); a moved waiter is not linked.
  ListWaiter(ListWaiter&& o) noexcept
      : ParkedTask(std::move(o)), outcome(o.outcome) {
    assert(!o.linked());
  }
  enum class WaitState : uint8_t {
    kWaiting,    // parked, or unlinked by a cancellation
    kGranted,    // woken with what it waited for; not yet taken by the task
    kTaken,      // the task took the grant (or handed it back)
    kShutDown,   // woken because the queue was shut down
    kAbandoned,  // woken because the primitive was destroyed
  };
  ListWaiter* next = nullptr;
  ListWaiter* prev = nullptr;
  WaitList* list = nullptr;  // the list it is linked in, or nullptr
  WaitState outcome = WaitState::kWaiting;  // (aio::Outcome<T> is another thing)

  bool linked() const { return list != nullptr; }
};
static_assert(sizeof(ListWaiter) == 6 * sizeof(void*));

void wake(ListWaiter* w, ListWaiter::WaitState outcome);

// Intrusive FIFO list of parked waiters: O(1) append, pop and removal.
// Destroying a list that still holds waiters abandons them (see abandon()).
class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;
  ~WaitList() { abandon_all(); }

  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }
  ListWaiter* front() const { return head_; }

  void push_back(ListWaiter* w) {
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
  void remove(ListWaiter* w) {
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
  ListWaiter* pop_front() {
    ListWaiter* w = head_;
    remove(w);
    return w;
  }

  // Every parked waiter resumes with kAbandoned; a granted one (already
  // woken, not yet run) only learns that its grant died with the primitive.
  void abandon_all() {
    while (head_) {
      ListWaiter* w = pop_front();
      if (w->outcome == ListWaiter::WaitState::kGranted) {
        w->outcome = ListWaiter::WaitState::kAbandoned;
      } else {
        wake(w, ListWaiter::WaitState::kAbandoned);
      }
    }
  }

 private:
  ListWaiter* head_ = nullptr;
  ListWaiter* tail_ = nullptr;
  size_t size_ = 0;
};

// Resumes a waiter's task on its loop with `outcome`. The waiter must already
// be unlinked. Safe to call from a cancel hook, a timer or another task.
inline void wake(ListWaiter* w, ListWaiter::WaitState outcome) {
  w->outcome = outcome;
  w->wake();
}

// Pops and wakes every waiter of `list` with `outcome`.
inline void wake_all(
    WaitList& list, ListWaiter::WaitState outcome = ListWaiter::WaitState::kGranted) {
  while (!list.empty()) wake(list.pop_front(), outcome);
}

// Wakes a waiter (popped from its wait list) with a grant, and keeps it in
// `granted` until its task takes the grant, so that a primitive destroyed in
// between can tell it (see abandon()).
inline void grant(ListWaiter* w, WaitList& granted) {
  granted.push_back(w);
  wake(w, ListWaiter::WaitState::kGranted);
}

// await_resume of a granted waiter: leaves the granted list.
inline void take_grant(ListWaiter* w) {
  w->list->remove(w);
  w->outcome = ListWaiter::WaitState::kTaken;
}

// A primitive's destructor: every parked task resumes with kAbandoned (its
// awaiter throws std::logic_error), and woken tasks that have not run yet
// learn that their grant died with the primitive. Awaiters with kAbandoned
// never touch the primitive again.
inline void abandon(WaitList& waiting, WaitList& granted) {
  waiting.abandon_all();
  granted.abandon_all();
}

// The default hook of a list waiter: it leaves its list; on kCancel its task
// resumes to raise CancelledError (return false).
inline bool cancel_parked(CancelHook* hook, CancelHook::Op op, std::string&) {
  auto* w = static_cast<ListWaiter*>(hook);
  if (w->linked()) w->list->remove(w);
  if (op == CancelHook::kCancel) w->wake();
  return false;
}

// await_suspend of a list waiter: parks the current task at the back of
// `list`. Returns false when a cancellation is already pending, in which case
// nothing is registered and await_resume must deliver it. Uses the waiter's
// own hook if it set one, else cancel_parked.
inline bool park(ListWaiter* w, WaitList& list, std::coroutine_handle<> h,
                 const char* what) {
  if (!w->prepare(what)) return false;
  if (w->cancel == nullptr) w->cancel = &cancel_parked;
  list.push_back(w);
  w->suspend_at(h);
  return true;
}

// The destructor's half: detaches a waiter whose frame is destroyed while
// parked (or granted). Returns true if it was still linked.
inline bool unpark(ListWaiter* w) {
  bool was_linked = w->linked();
  if (was_linked) w->list->remove(w);
  w->forget();
  return was_linked;
}

// `co_await wait_in(list)`: parks the current task in `list` until somebody
// wakes it (wake_all, grant) or the list is destroyed; the woken task
// re-checks whatever condition it waits for (the wake-up carries no value).
// Cancelling the task removes it from the list and raises CancelledError.
class [[nodiscard]] WaitInList : private ListWaiter {
 public:
  explicit WaitInList(WaitList* list) : list_(list) {}
  WaitInList(WaitInList&&) = default;
  WaitInList& operator=(const WaitInList&) = delete;
  ~WaitInList() { unpark(this); }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    return park(this, *list_, h, "co_await on a wait list");
  }
  void await_resume() { deliver_cancel(); }

 private:
  WaitList* list_;
};

inline WaitInList wait_in(WaitList& list) { return WaitInList(&list); }

}  // namespace aio::internal

#endif  // AIO_LOOP_PARK_H_
