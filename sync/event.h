// aio::Event (asyncio.Event): a flag that tasks wait for.
//
//   aio::Event ready;
//   co_await ready.wait();    // in waiters: returns once ready.set() is called
//   ready.set();              // wakes every waiter, in the order they waited
//
// wait() returns at once while the flag is set; clear() resets it. A task
// cancelled while waiting raises CancelledError and leaves no trace; one
// cancelled after set() woke it raises CancelledError too (the flag stays
// set, so nothing is lost).
//
// Threads and loops: use from one loop's thread; set() from another thread
// must go through loop.call_soon_threadsafe. Binds to the first loop that uses
// it (std::logic_error from another loop, see sync/internal/loop_binding.h);
// set() and clear() may also be called before any loop runs. Waiters resume on
// the bound loop through its run queue. Destroying an Event that tasks wait on
// wakes them with std::logic_error.
#ifndef AIO_SYNC_EVENT_H_
#define AIO_SYNC_EVENT_H_

#include <coroutine>
#include <cstddef>

#include "loop/park.h"
#include "sync/internal/loop_binding.h"

namespace aio {

class Event {
 public:
  Event() = default;
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  class [[nodiscard]] WaitAwaiter : private internal::ListWaiter {
   public:
    explicit WaitAwaiter(Event* ev) : ev_(ev) {}
    WaitAwaiter(WaitAwaiter&&) = default;  // until awaited (loop/park.h)
    WaitAwaiter& operator=(const WaitAwaiter&) = delete;
    ~WaitAwaiter() { internal::unpark(this); }
    bool await_ready();
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();

   private:
    Event* ev_;
  };

  // Waits until the flag is set (returns at once if it is).
  WaitAwaiter wait() { return WaitAwaiter(this); }
  // Sets the flag and wakes every waiter.
  void set();
  // Resets the flag; later wait() calls block until the next set().
  void clear();
  bool is_set() const { return set_; }
  size_t waiting() const { return waiters_.size(); }

 private:
  bool set_ = false;
  internal::WaitList waiters_;
  internal::LoopBinding binding_;
};

}  // namespace aio

#endif  // AIO_SYNC_EVENT_H_
