// Helpers shared by the //loop tests.
#ifndef AIO_TESTS_LOOP_TEST_UTIL_H_
#define AIO_TESTS_LOOP_TEST_UTIL_H_

#include <string>
#include <vector>

#include "loop/loop.h"

namespace aio::testing {

// A loop with virtual time whose exception handler records messages.
struct VirtualLoop {
  std::unique_ptr<EventLoop> loop = new_event_loop({.virtual_time = true});
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

}  // namespace aio::testing

#endif  // AIO_TESTS_LOOP_TEST_UTIL_H_
