// aio::TaskGroup: structured concurrency (Python 3.11's asyncio.TaskGroup).
//
//   co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
//     tg.create_task(fetch("a"));
//     tg.create_task(fetch("b"));
//     co_return;
//   });   // returns when every child is done
//
// Children cannot outlive the group: task_group() (the C++ form of
// `async with TaskGroup() as tg`) always waits for all of them, even when the
// body throws. The first child that fails with an exception cancels its
// siblings and the body; once everything has unwound, every child error (and
// the body's, if not a cancellation) is raised together as aio::ExceptionGroup.
// Cancelling the task that runs the group cancels every child.
//
// Manual form: construct a TaskGroup inside a task, create_task(), and finish
// with `co_await tg.join()` (pass the body's exception to join(e) if it threw).
// A group destroyed with unjoined children cancels them and reports it through
// the loop's exception handler. Use a TaskGroup only on its loop's thread.
#ifndef AIO_LOOP_TASK_GROUP_H_
#define AIO_LOOP_TASK_GROUP_H_

#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/errors.h"
#include "loop/future.h"
#include "loop/task.h"

namespace aio {

class TaskGroup {
 public:
  // Must be constructed inside a task (the parent).
  TaskGroup();
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts a child. std::logic_error after join() finished or once the group
  // is shutting down because a child failed.
  template <typename T>
  Task<T> create_task(Coro<T> coro, std::string name = {}) {
    if (joined_) throw std::logic_error("TaskGroup is finished");
    if (aborting_) throw std::logic_error("TaskGroup is shutting down");
    Task<T> t = loop_->create_task(std::move(coro), std::move(name));
    watch(t.state());
    return t;
  }

  // Waits for every child (the end of `async with`); `body_error` is what the
  // body threw, if anything. Throws ExceptionGroup if children failed.
  Coro<void> join(std::exception_ptr body_error = nullptr);

  size_t pending() const { return children_.size(); }

 private:
  struct Child;
  void watch(internal::FutureBase* t);
  void on_child_done(Child* c);
  void abort();
  void abort_and_interrupt();

  EventLoop* loop_;
  // The task running the group. Not a counted reference: the group lives in
  // the parent's frame, and a reference would keep that frame alive forever.
  internal::FutureBase* parent_;
  std::vector<std::unique_ptr<Child>> children_;
  std::vector<std::exception_ptr> errors_;
  Future<void> all_done_;
  bool joining_ = false;
  bool joined_ = false;
  bool aborting_ = false;
  bool cancelled_parent_ = false;
  // Lets callbacks scheduled by the group detect that it is gone.
  std::shared_ptr<TaskGroup*> self_ = std::make_shared<TaskGroup*>(this);
};

// Runs `body(tg)` with a fresh TaskGroup and joins it, whatever the body does.
// `body` is kept alive (in this coroutine's frame) until the group is done.
template <typename F>
Coro<void> task_group(F body) {
  TaskGroup tg;
  std::exception_ptr err;
  try {
    co_await body(tg);
  } catch (...) {
    err = std::current_exception();
  }
  co_await tg.join(err);
}

}  // namespace aio

#endif  // AIO_LOOP_TASK_GROUP_H_
