// aio::ensure_future (asyncio.ensure_future): turn any awaitable into a
// future of the running loop.
//
//   aio::Task<int> t = aio::ensure_future(fetch(url));     // a Coro: a task
//   aio::Task<Item> g = aio::ensure_future(queue.get());   // an awaiter: too
//   aio::Future<int> f = aio::ensure_future(fut);          // a Future: itself
//
// A Coro<T> is scheduled as a task (create_task). A Task or Future is
// returned as is. Any other awaitable — the awaiters that primitives return
// (queue.get(), sem.acquire(), lock.acquire(), event.wait(), sleep(...),
// wrap_future(...)) — is awaited by a new task, whose value is the
// awaitable's result (a void result: Task<void>). The awaitable is moved into
// that task, so pass it before it is first awaited.
//
// Threads: call on the running loop's thread (std::runtime_error outside a
// running loop for anything that needs a new task). The new task resumes
// where every task does: on that loop, through its run queue. Lifetime: the
// loop keeps a new task alive until it finishes, whether or not a handle is
// kept. aio::wait_for, shield, gather, wait and as_completed accept the same
// awaitables, through this function.
#ifndef AIO_LOOP_ENSURE_FUTURE_H_
#define AIO_LOOP_ENSURE_FUTURE_H_

#include <coroutine>
#include <type_traits>
#include <utility>

#include "loop/coro.h"
#include "loop/future.h"
#include "loop/task.h"

namespace aio {
namespace internal {

// An awaiter: the object co_await uses directly.
template <typename A>
concept AwaiterObject = requires(A& a, std::coroutine_handle<> h) {
  { a.await_ready() } -> std::convertible_to<bool>;
  a.await_suspend(h);
  a.await_resume();
};
// An awaitable with a member operator co_await (Coro, Future, Task).
template <typename A>
concept HasMemberCoAwait = requires(A&& a) {
  std::forward<A>(a).operator co_await();
};

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
requires(AwaiterObject<A> && !HasMemberCoAwait<A>)
struct AwaitableTraits<A> {
  using value = std::decay_t<decltype(std::declval<A&>().await_resume())>;
};
template <typename A>
requires(HasMemberCoAwait<A> && !AwaiterObject<A>)
struct AwaitableTraits<A> {
  using value = std::decay_t<
      decltype(std::declval<A>().operator co_await().await_resume())>;
};

// What co_await of an A yields (decayed); void for void.
template <typename A>
using awaitable_value_t = typename AwaitableTraits<std::decay_t<A>>::value;

template <typename A>
concept Awaitable = requires { typename awaitable_value_t<A>; };

template <typename A>
inline constexpr bool kIsFutureLike = false;
template <typename T>
inline constexpr bool kIsFutureLike<Coro<T>> = true;
template <typename T>
inline constexpr bool kIsFutureLike<Task<T>> = true;
template <typename T>
inline constexpr bool kIsFutureLike<Future<T>> = true;

// The body of the task that ensure_future wraps around an awaitable (a named
// coroutine that owns the awaitable in its frame: no lambda captures).
template <typename A>
Coro<awaitable_value_t<A>> await_awaitable(A aw) {
  co_return co_await std::move(aw);
}

}  // namespace internal

template <typename T>
Task<T> ensure_future(Coro<T> coro) {
  return create_task(std::move(coro));
}
template <typename T>
Task<T> ensure_future(Task<T> task) {
  return task;
}
template <typename T>
Future<T> ensure_future(Future<T> fut) {
  return fut;
}
template <typename A>
requires(internal::Awaitable<A> && !internal::kIsFutureLike<std::decay_t<A>>)
Task<internal::awaitable_value_t<A>> ensure_future(A aw) {
  return create_task(internal::await_awaitable(std::move(aw)));
}

}  // namespace aio

#endif  // AIO_LOOP_ENSURE_FUTURE_H_
