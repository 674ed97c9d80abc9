// Internal: typed result storage on top of FutureBase, and the awaiter that
// parks a task on a future.
#ifndef AIO_LOOP_INTERNAL_FUTURE_STATE_H_
#define AIO_LOOP_INTERNAL_FUTURE_STATE_H_

#include <coroutine>
#include <memory>
#include <type_traits>
#include <utility>

#include "loop/event_loop.h"
#include "loop/internal/future_base.h"
#include "loop/park.h"

namespace aio::internal {

template <typename T>
class FutureState : public FutureBase {
 public:
  FutureState() {}  // the union's member is constructed by emplace()
  template <typename... A>
  void emplace(A&&... a) {
    if (has_value_) {
      value_.~T();
      has_value_ = false;
    }
    ::new (static_cast<void*>(std::addressof(value_))) T(std::forward<A>(a)...);
    has_value_ = true;
  }
  T& value() { return value_; }
  // The result for one of possibly many awaiters: a copy when T is copyable;
  // a move-only T is moved out (await it once).
  T get() {
    rethrow_if_failed();
    if constexpr (std::is_copy_constructible_v<T>) {
      return value_;
    } else {
      return std::move(value_);
    }
  }
  T take() {
    rethrow_if_failed();
    return std::move(value_);
  }

 protected:
  ~FutureState() {
    if (has_value_) value_.~T();
  }
  union {
    T value_;
  };
  bool has_value_ = false;
};

template <>
class FutureState<void> : public FutureBase {
 public:
  void emplace() {}
  void get() { rethrow_if_failed(); }
  void take() { rethrow_if_failed(); }
};

// A plain future's storage (asyncio.Future).
template <typename T>
class PlainFutureState final : public FutureState<T> {
 public:
  explicit PlainFutureState(EventLoop* loop) {
    this->loop_ = loop;
    this->deleter_ = [](FutureBase* b) {
      delete static_cast<PlainFutureState*>(b);
    };
  }
};

// Parks the current task on `fut` until it is done. Cancelling the task
// cancels the awaited future with the same message (asyncio semantics; use
// aio::shield to prevent it). Holds a reference to the future while alive.
template <typename T>
class FutureAwaiter : private Waiter, private ParkedTask {
 public:
  explicit FutureAwaiter(FutureState<T>* fut) : fut_(fut) { fut_->add_ref(); }
  FutureAwaiter(const FutureAwaiter&) = delete;
  ~FutureAwaiter() {
    fut_->remove_waiter(this);
    fut_->release();
  }
  bool await_ready() const noexcept { return fut_->done(); }
  bool await_suspend(std::coroutine_handle<> h) {
    FutureBase* current = require_task("co_await on a Future or Task");
    fut_->bind_loop(current->loop(), "co_await:");
    if (fut_ == current) {
      throw std::logic_error("Task " + current->name() +
                             " cannot await itself");
    }
    if (!prepare("co_await on a Future or Task")) return false;
    on_done = [](Waiter* w, FutureBase*) {
      static_cast<FutureAwaiter*>(w)->wake();
    };
    cancel = [](CancelHook* c, Op op, std::string& msg) {
      auto* self = static_cast<FutureAwaiter*>(c);
      if (op == kDetach) {
        self->fut_->remove_waiter(self);
        return false;
      }
      return self->fut_->cancel(msg);
    };
    fut_->add_waiter(this);
    suspend_at(h);
    return true;
  }
  T await_resume() {
    deliver_cancel();
    return fut_->get();
  }

 private:
  FutureState<T>* fut_;
};
static_assert(sizeof(FutureAwaiter<int>) ==
              sizeof(Waiter) + sizeof(ParkedTask) + sizeof(void*));

}  // namespace aio::internal

#endif  // AIO_LOOP_INTERNAL_FUTURE_STATE_H_
