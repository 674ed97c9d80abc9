// aio::wait, aio::wait_for and aio::as_completed (asyncio's).
//
// wait(tasks, timeout, return_when) -> {done, pending}: parks until the
//   condition holds or the timeout passes. It never cancels anything: on
//   timeout the pending tasks keep running (asyncio semantics).
// wait_for(awaitable, timeout) -> T: the awaitable's result; on timeout it
//   cancels the inner work, waits for it to unwind, and throws
//   aio::TimeoutError. If the inner work swallows the cancellation and
//   returns a value, that value is returned. Cancelling the awaiting task
//   cancels the inner work too.
// as_completed(tasks, timeout): iterate; each step, co_awaited, yields the
//   next result in completion order (or rethrows that task's exception);
//   aio::TimeoutError once the overall timeout passes.
//
//   for (auto next : aio::as_completed(tasks)) {
//     int v = co_await next;
//   }
//
// Awaitables: each accepts any awaitable — Coro, Task, Future, or an awaiter
// a primitive returns (`co_await aio::wait_for(queue.get(), 5s)`,
// `wait_for(sem.acquire(), 1s)`, `wait_for(event.wait(), 1s)`); what is not
// a Task or Future is wrapped in a task first (see loop/ensure_future.h).
// Timeouts follow loop/clock.h: <= 0 has passed already, Duration::max() or
// infinity never passes, NaN throws std::invalid_argument.
//
// Threads: call and await these on the running loop's thread, inside a task;
// the futures must belong to that loop (std::logic_error otherwise). The
// awaiting task resumes on that loop, through its run queue, when the
// condition holds, the deadline passes or it is cancelled.
#ifndef AIO_LOOP_WAIT_H_
#define AIO_LOOP_WAIT_H_

#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/ensure_future.h"
#include "loop/errors.h"
#include "loop/future.h"
#include "loop/internal/awaitables.h"
#include "loop/internal/wait_set.h"
#include "loop/task.h"

namespace aio {

enum class ReturnWhen { kAllCompleted, kFirstCompleted, kFirstException };

template <typename H>
struct WaitResult {
  std::vector<H> done;     // in input order
  std::vector<H> pending;  // in input order
};

namespace internal {
// The deadline of an optional timeout on `loop`'s clock; none for no timeout
// or one too long to come (loop/clock.h).
inline std::optional<int64_t> optional_deadline(
    EventLoop& loop, std::optional<Duration> timeout) {
  if (!timeout) return std::nullopt;
  int64_t d = deadline_after(loop.now_ns(), timeout->count());
  if (d == kNever) return std::nullopt;
  return d;
}
// What aio::wait returns for an H: H itself for a Task or Future, else the
// Task that wraps it.
template <typename H>
using wait_handle_t = decltype(::aio::ensure_future(std::declval<H>()));

template <typename Rep, typename Period>
std::optional<Duration> timeout_of(std::chrono::duration<Rep, Period> timeout,
                                   const char* what) {
  return Duration(to_ns(timeout, what));
}
}  // namespace internal

// Any awaitables: Tasks and Futures are watched as they are, anything else is
// wrapped in a task first (ensure_future), so `done` and `pending` hold
// Task<T> for those.
template <typename H>
Coro<WaitResult<internal::wait_handle_t<H>>> wait(
    std::vector<H> aws, std::optional<Duration> timeout = std::nullopt,
    ReturnWhen return_when = ReturnWhen::kAllCompleted) {
  using Handle = internal::wait_handle_t<H>;
  if (aws.empty())
    throw std::invalid_argument("aio::wait: the set of tasks is empty");
  EventLoop& loop = get_running_loop();
  std::vector<Handle> fs;
  fs.reserve(aws.size());
  for (auto& a : aws) fs.push_back(::aio::ensure_future(std::move(a)));
  std::vector<internal::FutureBase*> states;
  states.reserve(fs.size());
  for (auto& f : fs) states.push_back(f.state());
  internal::WaitSet ws(&loop, std::move(states));
  size_t target = return_when == ReturnWhen::kFirstCompleted ? 1 : fs.size();
  uint8_t stop = return_when == ReturnWhen::kFirstException
                     ? internal::WaitSet::kStopOnException
                     : internal::WaitSet::kStopOnNothing;
  co_await ws.wait(target, stop, internal::optional_deadline(loop, timeout));
  WaitResult<Handle> r;
  for (auto& f : fs) (f.done() ? r.done : r.pending).push_back(std::move(f));
  co_return r;
}

template <typename H, typename Rep, typename Period>
Coro<WaitResult<internal::wait_handle_t<H>>> wait(std::vector<H> fs,
                         std::chrono::duration<Rep, Period> timeout,
                         ReturnWhen return_when = ReturnWhen::kAllCompleted) {
  return wait(std::move(fs), internal::timeout_of(timeout, "aio::wait"),
              return_when);
}

template <typename A>
Coro<internal::awaitable_value_t<A>> wait_for(A aw,
                                              std::optional<Duration> timeout) {
  using T = internal::awaitable_value_t<A>;
  EventLoop& loop = get_running_loop();
  Future<T> fut = internal::ensure_future(std::move(aw));
  internal::WaitSet ws(&loop, {fut.state()});
  std::exception_ptr outer_cancel;
  bool ok = false;
  try {
    ok = co_await ws.wait(1, internal::WaitSet::kStopOnNothing,
                          internal::optional_deadline(loop, timeout));
  } catch (const CancelledError&) {
    outer_cancel = std::current_exception();
  }
  if (!ok) {
    fut.cancel();
    co_await ws.wait(1, internal::WaitSet::kStopOnNothing, std::nullopt, false);
    if (outer_cancel) std::rethrow_exception(outer_cancel);
    if (fut.cancelled()) throw TimeoutError("aio::wait_for: timed out");
  }
  co_return fut.state()->get();
}

template <typename A, typename Rep, typename Period>
Coro<internal::awaitable_value_t<A>> wait_for(
    A aw, std::chrono::duration<Rep, Period> timeout) {
  return wait_for(std::move(aw), internal::timeout_of(timeout, "aio::wait_for"));
}

// Yields results in completion order; see the header comment.
template <typename T>
class AsCompleted {
 public:
  template <typename H>
  AsCompleted(std::vector<H> fs, std::optional<Duration> timeout) {
    EventLoop& loop = get_running_loop();
    std::vector<internal::FutureBase*> states;
    for (auto& f : fs) {
      futs_.push_back(internal::ensure_future(std::move(f)));
      states.push_back(futs_.back().state());
    }
    ws_ = std::make_unique<internal::WaitSet>(&loop, std::move(states));
    deadline_ = internal::optional_deadline(loop, timeout);
  }

  // Awaiting the next completion: `T v = co_await ac.next();`
  Coro<T> next() {
    if (consumed_ >= futs_.size())
      throw std::out_of_range("as_completed: no more results");
    bool ok = co_await ws_->wait(consumed_ + 1,
                                 internal::WaitSet::kStopOnNothing, deadline_);
    if (!ok) throw TimeoutError("aio::as_completed: timed out");
    const Future<T>& f = futs_[ws_->done_order()[consumed_++]];
    co_return f.state()->get();
  }
  size_t size() const { return futs_.size(); }
  bool has_next() const { return consumed_ < futs_.size(); }

  class iterator {
   public:
    iterator(AsCompleted* ac, size_t i) : ac_(ac), i_(i) {}
    Coro<T> operator*() const { return ac_->next(); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    AsCompleted* ac_;
    size_t i_;
  };
  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, futs_.size()); }

 private:
  std::vector<Future<T>> futs_;
  std::unique_ptr<internal::WaitSet> ws_;
  std::optional<int64_t> deadline_;
  size_t consumed_ = 0;
};

template <typename H>
AsCompleted<internal::awaitable_value_t<H>> as_completed(
    std::vector<H> fs, std::optional<Duration> timeout = std::nullopt) {
  return AsCompleted<internal::awaitable_value_t<H>>(std::move(fs), timeout);
}

}  // namespace aio

#endif  // AIO_LOOP_WAIT_H_
