// Internal: turning what combinators accept (any awaitable: Coro<T>,
// Task<T>, Future<T>, the primitives' awaiters) into futures, as
// asyncio.ensure_future does (see loop/ensure_future.h), and reading their
// results.
#ifndef AIO_LOOP_INTERNAL_AWAITABLES_H_
#define AIO_LOOP_INTERNAL_AWAITABLES_H_

#include <type_traits>
#include <utility>
#include <variant>

#include "loop/coro.h"
#include "loop/ensure_future.h"
#include "loop/future.h"
#include "loop/task.h"

namespace aio::internal {

// void becomes std::monostate in tuples and vectors of results.
template <typename T>
using value_or_monostate_t =
    std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// Any awaitable as a Future of its value (aio::ensure_future).
template <typename A>
Future<awaitable_value_t<A>> ensure_future(A aw) {
  return ::aio::ensure_future(std::move(aw));
}

// The result of a done future, void as monostate. Rethrows failures.
template <typename T>
value_or_monostate_t<T> result_of(const Future<T>& f) {
  if constexpr (std::is_void_v<T>) {
    f.state()->get();
    return std::monostate{};
  } else {
    return f.state()->get();
  }
}

}  // namespace aio::internal

#endif  // AIO_LOOP_INTERNAL_AWAITABLES_H_
