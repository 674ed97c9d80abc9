// aio::run: asyncio.run for C++.
//
//   int main() { return aio::run(amain()); }
//
// Creates a new event loop, makes it the thread's current loop, runs `main`
// to completion, then cancels every task still pending and waits for them to
// unwind (reporting their unexpected errors through the exception handler),
// shuts down the default executor, and closes the loop. Returns main's value
// or rethrows its exception. std::logic_error if a loop is already running on
// this thread.
#ifndef AIO_LOOP_RUN_H_
#define AIO_LOOP_RUN_H_

#include <memory>
#include <stdexcept>
#include <utility>

#include "loop/coro.h"
#include "loop/event_loop.h"
#include "loop/task.h"

namespace aio {
namespace internal {
// Cancels and drains pending tasks, shuts down the default executor, unsets
// and closes `loop`. Never throws.
void shutdown_loop(EventLoop& loop) noexcept;
}  // namespace internal

template <typename T>
T run(Coro<T> main, EventLoop::Options options = {}) {
  if (get_running_loop_or_null()) {
    throw std::logic_error(
        "aio::run() cannot be called from a running event loop");
  }
  auto loop = new_event_loop(std::move(options));
  set_event_loop(loop.get());
  struct Finally {
    EventLoop* l;
    ~Finally() { internal::shutdown_loop(*l); }
  } finally{loop.get()};
  return loop->run_until_complete(std::move(main));
}

}  // namespace aio

#endif  // AIO_LOOP_RUN_H_
