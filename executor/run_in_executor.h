// aio::run_in_executor and aio::to_thread: run blocking code on a thread
// pool and await its result from a coroutine (loop.run_in_executor,
// asyncio.to_thread).
//
//   int v = co_await aio::run_in_executor(pool, blocking_io, path);
//   // on the running loop's default executor:
//   int w = co_await aio::run_in_executor(nullptr, blocking_io, path);
//   int x = co_await aio::to_thread(blocking_io, path);
//
// The job is submitted at once (as in asyncio), so several can run in
// parallel before any is awaited; the returned WrappedFuture (wrap_future.h)
// is awaited on the running loop's thread. Arguments are copied into the job
// (std::ref for references). The value, or the job's exception unchanged,
// reaches the awaiting coroutine; the worker wakes the loop through
// call_soon_threadsafe, with no polling. Cancelling the awaiting task is
// safe: a job that has not started is cancelled, a running one finishes on
// its thread and its result is dropped.
//
// The default executor is the running loop's: created on first use as a
// ThreadPool of min(32, cores + 4) workers (Python's size) and installed with
// EventLoop::set_default_executor, so aio::run shuts it down (waiting for its
// jobs) before closing the loop. After EventLoop::shutdown_default_executor()
// the default executor is gone for good: run_in_executor(nullptr, ...) and
// to_thread throw std::runtime_error (asyncio's RuntimeError) instead of
// starting a new pool. If a default executor was set that is not a
// ThreadPool, std::logic_error. All of these need a running loop
// (std::runtime_error otherwise).
#ifndef AIO_EXECUTOR_RUN_IN_EXECUTOR_H_
#define AIO_EXECUTOR_RUN_IN_EXECUTOR_H_

#include <type_traits>
#include <utility>

#include "executor/thread_pool.h"
#include "executor/wrap_future.h"
#include "loop/event_loop.h"

namespace aio {

// The loop's default executor, created on first use; std::runtime_error once
// shutdown_default_executor() was called.
ThreadPool& default_executor(EventLoop& loop);

template <typename F, typename... Args>
using ExecutorResult = JobResult<F, Args...>;

template <typename F, typename... Args>
WrappedFuture<ExecutorResult<F, Args...>> run_in_executor(ThreadPool& pool,
                                                          F&& fn,
                                                          Args&&... args) {
  EventLoop& loop = get_running_loop();
  return WrappedFuture<ExecutorResult<F, Args...>>(
      pool.submit(std::forward<F>(fn), std::forward<Args>(args)...), loop);
}

// `pool` nullptr: the running loop's default executor.
template <typename F, typename... Args>
WrappedFuture<ExecutorResult<F, Args...>> run_in_executor(ThreadPool* pool,
                                                          F&& fn,
                                                          Args&&... args) {
  EventLoop& loop = get_running_loop();
  ThreadPool& target = pool ? *pool : default_executor(loop);
  return WrappedFuture<ExecutorResult<F, Args...>>(
      target.submit(std::forward<F>(fn), std::forward<Args>(args)...), loop);
}

// asyncio.to_thread: run_in_executor on the default executor.
template <typename F, typename... Args>
WrappedFuture<ExecutorResult<F, Args...>> to_thread(F&& fn, Args&&... args) {
  return run_in_executor(static_cast<ThreadPool*>(nullptr), std::forward<F>(fn),
                         std::forward<Args>(args)...);
}

}  // namespace aio

#endif  // AIO_EXECUTOR_RUN_IN_EXECUTOR_H_
