// Exceptions of the aio runtime, named after asyncio's.
//
// Policy (see README "Errors"): expected failures of the outside world are
// values (absl::Status). Cancellation and timeouts travel as exceptions through
// co_await, as in asyncio. Misuse of the API (awaiting a Future of another
// loop, running a loop twice) throws std::logic_error with a message naming the
// objects involved.
#ifndef AIO_LOOP_ERRORS_H_
#define AIO_LOOP_ERRORS_H_

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace aio {

// Raised inside a task at its innermost await when the task is cancelled
// (asyncio.CancelledError). A task may catch it to clean up; if it escapes the
// task's coroutine, the task ends cancelled.
class CancelledError : public std::exception {
 public:
  CancelledError() = default;
  explicit CancelledError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override {
    return message_.empty() ? "CancelledError" : message_.c_str();
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

// Raised by wait_for / as_completed when their deadline passes.
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("TimeoutError") {}
  explicit TimeoutError(const std::string& what) : std::runtime_error(what) {}
};

// Raised by Future::result() on a pending future, set_result() on a done one
// (asyncio.InvalidStateError).
class InvalidStateError : public std::logic_error {
 public:
  explicit InvalidStateError(const std::string& what)
      : std::logic_error(what) {}
};

// Raised by TaskGroup::join when children failed: every child's exception, in
// the order they failed (Python 3.11's ExceptionGroup).
class ExceptionGroup : public std::exception {
 public:
  ExceptionGroup(std::string message, std::vector<std::exception_ptr> errors);
  const char* what() const noexcept override { return what_.c_str(); }
  const std::vector<std::exception_ptr>& exceptions() const { return errors_; }

 private:
  std::vector<std::exception_ptr> errors_;
  std::string what_;
};

// Text of an exception_ptr's exception for messages ("TypeName: what()").
std::string describe_exception(const std::exception_ptr& e);

}  // namespace aio

#endif  // AIO_LOOP_ERRORS_H_
