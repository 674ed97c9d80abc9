// Helpers shared by the //net tests: fatal assertions usable inside
// coroutines (gtest's ASSERT_* use `return`, which a coroutine cannot), a
// way to run a test body on a fresh loop, and a port where nothing listens.
#ifndef AIO_TESTS_NET_TEST_UTIL_H_
#define AIO_TESTS_NET_TEST_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "loop/loop.h"

namespace aio::testing {

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

inline const absl::Status& status_of(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& status_of(const absl::StatusOr<T>& s) {
  return s.status();
}

// Runs `body` to completion with aio::run (fresh loop; leftover tasks are
// cancelled and drained). Errors reported to the loop's exception handler
// are collected in `errors` when given, else they fail the test.
inline void run_test(Coro<void> body,
                     std::vector<std::string>* errors = nullptr) {
  aio::run([](Coro<void> b, std::vector<std::string>* errs) -> Coro<void> {
    get_running_loop().set_exception_handler(
        [errs](EventLoop&, const ExceptionContext& c) {
          std::string text = c.message;
          if (c.exception) text += ": " + describe_exception(c.exception);
          if (errs) {
            errs->push_back(text);
          } else {
            ADD_FAILURE() << "unexpected loop error: " << text;
          }
        });
    co_await b;
  }(std::move(body), errors));
}

}  // namespace aio::testing

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

#endif  // AIO_TESTS_NET_TEST_UTIL_H_
