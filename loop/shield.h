// aio::shield: protect a task from the cancellation of its awaiter
// (asyncio.shield).
//
//   T v = co_await aio::shield(task);
//
// Cancelling the awaiting task raises CancelledError in it, but `task` keeps
// running; its result is dropped unless someone else awaits it, and a
// failure it ends with after that is reported as never retrieved (asyncio).
// The returned Future is cancelled if `task` is. Any awaitable is accepted
// (a Coro or a primitive's awaiter runs as a new task, see ensure_future.h).
//
// What keeps the inner alive: a task is kept by its loop until it finishes,
// and the shield's done-callback holds a reference to the inner (and to the
// returned outer Future) until the inner is done, so dropping every handle
// neither stops nor frees the inner.
//
// Threads: call on the running loop's thread; the outer Future belongs to
// that loop and completes on it (through a done-callback, via call_soon), so
// its awaiters resume there.
#ifndef AIO_LOOP_SHIELD_H_
#define AIO_LOOP_SHIELD_H_

#include <utility>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/internal/awaitables.h"
#include "loop/task.h"

namespace aio {

template <typename A>
Future<internal::awaitable_value_t<A>> shield(A aw) {
  using T = internal::awaitable_value_t<A>;
  Future<T> inner = internal::ensure_future(std::move(aw));
  if (inner.done()) return inner;
  Future<T> outer = get_running_loop().template create_future<T>();
  inner.add_done_callback([outer](Future<T>& in) {
    // The shield's owner left (outer cancelled): as asyncio removes this
    // callback, nothing retrieves the inner's outcome here, so a failure is
    // reported as never retrieved when the inner's last handle goes.
    if (outer.done()) return;
    if (in.cancelled()) {
      outer.cancel();
    } else if (auto e = in.exception()) {
      outer.set_exception(e);
    } else if constexpr (std::is_void_v<T>) {
      outer.set_result();
    } else {
      outer.set_result(in.state()->get());
    }
  });
  return outer;
}

}  // namespace aio

#endif  // AIO_LOOP_SHIELD_H_
