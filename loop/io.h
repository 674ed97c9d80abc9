// One-shot readiness waits for non-blocking file descriptors, the building
// block of //net's streams.
//
// `uint32_t ev = co_await aio::wait_readable(fd);` parks the current task until
// epoll reports `fd` readable (or hung up / in error) and returns the epoll
// event bits. At most one task may wait per fd and direction. Cancelling the
// task unregisters the wait at once. The epoll registration is dropped lazily,
// so a stream that waits again and again costs no extra syscalls; call
// loop.forget_fd(fd) before closing the fd (it wakes a waiter with EPOLLERR).
// A second waiter for the same fd and direction, or an fd epoll cannot poll
// (a regular file), is refused with std::logic_error / std::system_error.
//
// Threads: await inside a task, on its loop's thread. The task resumes on
// that loop, through its run queue, in the iteration after epoll reports the
// fd. Closing the loop detaches the wait; the fd itself stays the caller's.
#ifndef AIO_LOOP_IO_H_
#define AIO_LOOP_IO_H_

#include <sys/epoll.h>

#include <coroutine>
#include <cstdint>

#include "loop/event_loop.h"
#include "loop/park.h"

namespace aio {
namespace internal {

class IoAwaiter : private ParkedTask {
 public:
  IoAwaiter(int fd, bool write) : fd_(fd), write_(write) {}
  IoAwaiter(IoAwaiter&&) = default;  // until awaited (see park.h)
  ~IoAwaiter() {
    // Only a closing loop drops a parked frame, and close() detaches the
    // wait first (kDetach), so registered_ implies the loop is alive.
    if (registered_) task->loop()->clear_io_waiter(fd_, write_, &w_);
  }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (!prepare(write_ ? "aio::wait_writable" : "aio::wait_readable"))
      return false;
    w_.task = task;
    task->loop()->set_io_waiter(fd_, write_, &w_);
    registered_ = true;
    cancel = [](CancelHook* c, Op op, std::string&) {
      auto* self = static_cast<IoAwaiter*>(c);
      self->task->loop()->clear_io_waiter(self->fd_, self->write_, &self->w_);
      self->registered_ = false;
      if (op == kCancel) self->wake();
      return false;
    };
    suspend_at(h);  // the loop wakes the task through w_ (wake_parked)
    return true;
  }
  uint32_t await_resume() {
    registered_ = false;  // the loop cleared the slot when it fired
    deliver_cancel();
    return w_.events;
  }

 private:
  int fd_;
  bool write_;
  bool registered_ = false;
  EventLoop::IoWaiter w_;
};

}  // namespace internal

inline internal::IoAwaiter wait_readable(int fd) {
  return internal::IoAwaiter(fd, false);
}
inline internal::IoAwaiter wait_writable(int fd) {
  return internal::IoAwaiter(fd, true);
}

}  // namespace aio

#endif  // AIO_LOOP_IO_H_
