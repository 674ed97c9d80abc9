// aio::Task<T>: a coroutine scheduled on an event loop (asyncio.Task).
//
// create_task(coro) schedules the coroutine at once (it starts on a later loop
// iteration) and returns a copyable handle. A Task is a Future<T>: await it
// (any number of times, from any number of tasks on the same loop), query
// done()/result()/exception(), add done-callbacks. Dropping every handle does
// not stop a task: the loop keeps it alive until it finishes.
//
// Cancellation: task.cancel() makes the innermost await of the task throw
// aio::CancelledError (a sleep's timer is removed, a reader unregistered, an
// awaited Future cancelled). The task may catch it to clean up. A task
// cancelled before it started never runs its body.
//
// A cancellation still pending when the body returns makes the task
// cancelled (asyncio's task step does the same), and cancel(msg) reaches the
// innermost await with its message: a Future or Task awaited there is
// cancelled with msg.
//
// An exception that a finished task holds and nobody retrieved (by awaiting,
// result() or exception()) is reported through the loop's exception handler
// when the last handle goes ("Task exception was never retrieved").
//
// Threads: create, await, cancel and query tasks only on their loop's thread
// (another thread uses loop.call_soon_threadsafe, or //executor's
// run_coroutine_threadsafe). A task and every task awaiting it resume on that
// loop, through its run queue, in the order they were woken.
#ifndef AIO_LOOP_TASK_H_
#define AIO_LOOP_TASK_H_

#include <string>
#include <utility>
#include <vector>

#include "loop/coro.h"
#include "loop/event_loop.h"
#include "loop/future.h"

namespace aio {

template <typename T = void>
class Task : public Future<T> {
 public:
  Task() : Future<T>(nullptr, 0) {}
  std::string name() const { return this->st_->name(); }
  void set_name(std::string name) const {
    this->st_->set_name(std::move(name));
  }
  // Python 3.11: number of pending cancellation requests; uncancel() lowers
  // it (for structured-concurrency helpers that swallow their own cancel).
  int cancelling() const { return this->st_->cancelling(); }
  int uncancel() const { return this->st_->uncancel(); }
  template <typename F>
  void add_done_callback(F fn) const {
    internal::add_done_callback(*this, std::move(fn));
  }
  // Adopts a reference to a task's state (internal).
  static Task adopt(internal::FutureState<T>* st) {
    Task t;
    t.st_ = st;
    return t;
  }
};

// A type-erased reference to a task (asyncio.current_task / all_tasks).
class AnyTask {
 public:
  AnyTask() = default;
  explicit AnyTask(internal::FutureBase* t) : t_(t) {
    if (t_) t_->add_ref();
  }
  template <typename T>
  AnyTask(const Task<T>& t) : AnyTask(t.state()) {}  // NOLINT
  AnyTask(const AnyTask& o) : AnyTask(o.t_) {}
  AnyTask(AnyTask&& o) noexcept : t_(std::exchange(o.t_, nullptr)) {}
  AnyTask& operator=(AnyTask o) noexcept {
    std::swap(t_, o.t_);
    return *this;
  }
  ~AnyTask() {
    if (t_) t_->release();
  }
  explicit operator bool() const { return t_ != nullptr; }
  std::string name() const { return t_->name(); }
  bool done() const { return t_->done(); }
  bool cancelled() const { return t_->cancelled(); }
  bool cancel(std::string msg = {}) const { return t_->cancel(std::move(msg)); }
  int cancelling() const { return t_->cancelling(); }
  int uncancel() const { return t_->uncancel(); }
  internal::FutureBase* state() const { return t_; }
  bool operator==(const AnyTask& o) const { return t_ == o.t_; }

 private:
  internal::FutureBase* t_ = nullptr;
};

template <typename T>
Task<T> EventLoop::create_task(Coro<T> coro, std::string name) {
  check_open();
  if (!coro.valid()) throw std::invalid_argument("create_task: empty Coro");
  auto h = coro.release();
  auto& p = h.promise();
  p.init_task(this, next_task_id());
  p.resume_point = h;
  if (!name.empty()) p.set_name(std::move(name));
  register_task(&p);
  schedule_task(&p);
  p.add_ref();  // the returned handle
  return Task<T>::adopt(&p);
}

// Schedules `coro` on the running loop (asyncio.create_task).
template <typename T>
Task<T> create_task(Coro<T> coro, std::string name = {}) {
  return get_running_loop().create_task(std::move(coro), std::move(name));
}

// The task running now, or an empty AnyTask outside tasks.
inline AnyTask current_task() { return AnyTask(internal::current_task_base()); }

// Tasks of the running loop that are not done (asyncio.all_tasks).
inline std::vector<AnyTask> all_tasks() {
  std::vector<AnyTask> out;
  for (auto* t : get_running_loop().pending_tasks()) out.emplace_back(t);
  return out;
}

namespace internal {
// Stops the loop when the future is done (run_until_complete).
struct StopWaiter : Waiter {
  EventLoop* loop;
  explicit StopWaiter(EventLoop* l) : loop(l) {
    on_done = [](Waiter* w, FutureBase*) {
      static_cast<StopWaiter*>(w)->loop->stop();
    };
  }
};
}  // namespace internal

template <typename T>
T EventLoop::run_until_complete(Future<T> fut) {
  check_open();
  fut.state()->bind_loop(this, "run_until_complete:");
  if (!fut.done()) {
    internal::StopWaiter w(this);
    fut.state()->add_waiter(&w);
    try {
      run_forever();
    } catch (...) {
      fut.state()->remove_waiter(&w);
      throw;
    }
    fut.state()->remove_waiter(&w);
    if (!fut.done()) {
      throw std::logic_error("Event loop stopped before Future completed.");
    }
  }
  return fut.state()->take();
}

template <typename T>
T EventLoop::run_until_complete(Task<T> task) {
  return run_until_complete(static_cast<Future<T>>(std::move(task)));
}

template <typename T>
T EventLoop::run_until_complete(Coro<T> coro) {
  check_can_run();  // before wrapping: a refused coroutine never runs
  return run_until_complete(create_task(std::move(coro)));
}

}  // namespace aio

#endif  // AIO_LOOP_TASK_H_
