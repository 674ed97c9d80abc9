// //executor: the bridge between an event loop and blocking code on other
// threads (concurrent.futures and loop.run_in_executor for C++).
//
// ThreadPool (thread_pool.h) runs jobs and returns ConcurrentFutures
// (concurrent_future.h). A coroutine awaits one with wrap_future
// (wrap_future.h), or submits and awaits in one step with run_in_executor /
// to_thread (run_in_executor.h). Another thread hands a coroutine to a
// running loop with run_coroutine_threadsafe (run_coroutine_threadsafe.h).
// Completions wake the loop through call_soon_threadsafe: no polling.
#ifndef AIO_EXECUTOR_EXECUTOR_H_
#define AIO_EXECUTOR_EXECUTOR_H_

#include "executor/concurrent_future.h"
#include "executor/run_coroutine_threadsafe.h"
#include "executor/run_in_executor.h"
#include "executor/thread_pool.h"
#include "executor/wrap_future.h"

#endif  // AIO_EXECUTOR_EXECUTOR_H_
