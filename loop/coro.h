// aio::Coro<T>: the return type of a coroutine function.
//
// Lazy like a Python coroutine object: calling the function allocates its
// frame and runs nothing. `co_await coro` runs it in the awaiting task and
// yields its value or rethrows its exception; aio::create_task(coro) runs it
// as a Task. Move-only; destroying an un-awaited Coro frees its frame.
//
// Control passes by symmetric transfer in both directions (await_suspend
// returns the callee, final_suspend returns the caller), so a chain of any
// depth of coroutines that complete synchronously uses bounded stack, in
// every build mode (see internal::transfer_to for GCC's -O0/ASan caveat).
//
// Lifetime trap (as in every C++ coroutine library): a coroutine lambda's
// captures live in the lambda object, not in the frame. Prefer named coroutine
// functions that take parameters by value.
#ifndef AIO_LOOP_CORO_H_
#define AIO_LOOP_CORO_H_

#include <cassert>
#include <coroutine>
#include <exception>
#include <utility>

#include "loop/internal/future_state.h"

namespace aio {

template <typename T>
class Coro;

namespace internal {

template <typename T>
class CoroPromiseBase : public FutureState<T> {
 public:
  CoroPromiseBase() { this->flags_ |= FutureBase::kIsCoro; }
  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      P& p = h.promise();
      if (p.is_task()) {
        p.finish_task(p.take_escaped());  // may free the frame
        return std::noop_coroutine();
      }
      // Nested coroutine: continue the awaiting coroutine (its continuation
      // is kept in resume_point).
      return p.resume_point ? transfer_to(p.resume_point)
                            : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept {
    this->exc_ = std::current_exception();
    this->flags_ |= FutureBase::kEscaped;
  }
  std::exception_ptr take_escaped() {
    if (!(this->flags_ & FutureBase::kEscaped)) return nullptr;
    this->flags_ &= ~FutureBase::kEscaped;
    return std::exchange(this->exc_, nullptr);
  }

  // For an awaited (nested) coroutine: the value, or rethrow.
  T take_result() {
    if (std::exception_ptr e = take_escaped())
      std::rethrow_exception(std::move(e));
    if constexpr (!std::is_void_v<T>) return std::move(this->value());
  }
};

template <typename T>
class CoroPromise final : public CoroPromiseBase<T> {
 public:
  static_assert(alignof(T) <= 16,
                "over-aligned coroutine results are not supported");
  Coro<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) {
    this->emplace(std::forward<U>(v));
  }
};

template <>
class CoroPromise<void> final : public CoroPromiseBase<void> {
 public:
  Coro<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

// FutureBase::destroy_state finds the frame from the promise's address.
template <typename P>
inline std::coroutine_handle<P> checked_handle(P& p) noexcept {
  auto h = std::coroutine_handle<P>::from_promise(p);
  assert(static_cast<char*>(h.address()) + FutureBase::kPromiseOffset ==
         reinterpret_cast<char*>(static_cast<FutureBase*>(&p)));
  return h;
}

}  // namespace internal

template <typename T = void>
class [[nodiscard]] Coro {
 public:
  using promise_type = internal::CoroPromise<T>;
  using handle_type = std::coroutine_handle<promise_type>;
  using value_type = T;

  Coro() = default;
  explicit Coro(handle_type h) noexcept : h_(h) {}
  Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Coro& operator=(Coro&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Coro(const Coro&) = delete;
  Coro& operator=(const Coro&) = delete;
  ~Coro() {
    if (h_) h_.destroy();
  }

  bool valid() const { return static_cast<bool>(h_); }
  // Gives up ownership of the frame (create_task takes it this way).
  handle_type release() { return std::exchange(h_, nullptr); }

  struct Awaiter {
    handle_type h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(
        std::coroutine_handle<> caller) noexcept {
      h.promise().resume_point = caller;
      return internal::transfer_to(h);
    }
    T await_resume() { return h.promise().take_result(); }
  };
  Awaiter operator co_await() && {
    if (!h_) throw std::logic_error("co_await on an empty Coro");
    return Awaiter{h_};
  }
  Awaiter operator co_await() & {
    if (!h_) throw std::logic_error("co_await on an empty Coro");
    return Awaiter{h_};
  }

 private:
  handle_type h_;
};

namespace internal {
template <typename T>
Coro<T> CoroPromise<T>::get_return_object() noexcept {
  return Coro<T>(checked_handle(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept {
  return Coro<void>(checked_handle(*this));
}
}  // namespace internal

}  // namespace aio

#endif  // AIO_LOOP_CORO_H_
