// Internal: turning what combinators accept (Coro<T>, Task<T>, Future<T>)
// into futures, as asyncio.ensure_future does.
#ifndef AIO_LOOP_INTERNAL_AWAITABLES_H_
#define AIO_LOOP_INTERNAL_AWAITABLES_H_

#include <type_traits>
#include <utility>
#include <variant>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/task.h"

namespace aio::internal {

template <typename A>
struct AwaitableTraits;
template <typename T>
struct AwaitableTraits<Coro<T>> {
  using value = T;
};
template <typename T>
struct AwaitableTraits<Task<T>> {
  using value = T;
};
template <typename T>
struct AwaitableTraits<Future<T>> {
  using value = T;
};

template <typename A>
using awaitable_value_t = typename AwaitableTraits<std::decay_t<A>>::value;

// void becomes std::monostate in tuples and vectors of results.
template <typename T>
using value_or_monostate_t =
    std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <typename T>
Future<T> ensure_future(Coro<T> c) {
  return create_task(std::move(c));
}
template <typename T>
Future<T> ensure_future(Task<T> t) {
  return t;
}
template <typename T>
Future<T> ensure_future(Future<T> f) {
  return f;
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
