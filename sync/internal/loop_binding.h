// Internal: which event loop a //sync primitive belongs to.
//
// A primitive may be created anywhere (at namespace scope, before any loop
// exists, in a constructor). It binds to the loop that first uses it: the
// running loop of the first call made inside a running loop. Using it later
// from a different loop throws std::logic_error naming both loops (asyncio's
// "is bound to a different event loop" RuntimeError), never hangs. Once the
// loop it is bound to has been destroyed and nobody waits on the primitive, a
// new loop may adopt it (a global Semaphore survives several aio::run calls).
//
// The binding itself is atomic, so a second loop in another thread that
// touches the primitive is refused before it reads anything else; all other
// state of a primitive is used only on its loop's thread.
#ifndef AIO_SYNC_INTERNAL_LOOP_BINDING_H_
#define AIO_SYNC_INTERNAL_LOOP_BINDING_H_

#include <atomic>

#include "loop/event_loop.h"

namespace aio::internal {

class LoopBinding {
 public:
  // Binds to the running loop, or checks that it is the bound one. `what`
  // names the primitive in the error ("aio::Semaphore"); `idle` says that no
  // task waits on it (only then may a new loop adopt it). Outside a running
  // loop (setting a primitive up before the loop runs) this is a no-op.
  void check(const char* what, bool idle) {
    EventLoop* running = get_running_loop_or_null();
    if (running == nullptr || running == loop_.load(std::memory_order_acquire))
      return;
    bind_slow(running, what, idle);
  }
  // The bound loop, or nullptr before the first use.
  EventLoop* loop() const { return loop_.load(std::memory_order_acquire); }

 private:
  void bind_slow(EventLoop* running, const char* what, bool idle);

  std::atomic<EventLoop*> loop_{nullptr};
};

}  // namespace aio::internal

#endif  // AIO_SYNC_INTERNAL_LOOP_BINDING_H_
