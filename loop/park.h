// Parking the current task: the protocol for writing awaiters.
//
// Every await point in this repository that suspends a task (sleep, fd waits,
// Future waits, and //sync's primitives) follows one protocol, so that task
// cancellation reaches the innermost await:
//
//   await_suspend(h):
//     FutureBase* task = internal::require_task("what");   // current task
//     if (task->must_cancel()) return false;                // deliver at once
//     ...register the wait somewhere (a list of waiters, a timer)...
//     task->resume_point = h;         // where the loop resumes the task
//     task->awaiting = &hook;         // CancelHook: how to detach this wait
//     return true;
//   wake-up (on the loop thread):
//     task->loop()->wake_parked(task);   // clears task->awaiting
//   hook.cancel(hook):
//     detach the wait, then wake the task as above; return false so the task
//     raises CancelledError when it resumes (return true only when the awaited
//     object itself will raise CancelledError, as a cancelled Future does).
//   await_resume():
//     task->throw_if_must_cancel();   // a cancel that arrived while queued
//   destructor:
//     detach the wait if still registered (the frame may be destroyed while
//     parked, e.g. when its loop closes).
//
// A task is woken at most once per park; everything here runs on the loop's
// thread. These are the building blocks; user code wants Future, Event, etc.
#ifndef AIO_LOOP_PARK_H_
#define AIO_LOOP_PARK_H_

#include "loop/event_loop.h"
#include "loop/internal/future_base.h"
#include "loop/internal/timer_heap.h"

#endif  // AIO_LOOP_PARK_H_
