// aio::EventLoop: a single-threaded, epoll-based event loop (asyncio's loop).
//
// Threading: every method runs on the loop's thread except
// call_soon_threadsafe(), stop() (both safe from any thread) and the
// constructor/destructor. Callbacks, tasks and done-callbacks are run on the
// loop thread, in FIFO order of scheduling; timers fire by deadline, then by
// insertion order.
//
// Lifetime: close() (or the destructor) cancels nothing and runs nothing; it
// detaches every parked task from what it waits on and drops the loop's
// references to pending tasks and callbacks. A task whose handle is still
// held stays pending forever, and completing a Future or setting an Event it
// waited on after the loop is gone is safe. Use aio::run(), which cancels and
// drains tasks first, unless you manage that yourself.
//
// File descriptors: add_reader/add_writer and the one-shot wait_readable /
// wait_writable register an fd with epoll. Call remove_reader/remove_writer or
// forget_fd() before closing an fd: the loop cannot see a close.
#ifndef AIO_LOOP_EVENT_LOOP_H_
#define AIO_LOOP_EVENT_LOOP_H_

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "loop/clock.h"
#include "loop/errors.h"
#include "loop/internal/future_base.h"
#include "loop/internal/ready_queue.h"
#include "loop/internal/timer_heap.h"

namespace aio {

template <typename T>
class Coro;
template <typename T>
class Task;
template <typename T>
class Future;

using Callback = absl::AnyInvocable<void()>;

namespace internal {
// A scheduled callback: call_soon / call_later / add_reader. Shared between
// the loop and the user's Handle; reference counted.
struct CallbackNode {
  TimerNode timer;  // first: call_later's timer
  uint32_t refs = 1;
  bool cancelled = false;
  bool queued = false;      // in the ready queue
  bool persistent = false;  // a reader/writer: stays registered after running
  EventLoop* loop = nullptr;
  Callback fn;
  void add_ref() { ++refs; }
  void release() {
    if (--refs == 0) delete this;
  }
};
}  // namespace internal

// asyncio's Handle / TimerHandle: cancels a scheduled callback. Copyable.
// Use only on the loop's thread.
class Handle {
 public:
  Handle() = default;
  explicit Handle(internal::CallbackNode* n) : node_(n) {
    if (node_) node_->add_ref();
  }
  Handle(const Handle& o) : Handle(o.node_) {}
  Handle(Handle&& o) noexcept : node_(std::exchange(o.node_, nullptr)) {}
  Handle& operator=(Handle o) noexcept {
    std::swap(node_, o.node_);
    return *this;
  }
  ~Handle() {
    if (node_) node_->release();
  }
  // Cancels the callback if it has not run yet (a timer is removed at once).
  void cancel();
  bool cancelled() const { return node_ && node_->cancelled; }
  // The deadline of a call_later / call_at handle.
  TimePoint when() const;
  explicit operator bool() const { return node_ != nullptr; }

 private:
  internal::CallbackNode* node_ = nullptr;
};

// What the loop's exception handler receives (asyncio's context dict).
struct ExceptionContext {
  std::string message;
  std::exception_ptr exception;  // may be null
  std::string task_name;         // empty if not about a task
};

// The executor interface (concurrent.futures.Executor's shutdown): what a
// loop's default executor implements (aio::ThreadPool, see //executor).
// Declared here so that the loop can shut its default executor down in
// aio::run without depending on //executor.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void shutdown(bool wait) = 0;
};

class EventLoop {
 public:
  struct Options {
    // Virtual time (trio's autojump clock): when no callback is ready and no
    // I/O is ready, time() jumps to the next timer instead of sleeping. Sleeps
    // then cost nothing and tests are deterministic. Threads that complete
    // work through call_soon_threadsafe still wake the loop as usual.
    bool virtual_time = false;
    // Shown in error messages; default "EventLoop-<n>".
    std::string name{};  // {}: see tests/common/options_init_test.cc
    // While a task awaits work on another thread that should answer soon
    // (begin_external_wait), the loop spins this long for its wake-up
    // before blocking in epoll: a blocked thread takes ~10 us to wake on a
    // VM, a spinning one ~1 us.
    // Costs at most this much CPU per idle period, and the time spun counts
    // towards the next timer. 0 disables; negative throws
    // std::invalid_argument; virtual time never spins.
    std::chrono::microseconds spin_before_block{20};
  };

  EventLoop();
  explicit EventLoop(Options options);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // ---- running ----
  // Runs until `coro` (wrapped in a task) or `task` completes; returns its
  // value or rethrows its exception.
  template <typename T>
  T run_until_complete(Coro<T> coro);
  template <typename T>
  T run_until_complete(Task<T> task);
  template <typename T>
  T run_until_complete(Future<T> fut);
  void run_forever();
  // Ends run_forever after the current batch of callbacks. Thread-safe.
  void stop();
  bool is_running() const { return running_; }
  // Releases epoll, eventfd, signal handlers and references to pending work.
  // Throws std::logic_error if running. Idempotent.
  void close();
  bool is_closed() const { return closed_; }
  const std::string& name() const { return name_; }
  bool virtual_time() const { return virtual_time_; }

  // ---- time and callbacks ----
  TimePoint time() const { return TimePoint(Duration(now_ns())); }
  Handle call_soon(Callback fn);
  // Runs `fn` after `delay` (any std::chrono duration, or seconds as a
  // double): <= 0 runs in the next iteration, too long or infinite never
  // runs, NaN throws std::invalid_argument (see loop/clock.h).
  template <typename Rep, typename Period>
  Handle call_later(std::chrono::duration<Rep, Period> delay, Callback fn) {
    return add_timer_callback(
        internal::deadline_after(now_ns(),
                                 internal::to_ns(delay, "EventLoop::call_later")),
        std::move(fn));
  }
  Handle call_later(double seconds, Callback fn) {
    return call_later(std::chrono::duration<double>(seconds), std::move(fn));
  }
  // Runs `fn` once time() reaches `when` (TimePoint::max(): never).
  Handle call_at(TimePoint when, Callback fn);
  // Thread-safe: queues `fn` and wakes the loop through its eventfd.
  void call_soon_threadsafe(Callback fn);

  // ---- file descriptors (level-triggered, asyncio semantics) ----
  // `fn` runs on every iteration in which `fd` is readable, until removed.
  void add_reader(int fd, Callback fn);
  bool remove_reader(int fd);
  void add_writer(int fd, Callback fn);
  bool remove_writer(int fd);
  // Drops every registration of `fd` (call before closing it).
  void forget_fd(int fd);

  // ---- signals ----
  // Runs `fn` on the loop when `sig` arrives. A signal belongs to one loop at
  // a time; the previous disposition is restored by remove / close.
  void add_signal_handler(int sig, Callback fn);
  bool remove_signal_handler(int sig);

  // ---- futures and tasks ----
  template <typename T = void>
  Future<T> create_future();
  template <typename T>
  Task<T> create_task(Coro<T> coro, std::string name = {});

  // ---- errors ----
  using ExceptionHandler =
      std::function<void(EventLoop&, const ExceptionContext&)>;
  void set_exception_handler(ExceptionHandler handler);
  void call_exception_handler(const ExceptionContext& ctx);
  void default_exception_handler(const ExceptionContext& ctx);

  // ---- default executor (see //executor) ----
  Executor* default_executor() const { return default_executor_.get(); }
  void set_default_executor(std::shared_ptr<Executor> executor);
  // Shuts the default executor down, waiting for its jobs (aio::run does it).
  // From then on the loop has no default executor: //executor refuses to
  // create a new one (asyncio raises RuntimeError).
  void shutdown_default_executor();
  bool default_executor_shut_down() const { return executor_shut_down_; }

  // A task of this loop starts / stops waiting for another thread to call
  // call_soon_threadsafe. Loop thread only. `soon`: the other thread should
  // answer within microseconds (a job on an idle pool), so the loop spins
  // for the answer before it blocks (Options::spin_before_block); pass
  // false for work that itself waits on the network or a disk (a database
  // round trip), which a spin would only take CPU from. Pass the same value
  // to both calls.
  void begin_external_wait(bool soon = true) {
    ++external_waits_;
    if (soon) ++spin_waits_;
  }
  // Options::spin_before_block, as given.
  std::chrono::microseconds spin_before_block() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::nanoseconds(spin_ns_));
  }
  void end_external_wait(bool soon = true) {
    --external_waits_;
    if (soon) --spin_waits_;
  }

  // Tasks that are not done yet (asyncio.all_tasks()).
  size_t pending_task_count() const { return live_tasks_.size(); }

  // ---- for awaiters in this repository (not a stable API) ----
  void schedule_task(internal::FutureBase* task) {
    ready_.push(reinterpret_cast<uintptr_t>(task) | 1);
  }
  // Wakes a task parked on one of this loop's awaiters (loop/park.h): it no
  // longer awaits anything and runs again in the next batch.
  void wake_parked(internal::FutureBase* task) {
    task->awaiting = nullptr;
    schedule_task(task);
  }
  void add_timer(internal::TimerNode* t) { timers_.push(t); }
  void remove_timer(internal::TimerNode* t) { timers_.remove(t); }
  int64_t now_ns() const;
  // One-shot readiness wait registered by wait_readable / wait_writable.
  struct IoWaiter {
    internal::FutureBase* task = nullptr;
    uint32_t events = 0;  // epoll events seen
  };
  void set_io_waiter(int fd, bool write, IoWaiter* w);
  void clear_io_waiter(int fd, bool write, IoWaiter* w);
  void register_task(internal::FutureBase* t);
  void unregister_task(internal::FutureBase* t);
  std::vector<internal::FutureBase*> pending_tasks() const {
    return live_tasks_;
  }
  uint32_t next_task_id() { return ++task_counter_; }

 private:
  struct FdSlot {
    // Either a persistent callback node (tag 0) or a one-shot IoWaiter (tag 1).
    uintptr_t reader = 0;
    uintptr_t writer = 0;
    uint32_t registered = 0;  // events currently in epoll
    bool in_epoll = false;
  };
  static void fire_callback_timer(internal::TimerNode* t);
  // One iteration: poll (choosing how long to wait), fire due timers, run
  // the ready batch.
  void run_once();
  // How long the next poll may block: 0 when work is ready or the loop is
  // stopping, -1 when no timer is due (block for I/O), else ns until the
  // next timer. A timer at "never" does not count.
  int64_t poll_timeout() const;
  // Spins up to spin_before_block for a cross-thread wake-up before the loop
  // blocks; returns the timeout left (0 if the wake-up came).
  int64_t spin_for_wakeup(int64_t timeout);
  // Virtual time: polls without blocking and jumps the clock to the next
  // timer; while a task waits on another thread, waits for real instead.
  void poll_virtual(int64_t timeout);
  // Waits up to timeout_ns (-1: no limit; capped at a day) for I/O.
  void poll(int64_t timeout_ns);
  void fire_timers();
  void run_ready_batch();
  void run_callback(internal::CallbackNode* n);
  void schedule_node(internal::CallbackNode* n);
  void update_fd(int fd);
  FdSlot& slot(int fd);
  void drain_threadsafe();
  void wake_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ts_mu_);
  void drain_signals();
  Handle add_timer_callback(int64_t when, Callback fn);
  void set_fd_callback(int fd, bool write, Callback fn);
  bool clear_fd_callback(int fd, bool write);
  void check_open() const;
  // check_open, and not already running (here or another loop on this
  // thread): std::logic_error otherwise.
  void check_can_run() const;

  std::string name_;
  bool virtual_time_ = false;
  bool running_ = false;
  bool closed_ = false;
  std::atomic<bool> stopping_{false};
  int epfd_ = -1;
  int wakefd_ = -1;  // eventfd for call_soon_threadsafe / stop
  int sigpipe_[2] = {-1, -1};
  int64_t virtual_offset_ = 0;  // virtual time: ns added to the start time
  int64_t virtual_base_ = 0;
  internal::ReadyQueue ready_;
  internal::TimerHeap timers_;
  std::vector<FdSlot> fds_;
  unsigned runs_since_poll_ = 0;
  std::vector<internal::FutureBase*> live_tasks_;
  uint32_t task_counter_ = 0;
  ExceptionHandler exception_handler_;
  std::shared_ptr<Executor> default_executor_;
  bool executor_shut_down_ = false;
  std::vector<std::pair<int, internal::CallbackNode*>> signal_handlers_;

  int64_t spin_ns_ = 0;
  int external_waits_ = 0;
  int spin_waits_ = 0;  // those of external_waits_ begun with `soon`

  std::mutex ts_mu_;
  std::vector<Callback> ts_queue_ ABSL_GUARDED_BY(ts_mu_);
  bool ts_closed_ ABSL_GUARDED_BY(ts_mu_) = false;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> spinning_{false};  // see run_once
};

// ---- the current loop (per thread), as in asyncio ----
// The loop running on this thread; std::runtime_error("no running event loop")
// if none is.
EventLoop& get_running_loop();
EventLoop* get_running_loop_or_null();
// The running loop, else the one set with set_event_loop(); throws if neither.
EventLoop& get_event_loop();
void set_event_loop(EventLoop* loop);
std::unique_ptr<EventLoop> new_event_loop(EventLoop::Options options = {});

namespace internal {
// True if `loop` is alive (constructed and not destroyed). Used to report
// errors of futures that outlive their loop.
bool loop_alive(const EventLoop* loop);
}  // namespace internal

}  // namespace aio

#endif  // AIO_LOOP_EVENT_LOOP_H_
