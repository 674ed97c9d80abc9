// aio::ThreadPool: a pool of worker threads for blocking work (Python's
// concurrent.futures.ThreadPoolExecutor).
//
//   aio::ThreadPool pool(5);
//   aio::ConcurrentFuture<int> f = pool.submit(slow_square, 7);
//   int v = f.result();                                  // from a thread, or
//   int w = co_await aio::run_in_executor(pool, slow_square, 7);  // a task
//
// submit(fn, args...) copies (decays) fn and args into the job, as
// std::thread does (use std::ref to pass a reference), and runs
// std::invoke(fn, args...) on a worker. Jobs start in submission order.
// Threads are started lazily, up to max_workers, and live until shutdown: a
// submit that finds no worker looking for work wakes an idle one or starts a
// new one, and a worker that takes a job while more are queued does the same
// for the next, so a burst of jobs gets workers one wake-up apart. An exception
// thrown by the job is stored in the future, unchanged.
//
// Threads: submit, shutdown and the destructor may be called from any thread.
// shutdown(wait = true) and the destructor wait for queued and running jobs;
// shutdown(wait, cancel_futures = true) cancels jobs that have not started.
// submit after shutdown throws std::logic_error. A job must not shut down or
// destroy its own pool with waiting (that would wait for itself):
// shutdown(true) from a worker throws std::logic_error, and destroying the
// pool from one of its workers aborts with a message.
//
// Per-thread hooks: ThreadPool(n, hooks) runs hooks.on_thread_start on each
// worker thread before its first job and hooks.on_thread_exit on it after its
// last, before the thread ends (for libraries with per-thread state, such as
// MariaDB Connector/C's mysql_thread_init / mysql_thread_end). The hooks must
// not throw (std::terminate) and must not use the pool.
//
// A ThreadPool can be an event loop's default executor
// (EventLoop::set_default_executor); run_in_executor(nullptr, ...) creates one
// lazily, and aio::run shuts it down.
#ifndef AIO_EXECUTOR_THREAD_POOL_H_
#define AIO_EXECUTOR_THREAD_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "executor/concurrent_future.h"
#include "executor/internal/mutex.h"
#include "loop/event_loop.h"

namespace aio {
namespace internal {

// A queued job: intrusive FIFO node. `run` executes it (or skips it if its
// future was cancelled) and drops the pool's reference; `cancel` cancels its
// future and drops the reference without running it.
struct JobNode {
  JobNode* next = nullptr;
  void (*run)(JobNode*) = nullptr;
  void (*cancel)(JobNode*) = nullptr;
};

// A job and its future's state in one allocation.
template <typename R, typename Bound>
class BoundJob final : public ConcurrentFutureState<R>, public JobNode {
 public:
  template <typename... A>
  explicit BoundJob(A&&... a) : bound_(std::in_place, std::forward<A>(a)...) {
    JobNode::run = &run_job;
    JobNode::cancel = &cancel_job;
  }

 private:
  static void run_job(JobNode* node) {
    auto* self = static_cast<BoundJob*>(node);
    if (self->set_running_or_notify_cancel()) {
      std::exception_ptr error;
      try {
        if constexpr (std::is_void_v<R>) {
          std::apply(invoke_all, std::move(*self->bound_));
          self->try_set_result();
        } else {
          self->try_set_result(
              std::apply(invoke_all, std::move(*self->bound_)));
        }
      } catch (...) {
        error = std::current_exception();
      }
      // Published after the handler ended, so this thread no longer touches
      // the exception once others can see it.
      if (error) self->try_set_exception(std::move(error));
    }
    self->bound_.reset();  // arguments die on the worker, right after the job
    self->release();
  }
  static void cancel_job(JobNode* node) {
    auto* self = static_cast<BoundJob*>(node);
    self->ConcurrentFutureStateBase::cancel();
    self->bound_.reset();
    self->release();
  }
  static constexpr auto invoke_all = [](auto&&... a) -> decltype(auto) {
    return std::invoke(std::forward<decltype(a)>(a)...);
  };

  std::optional<Bound> bound_;
};

}  // namespace internal

// What a job returns: std::invoke of the decayed callable and arguments,
// without reference or cv qualifiers (the future holds its own copy).
template <typename F, typename... Args>
using JobResult = std::remove_cvref_t<
    std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>>;

class ThreadPool : public Executor {
 public:
  // Python's default size: min(32, cores + 4).
  static size_t default_max_workers();

  struct ThreadHooks {
    std::function<void()> on_thread_start;  // empty: nothing to run
    std::function<void()> on_thread_exit;
  };

  // std::invalid_argument if max_workers is 0.
  explicit ThreadPool(size_t max_workers = default_max_workers());
  // A signed count must be positive (std::invalid_argument otherwise, as
  // Python's ValueError), so that -1 cannot turn into "no limit".
  template <typename I>
  requires std::is_integral_v<I> && std::is_signed_v<I>
  explicit ThreadPool(I max_workers)
      : ThreadPool(checked_max_workers(static_cast<int64_t>(max_workers))) {}
  ThreadPool(size_t max_workers, ThreadHooks hooks);
  template <typename I>
    requires std::is_integral_v<I> && std::is_signed_v<I>
  ThreadPool(I max_workers, ThreadHooks hooks)
      : ThreadPool(checked_max_workers(static_cast<int64_t>(max_workers)),
                   std::move(hooks)) {}
  // Waits for every queued and running job (shutdown(true)).
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  template <typename F, typename... Args>
  ConcurrentFuture<JobResult<F, Args...>> submit(F&& fn, Args&&... args) {
    using R = JobResult<F, Args...>;
    using Bound = std::tuple<std::decay_t<F>, std::decay_t<Args>...>;
    auto* job = new internal::BoundJob<R, Bound>(std::forward<F>(fn),
                                                 std::forward<Args>(args)...);
    auto future =
        ConcurrentFuture<R>::share(job);  // the pool keeps the first reference
    try {
      enqueue(job);
    } catch (...) {
      job->release();
      throw;
    }
    return future;
  }

  // Stops accepting jobs. wait: block until every job finished and every
  // worker exited. cancel_futures: cancel the jobs that have not started.
  void shutdown(bool wait) override { shutdown(wait, false); }
  void shutdown(bool wait, bool cancel_futures);

  size_t max_workers() const { return max_workers_; }
  // Worker threads started so far.
  size_t worker_count() const;
  bool is_shutdown() const;

 private:
  void enqueue(internal::JobNode* job);
  void worker_main();
  // Wakes an idle worker, or starts one if none is idle and max_workers is
  // not reached; counts it as searching. May throw std::system_error.
  void wake_one_locked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Busy-waits briefly for a job before the worker sleeps (see the .cc).
  void spin_for_work() const;
  bool on_own_worker() const;
  static size_t checked_max_workers(int64_t max_workers);

  const size_t max_workers_;
  const ThreadHooks hooks_;
  mutable internal::Mutex mu_;
  internal::CondVar work_cv_;
  internal::JobNode* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  internal::JobNode* tail_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;      // workers blocked in work_cv_
  size_t wakeups_ ABSL_GUARDED_BY(mu_) = 0;   // notified, not yet awake
  size_t spinning_ ABSL_GUARDED_BY(mu_) = 0;  // workers in spin_for_work
  // Workers awake and looking for a job (the spinner, notified and newly
  // started ones) that have not taken one yet.
  size_t searching_ ABSL_GUARDED_BY(mu_) = 0;
  // Jobs in the queue; written under mu_, read without it by the spinner.
  std::atomic<size_t> queued_{0};
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  size_t started_ ABSL_GUARDED_BY(mu_) = 0;
  internal::Mutex join_mu_;  // serialises joiners: every shutdown(true) waits
};

}  // namespace aio

#endif  // AIO_EXECUTOR_THREAD_POOL_H_
