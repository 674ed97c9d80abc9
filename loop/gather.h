// aio::gather and aio::gather_settled: run awaitables concurrently and collect
// their results in argument order (asyncio.gather).
//
//   auto [a, b] = co_await aio::gather(fetch(1), fetch(2));
//   std::vector<int> all = co_await aio::gather(std::move(coros));
//
// Arguments may be any awaitable: Coro<T> and the primitives' awaiters are
// wrapped in tasks when the gather starts, in argument order (so children
// first run in that order, as in asyncio); Task<T> and Future<T> are watched
// as they are. void results become std::monostate.
//
// Threads: call and await on the running loop's thread, inside a task; every
// future must belong to that loop. The awaiting task resumes on that loop,
// through its run queue, once the children are done (or on cancellation).
//
// gather: on the first failure (exception or cancellation of a child) the
// other children are cancelled and awaited, then the failure is rethrown, so
// no child outlives the call (stricter than asyncio, which leaves them
// running). Cancelling the awaiting task cancels every child.
//
// gather_settled (asyncio's return_exceptions=True): waits for all and returns
// every outcome as an aio::Outcome<T> — value, exception or cancellation.
#ifndef AIO_LOOP_GATHER_H_
#define AIO_LOOP_GATHER_H_

#include <exception>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "loop/coro.h"
#include "loop/errors.h"
#include "loop/future.h"
#include "loop/internal/awaitables.h"
#include "loop/internal/wait_set.h"
#include "loop/task.h"

namespace aio {

// One child's outcome in gather_settled.
template <typename T>
class Outcome {
 public:
  using value_type = internal::value_or_monostate_t<T>;
  explicit Outcome(value_type v) : v_(std::move(v)) {}
  explicit Outcome(std::exception_ptr e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  // The value; rethrows the exception if the child failed.
  value_type& value() {
    if (!ok()) std::rethrow_exception(std::get<1>(v_));
    return std::get<0>(v_);
  }
  std::exception_ptr exception() const {
    return ok() ? nullptr : std::get<1>(v_);
  }
  bool cancelled() const {
    if (ok()) return false;
    try {
      std::rethrow_exception(std::get<1>(v_));
    } catch (const CancelledError&) {
      return true;
    } catch (...) {
      return false;
    }
  }

 private:
  std::variant<value_type, std::exception_ptr> v_;
};

namespace internal {

// Waits for every future in `ws`; on the first failure or on cancellation of
// the awaiting task, cancels the rest, waits for them, and rethrows.
inline Coro<void> gather_all(WaitSet& ws, bool fail_fast) {
  std::exception_ptr cancelled;
  try {
    co_await ws.wait(ws.size(), fail_fast ? WaitSet::kStopOnException |
                                                WaitSet::kStopOnCancelled
                                          : WaitSet::kStopOnNothing);
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  if (cancelled || (fail_fast && ws.failed())) {
    for (size_t i = 0; i < ws.size(); ++i) ws.future(i)->cancel();
    co_await ws.wait(ws.size(), WaitSet::kStopOnNothing, std::nullopt, false);
    // Only one error propagates; the others count as seen, as in asyncio
    // (no "exception was never retrieved" for them).
    for (size_t i = 0; i < ws.size(); ++i) {
      if (ws.future(i)->state() == State::kException) ws.future(i)->exception();
    }
    if (cancelled) std::rethrow_exception(cancelled);
    ws.future(*ws.first_failure())->rethrow_if_failed();
  }
}

template <typename T>
Outcome<T> outcome_of(const Future<T>& f) {
  FutureBase* st = f.state();
  if (st->state() == State::kResult) return Outcome<T>(result_of(f));
  try {
    st->rethrow_if_failed();
  } catch (...) {
    return Outcome<T>(std::current_exception());
  }
  return Outcome<T>(std::make_exception_ptr(InvalidStateError("pending")));
}

template <typename... F, size_t... I>
std::vector<FutureBase*> states_of(const std::tuple<F...>& fs,
                                   std::index_sequence<I...>) {
  return {std::get<I>(fs).state()...};
}

}  // namespace internal

template <typename... A>
Coro<std::tuple<
    internal::value_or_monostate_t<internal::awaitable_value_t<A>>...>>
gather(A... aws) {
  // Braces: children start in argument order (a function's arguments, as
  // make_tuple's, are evaluated in an unspecified order).
  std::tuple<Future<internal::awaitable_value_t<A>>...> futs{
      internal::ensure_future(std::move(aws))...};
  internal::WaitSet ws(
      &get_running_loop(),
      internal::states_of(futs, std::index_sequence_for<A...>{}));
  co_await internal::gather_all(ws, true);
  co_return std::apply(
      [](auto&... f) {
        return std::tuple<decltype(internal::result_of(f))...>{
            internal::result_of(f)...};
      },
      futs);
}

template <typename A>
Coro<
    std::vector<internal::value_or_monostate_t<internal::awaitable_value_t<A>>>>
gather(std::vector<A> aws) {
  using T = internal::awaitable_value_t<A>;
  std::vector<Future<T>> futs;
  futs.reserve(aws.size());
  for (auto& a : aws) futs.push_back(internal::ensure_future(std::move(a)));
  std::vector<internal::FutureBase*> states;
  states.reserve(futs.size());
  for (auto& f : futs) states.push_back(f.state());
  internal::WaitSet ws(&get_running_loop(), std::move(states));
  co_await internal::gather_all(ws, true);
  std::vector<internal::value_or_monostate_t<T>> out;
  out.reserve(futs.size());
  for (auto& f : futs) out.push_back(internal::result_of(f));
  co_return out;
}

template <typename... A>
Coro<std::tuple<Outcome<internal::awaitable_value_t<A>>...>> gather_settled(
    A... aws) {
  // Braces: children start in argument order (a function's arguments, as
  // make_tuple's, are evaluated in an unspecified order).
  std::tuple<Future<internal::awaitable_value_t<A>>...> futs{
      internal::ensure_future(std::move(aws))...};
  internal::WaitSet ws(
      &get_running_loop(),
      internal::states_of(futs, std::index_sequence_for<A...>{}));
  co_await internal::gather_all(ws, false);
  co_return std::apply(
      [](auto&... f) {
        return std::tuple<decltype(internal::outcome_of(f))...>{
            internal::outcome_of(f)...};
      },
      futs);
}

template <typename A>
Coro<std::vector<Outcome<internal::awaitable_value_t<A>>>> gather_settled(
    std::vector<A> aws) {
  using T = internal::awaitable_value_t<A>;
  std::vector<Future<T>> futs;
  futs.reserve(aws.size());
  for (auto& a : aws) futs.push_back(internal::ensure_future(std::move(a)));
  std::vector<internal::FutureBase*> states;
  for (auto& f : futs) states.push_back(f.state());
  internal::WaitSet ws(&get_running_loop(), std::move(states));
  co_await internal::gather_all(ws, false);
  std::vector<Outcome<T>> out;
  out.reserve(futs.size());
  for (auto& f : futs) out.push_back(internal::outcome_of(f));
  co_return out;
}

}  // namespace aio

#endif  // AIO_LOOP_GATHER_H_
