// Helpers shared by the //loop tests.
#ifndef AIO_TESTS_LOOP_TEST_UTIL_H_
#define AIO_TESTS_LOOP_TEST_UTIL_H_

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "loop/loop.h"

namespace aio::testing {

// A new loop with virtual time.
inline std::unique_ptr<EventLoop> new_virtual_loop() {
  EventLoop::Options options;
  options.virtual_time = true;
  return new_event_loop(std::move(options));
}

// A loop with virtual time whose exception handler records messages.
struct VirtualLoop {
  std::unique_ptr<EventLoop> loop = new_virtual_loop();
  std::vector<ExceptionContext> errors;
  VirtualLoop() {
    loop->set_exception_handler(
        [this](EventLoop&, const ExceptionContext& c) { errors.push_back(c); });
  }
  EventLoop* operator->() { return loop.get(); }
  EventLoop& operator*() { return *loop; }
  double elapsed_s(TimePoint start) const {
    return std::chrono::duration<double>(loop->time() - start).count();
  }
};

// Returns `v` after sleeping `d`.
inline Coro<int> after(int v, Duration d) {
  co_await sleep(d);
  co_return v;
}

// Throws std::runtime_error(what) after sleeping `d`.
inline Coro<int> fail_after(Duration d, std::string what = "failed") {
  co_await sleep(d);
  throw std::runtime_error(what);
}

// Cancels `t` and waits until it has unwound (its CancelledError is
// swallowed; check t.cancelled() to see how it ended).
template <typename T>
Coro<void> cancel_and_wait(Task<T> t) {
  t.cancel();
  try {
    co_await t;
  } catch (const CancelledError&) {
  }
}

}  // namespace aio::testing

#endif  // AIO_TESTS_LOOP_TEST_UTIL_H_
