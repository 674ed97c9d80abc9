// Helpers shared by the //sync tests.
#ifndef AIO_TESTS_SYNC_TEST_UTIL_H_
#define AIO_TESTS_SYNC_TEST_UTIL_H_

#include <string>
#include <utility>

#include "loop/event_loop.h"
#include "loop/sleep.h"
#include "loop/task.h"

namespace aio::testing {

// Options for a loop on virtual time (sleeps complete at once,
// deterministically), with an optional name for error messages.
inline EventLoop::Options VirtualTime(std::string name = {}) {
  EventLoop::Options o;
  o.virtual_time = true;
  o.name = std::move(name);
  return o;
}

// Yields once, so that tasks created before now run up to their first await.
inline Coro<void> yield() { co_await sleep(0); }

}  // namespace aio::testing

#endif  // AIO_TESTS_SYNC_TEST_UTIL_H_
