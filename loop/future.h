// aio::Future<T>: asyncio's low-level Future — a result that will exist later.
//
// A Future is bound to one event loop (the running loop when it is created, or
// the first loop that uses it) and used only on that loop's thread. To complete
// one from another thread, call loop.call_soon_threadsafe. The handle is a
// cheap, copyable reference; the state lives while any handle or awaiter does.
//
// Awaiting: `T v = co_await fut;` suspends the current task until the future is
// done, then returns a copy of the result (a move-only T is moved out: await it
// once) or rethrows the exception. Any number of tasks may await it.
// Cancelling an awaiting task cancels the future (asyncio semantics).
// Done-callbacks run on the loop, through call_soon, in registration order.
#ifndef AIO_LOOP_FUTURE_H_
#define AIO_LOOP_FUTURE_H_

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "loop/event_loop.h"
#include "loop/internal/future_state.h"

namespace aio {

template <typename T = void>
class Future {
 public:
  using value_type = T;

  // A new pending future, bound to the running loop (or, outside a loop, to
  // the first loop that uses it).
  Future()
      : st_(new internal::PlainFutureState<T>(get_running_loop_or_null())) {}
  Future(const Future& o) : st_(o.st_) {
    if (st_) st_->add_ref();
  }
  Future(Future&& o) noexcept : st_(std::exchange(o.st_, nullptr)) {}
  Future& operator=(Future o) noexcept {
    std::swap(st_, o.st_);
    return *this;
  }
  ~Future() {
    if (st_) st_->release();
  }

  bool done() const { return st_->done(); }
  bool cancelled() const { return st_->cancelled(); }
  // The result; InvalidStateError if pending, CancelledError if cancelled,
  // rethrows a stored exception.
  T result() const { return st_->get(); }
  // The stored exception (nullptr if the future has a result).
  std::exception_ptr exception() const { return st_->exception(); }

  template <typename U = T>
  requires(!std::is_void_v<U>) void set_result(U&& value) const {
    st_->check_settable("set_result()");
    st_->emplace(std::forward<U>(value));
    st_->finish_with_result();
  }
  void set_result() const requires std::is_void_v<T> {
    st_->check_settable("set_result()");
    st_->finish_with_result();
  }
  void set_exception(std::exception_ptr e) const {
    st_->set_exception(std::move(e));
  }
  template <typename E>
  requires std::is_base_of_v<std::exception, std::decay_t<E>>
  void set_exception(E&& e) const {
    set_exception(std::make_exception_ptr(std::forward<E>(e)));
  }
  // Cancels the future (a Task: requests cancellation, see task.h). Returns
  // false if it was already done.
  bool cancel(std::string msg = {}) const {
    return st_->cancel(std::move(msg));
  }

  // Schedules fn(future) — or fn() — with call_soon once the future is done
  // (at once if it is done already).
  template <typename F>
  void add_done_callback(F fn) const;

  EventLoop* get_loop() const { return st_->loop(); }
  bool valid() const { return st_ != nullptr; }
  bool operator==(const Future& o) const { return st_ == o.st_; }

  internal::FutureAwaiter<T> operator co_await() const {
    return internal::FutureAwaiter<T>(st_);
  }
  internal::FutureState<T>* state() const { return st_; }
  // Adopts a reference to `st` (internal).
  static Future adopt(internal::FutureState<T>* st) { return Future(st, 0); }

 protected:
  Future(internal::FutureState<T>* st, int) : st_(st) {}
  internal::FutureState<T>* st_;
};

namespace internal {
// Runs a done-callback through call_soon when its future completes.
template <typename H, typename F>
struct DoneCallback final : Waiter {
  H handle;
  F fn;
  DoneCallback(H h, F f) : handle(std::move(h)), fn(std::move(f)) {
    on_done = [](Waiter* w, FutureBase* fut) {
      auto* self = static_cast<DoneCallback*>(w);
      EventLoop* loop = fut->loop();
      if (!loop_alive(loop) || loop->is_closed()) {
        // Completed after its loop closed: nothing will ever run the
        // callback (asyncio's call_soon on a closed loop fails too).
        delete self;
        return;
      }
      loop->call_soon(
          [h = std::move(self->handle), f = std::move(self->fn)]() mutable {
            if constexpr (std::is_invocable_v<F&, H&>) {
              f(h);
            } else {
              f();
            }
          });
      delete self;
    };
  }
};

template <typename H, typename F>
void add_done_callback(const H& handle, F fn) {
  FutureBase* st = handle.state();
  EventLoop* loop = st->loop();
  if (!loop) {
    loop = &get_running_loop();
    st->bind_loop(loop, "add_done_callback:");
  }
  if (st->done()) {
    loop->call_soon([h = handle, f = std::move(fn)]() mutable {
      if constexpr (std::is_invocable_v<F&, H&>) {
        f(h);
      } else {
        f();
      }
    });
    return;
  }
  st->add_waiter(new DoneCallback<H, F>(handle, std::move(fn)));
}
}  // namespace internal

template <typename T>
template <typename F>
void Future<T>::add_done_callback(F fn) const {
  internal::add_done_callback(*this, std::move(fn));
}

template <typename T>
Future<T> EventLoop::create_future() {
  return Future<T>::adopt(new internal::PlainFutureState<T>(this));
}

}  // namespace aio

#endif  // AIO_LOOP_FUTURE_H_
