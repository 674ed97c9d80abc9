// Helpers shared by the tests of every component (//loop, //sync,
// //executor, //net): the one way to put a loop on virtual time
// (VirtualTime(), VirtualLoop), the one way to run a coroutine test body on a
// fresh loop (run_test), fatal assertions usable inside coroutines
// (CO_ASSERT_TRUE, CO_ASSERT_OK: gtest's ASSERT_* `return`, which a
// coroutine cannot), and small building blocks: after / fail_after /
// cancel_and_wait / yield for tasks, Gate / Rendezvous for worker threads,
// closed_port() for sockets.
//
// Everything here runs on the test's thread and its loop, except Gate and
// Rendezvous, which are for worker threads.
#ifndef AIO_TESTS_COMMON_TEST_UTIL_H_
#define AIO_TESTS_COMMON_TEST_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "loop/loop.h"

namespace aio::testing {

// ---- virtual time ----

// Options for a loop on virtual time (sleeps complete at once,
// deterministically), with an optional name for error messages.
inline EventLoop::Options VirtualTime(std::string name = {}) {
  EventLoop::Options o;
  o.virtual_time = true;
  o.name = std::move(name);
  return o;
}

// A new loop on virtual time.
inline std::unique_ptr<EventLoop> new_virtual_loop(std::string name = {}) {
  return new_event_loop(VirtualTime(std::move(name)));
}

// A loop on virtual time whose exception handler records what it reports
// (instead of printing it), for tests that check those reports.
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

// ---- running a test body ----

inline const absl::Status& status_of(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& status_of(const absl::StatusOr<T>& s) {
  return s.status();
}

namespace internal {
inline Coro<void> run_test_body(Coro<void> body,
                                std::vector<std::string>* errors) {
  get_running_loop().set_exception_handler(
      [errors](EventLoop&, const ExceptionContext& c) {
        std::string text = c.message;
        if (c.exception) text += ": " + describe_exception(c.exception);
        if (errors) {
          errors->push_back(text);
        } else {
          ADD_FAILURE() << "unexpected loop error: " << text;
        }
      });
  co_await body;
}
}  // namespace internal

// Runs `body` to completion with aio::run (a fresh loop, with `options`:
// pass VirtualTime() for virtual time; leftover tasks are cancelled and
// drained). Errors reported to the loop's exception handler are collected in
// `errors` when given, else they fail the test.
inline void run_test(Coro<void> body,
                     std::vector<std::string>* errors = nullptr,
                     EventLoop::Options options = {}) {
  aio::run(internal::run_test_body(std::move(body), errors),
           std::move(options));
}

// ---- tasks ----

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

// Yields once, so that tasks created before now run up to their first await.
inline Coro<void> yield() { co_await sleep(0); }

// ---- worker threads ----

// A gate that jobs on worker threads wait at until the test opens it.
class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A meeting point for `n` jobs that must all run at the same time: arrive()
// returns true once all `n` have arrived. The limit is there only so that a
// missing worker fails the test (false) instead of hanging it; it is far
// above any scheduling delay of a loaded machine, so it is not a timing
// assertion.
class Rendezvous {
 public:
  explicit Rendezvous(int n) : n_(n) {}
  bool arrive(std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> l(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(l, limit, [this] { return arrived_ >= n_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  const int n_;
  int arrived_ = 0;
};

// ---- sockets ----

// A port on 127.0.0.1 where nothing listens.
inline uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace aio::testing

// Fatal assertions for coroutine test bodies: on failure, record it and
// co_return.
#define CO_ASSERT_TRUE(cond)                       \
  do {                                             \
    if (!(cond)) {                                 \
      ADD_FAILURE() << "Assertion failed: " #cond; \
      co_return;                                   \
    }                                              \
  } while (0)

#define CO_ASSERT_OK(expr)                                          \
  do {                                                              \
    const auto& co_assert_value_ = (expr);                          \
    if (!co_assert_value_.ok()) {                                   \
      ADD_FAILURE() << #expr << " failed: "                         \
                    << ::aio::testing::status_of(co_assert_value_); \
      co_return;                                                    \
    }                                                               \
  } while (0)

#endif  // AIO_TESTS_COMMON_TEST_UTIL_H_
