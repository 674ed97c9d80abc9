#include "sync/internal/loop_binding.h"

#include <stdexcept>
#include <string>

namespace aio::internal {

void LoopBinding::bind_slow(EventLoop* running, const char* what, bool idle) {
  EventLoop* bound = loop_.load(std::memory_order_acquire);
  for (;;) {
    if (bound == running) return;
    const bool adoptable = bound == nullptr || (idle && !loop_alive(bound));
    if (!adoptable) break;
    if (loop_.compare_exchange_weak(bound, running, std::memory_order_acq_rel))
      return;
  }
  // A loop that died with tasks still waiting here has no name to read.
  const std::string bound_name =
      loop_alive(bound) ? bound->name() : std::string("(destroyed)");
  throw std::logic_error(
      std::string(what) + " is bound to event loop " + bound_name +
      " (the first loop that used it) and cannot be used from " +
      running->name() +
      "; a synchronisation primitive serves one loop: create "
      "one per loop, or use it once the first loop is gone");
}

}  // namespace aio::internal
