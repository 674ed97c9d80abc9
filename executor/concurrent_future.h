// aio::ConcurrentFuture<T>: a thread-safe result that will exist later
// (Python's concurrent.futures.Future).
//
// ThreadPool::submit and run_coroutine_threadsafe return one. Every method
// may be called from any thread; the handle is a cheap copyable reference to
// shared, atomically counted state. result() blocks the calling thread (with
// an optional timeout), so do not call it on a loop thread while the result
// depends on that loop: inside a coroutine, `co_await aio::wrap_future(f)`
// instead (executor/wrap_future.h).
//
// States: pending -> running -> finished, or pending -> cancelled. cancel()
// succeeds only before the work started. Done-callbacks run once, in the
// thread that completes the future (or at once in the registering thread if
// it is already done), in registration order; an exception escaping one is
// reported on stderr and does not stop the others. A callback runs without
// any lock held, so it may use the future freely.
//
// Lifetime: the state lives as long as any handle or pending callback. The
// result object is destroyed by whichever thread drops the last reference.
// A moved-from handle is empty (valid() is false) and must not be used.
#ifndef AIO_EXECUTOR_CONCURRENT_FUTURE_H_
#define AIO_EXECUTOR_CONCURRENT_FUTURE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "executor/internal/mutex.h"
#include "loop/clock.h"
#include "loop/errors.h"

namespace aio {

template <typename T>
class ConcurrentFuture;

namespace internal {

void report_callback_exception(std::exception_ptr e) noexcept;

// The untyped part of a ConcurrentFuture's state: status, exception, waiting
// threads and done-callbacks, all under one mutex.
class ConcurrentFutureStateBase {
 public:
  enum class Status : uint8_t { kPending, kRunning, kFinished, kCancelled };
  // A done-callback; receives this state (ConcurrentFutureState<T> wraps typed ones).
  using Callback = absl::AnyInvocable<void(ConcurrentFutureStateBase*)>;

  ConcurrentFutureStateBase() = default;
  ConcurrentFutureStateBase(const ConcurrentFutureStateBase&) = delete;
  ConcurrentFutureStateBase& operator=(const ConcurrentFutureStateBase&) =
      delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // seq_cst: wrap_future pairs it with its own flag (see LoopLink::waiting_).
  bool done() const { return done_.load(std::memory_order_seq_cst); }
  bool running() const {
    MutexLock l(&mu_);
    return status_ == Status::kRunning;
  }
  bool cancelled() const {
    MutexLock l(&mu_);
    return status_ == Status::kCancelled;
  }

  // Python's Future.cancel(): false if running or finished, true if it is
  // (now) cancelled.
  bool cancel() {
    CallbackList fire;
    {
      MutexLock l(&mu_);
      if (status_ == Status::kCancelled) return true;
      if (status_ != Status::kPending) return false;
      finish_locked(Status::kCancelled, &fire);
    }
    run_callbacks(fire);
    return true;
  }

  // For whoever runs the work: marks it running and returns true, or returns
  // false if it was cancelled. InvalidStateError if already running/finished.
  bool set_running_or_notify_cancel() {
    MutexLock l(&mu_);
    if (status_ == Status::kCancelled) return false;
    if (status_ != Status::kPending) {
      throw InvalidStateError("ConcurrentFuture: already running or finished");
    }
    status_ = Status::kRunning;
    return true;
  }

  // Completes with an exception; InvalidStateError if done.
  void set_exception(std::exception_ptr e) {
    if (!e)
      throw std::invalid_argument(
          "ConcurrentFuture::set_exception: null exception_ptr");
    if (!try_set_exception(std::move(e))) {
      throw InvalidStateError("ConcurrentFuture::set_exception: already done");
    }
  }
  // As set_exception, but returns false instead of throwing when done.
  bool try_set_exception(std::exception_ptr e) {
    CallbackList fire;
    {
      MutexLock l(&mu_);
      if (is_done()) return false;
      exc_ = std::move(e);
      finish_locked(Status::kFinished, &fire);
    }
    run_callbacks(fire);
    return true;
  }

  // The stored exception (nullptr on success). Blocks until done or
  // `deadline` (TimeoutError); CancelledError if cancelled.
  std::exception_ptr exception(const TimePoint* deadline) const {
    MutexLock l(&mu_);
    wait_done_locked(deadline);
    if (status_ == Status::kCancelled)
      throw CancelledError("ConcurrentFuture was cancelled");
    return exc_;
  }

  // Registers `cb(this)` to run when the future completes and returns true;
  // returns false, without running it, if the future is already done.
  bool add_done_callback_if_pending(Callback& cb) {
    MutexLock l(&mu_);
    if (is_done()) return false;
    callbacks_.push(std::move(cb));
    return true;
  }

  // Runs `cb(this)` once done: in the completing thread, or now if done.
  void add_done_callback(Callback cb) {
    {
      MutexLock l(&mu_);
      if (!is_done()) {
        callbacks_.push(std::move(cb));
        return;
      }
    }
    invoke(cb);
  }

 protected:
  virtual ~ConcurrentFutureStateBase() = default;

  bool is_done() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return status_ == Status::kFinished || status_ == Status::kCancelled;
  }
  // Marks the future done, wakes blocked threads and hands the callbacks to
  // the caller, who runs them (run_callbacks) once mu_ is released.
  // Done-callbacks in registration order; the first is stored inline (the
  // common case is one: wrap_future's wake-up), so it costs no allocation.
  struct CallbackList {
    Callback first;
    std::vector<Callback> rest;
    void push(Callback cb) {
      if (!first && rest.empty()) {
        first = std::move(cb);
      } else {
        rest.push_back(std::move(cb));
      }
    }
  };
  void finish_locked(Status s, CallbackList* fire)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    status_ = s;
    done_.store(true, std::memory_order_seq_cst);
    if (blocked_ > 0) cv_.notify_all();
    fire->first = std::move(callbacks_.first);
    callbacks_.first = nullptr;
    fire->rest.swap(callbacks_.rest);
  }
  void run_callbacks(CallbackList& fire) noexcept {
    if (fire.first) invoke(fire.first);
    for (auto& cb : fire.rest) invoke(cb);
  }
  void wait_done_locked(const TimePoint* deadline) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!is_done()) {
      ++blocked_;
      bool woken = true;
      if (deadline == nullptr) {
        cv_.wait(&mu_);
      } else {
        woken = cv_.wait_until(&mu_, *deadline);
      }
      --blocked_;
      if (!woken && !is_done()) {
        throw TimeoutError(
            "ConcurrentFuture: timed out waiting for the result");
      }
    }
  }
  // Rethrows CancelledError or the stored exception. Requires done.
  void rethrow_if_failed_locked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (status_ == Status::kCancelled)
      throw CancelledError("ConcurrentFuture was cancelled");
    if (exc_) std::rethrow_exception(exc_);
  }

  mutable Mutex mu_;
  mutable CondVar cv_;
  mutable int blocked_ ABSL_GUARDED_BY(mu_) = 0;  // threads in wait_done_locked
  Status status_ ABSL_GUARDED_BY(mu_) = Status::kPending;
  std::exception_ptr exc_ ABSL_GUARDED_BY(mu_);
  CallbackList callbacks_ ABSL_GUARDED_BY(mu_);
  // status_ is kFinished or kCancelled; set under mu_, read without it.
  std::atomic<bool> done_{false};

 private:
  void invoke(Callback& cb) noexcept {
    try {
      cb(this);
    } catch (...) {
      report_callback_exception(std::current_exception());
    }
  }

  std::atomic<uint32_t> refs_{1};
};

template <typename T>
class ConcurrentFutureState : public ConcurrentFutureStateBase {
 public:
  // Completes with a value; false if already done.
  template <typename... A>
  bool try_set_result(A&&... a) {
    CallbackList fire;
    {
      MutexLock l(&mu_);
      if (is_done()) return false;
      value_.emplace(std::forward<A>(a)...);
      finish_locked(Status::kFinished, &fire);
    }
    run_callbacks(fire);
    return true;
  }

  // The value: a copy, or for a move-only T the value itself (take it once).
  // Blocks until done or `deadline` (TimeoutError); rethrows the exception;
  // CancelledError if cancelled.
  T get(const TimePoint* deadline) {
    MutexLock l(&mu_);
    wait_done_locked(deadline);
    rethrow_if_failed_locked();
    if constexpr (std::is_void_v<T>) {
      return;
    } else if constexpr (std::is_copy_constructible_v<T>) {
      return *value_;
    } else {
      return std::move(*value_);
    }
  }

 private:
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  std::optional<Stored> value_ ABSL_GUARDED_BY(mu_);
};

}  // namespace internal

template <typename T = void>
class ConcurrentFuture {
 public:
  using value_type = T;

  // A new pending future, to be completed with set_result / set_exception
  // (for code that produces results itself, as in Python).
  ConcurrentFuture() : st_(new internal::ConcurrentFutureState<T>()) {}
  ConcurrentFuture(const ConcurrentFuture& o) : st_(o.st_) {
    if (st_) st_->add_ref();
  }
  ConcurrentFuture(ConcurrentFuture&& o) noexcept
      : st_(std::exchange(o.st_, nullptr)) {}
  ConcurrentFuture& operator=(ConcurrentFuture o) noexcept {
    std::swap(st_, o.st_);
    return *this;
  }
  ~ConcurrentFuture() {
    if (st_) st_->release();
  }

  bool done() const { return st_->done(); }
  bool running() const { return st_->running(); }
  bool cancelled() const { return st_->cancelled(); }
  // Cancels if the work has not started; true if the future is cancelled.
  bool cancel() const { return st_->cancel(); }

  // Blocks until done; returns the value or rethrows (CancelledError if
  // cancelled).
  T result() const { return st_->get(nullptr); }
  // As result(), but throws aio::TimeoutError after `timeout`. A timeout of
  // zero, negative or NaN does not wait (TimeoutError at once if pending);
  // infinity, or anything beyond a century, waits without bound.
  template <typename Rep, typename Period>
  T result(std::chrono::duration<Rep, Period> timeout) const {
    TimePoint deadline = deadline_after(timeout);
    return st_->get(&deadline);
  }
  // Blocks until done; the exception, or nullptr on success.
  std::exception_ptr exception() const { return st_->exception(nullptr); }
  template <typename Rep, typename Period>
  std::exception_ptr exception(
      std::chrono::duration<Rep, Period> timeout) const {
    TimePoint deadline = deadline_after(timeout);
    return st_->exception(&deadline);
  }

  // Calls fn(future) — or fn() — once the future is done: in the completing
  // thread, or now if it is done already.
  template <typename F>
  void add_done_callback(F fn) const {
    if constexpr (std::is_invocable_v<F&, const ConcurrentFuture&>) {
      st_->add_done_callback(
          [f = std::move(fn)](internal::ConcurrentFutureStateBase* s) mutable {
            f(share(static_cast<internal::ConcurrentFutureState<T>*>(s)));
          });
    } else {
      st_->add_done_callback(
          [f = std::move(fn)](internal::ConcurrentFutureStateBase*) mutable {
            f();
          });
    }
  }

  // For producers. InvalidStateError if already done.
  template <typename U = T>
  requires(!std::is_void_v<U>) void set_result(U&& value) const {
    if (!st_->try_set_result(std::forward<U>(value))) {
      throw InvalidStateError("ConcurrentFuture::set_result: already done");
    }
  }
  void set_result() const requires std::is_void_v<T> {
    if (!st_->try_set_result()) {
      throw InvalidStateError("ConcurrentFuture::set_result: already done");
    }
  }
  void set_exception(std::exception_ptr e) const {
    st_->set_exception(std::move(e));
  }
  template <typename E>
  requires std::is_base_of_v<std::exception, std::decay_t<E>>
  void set_exception(E&& e) const {
    set_exception(std::make_exception_ptr(std::forward<E>(e)));
  }
  // For executors: see ConcurrentFutureStateBase::set_running_or_notify_cancel.
  bool set_running_or_notify_cancel() const {
    return st_->set_running_or_notify_cancel();
  }

  bool valid() const { return st_ != nullptr; }
  bool operator==(const ConcurrentFuture& o) const { return st_ == o.st_; }
  internal::ConcurrentFutureState<T>* state() const { return st_; }
  // Takes over one reference to `st` (internal).
  static ConcurrentFuture adopt(internal::ConcurrentFutureState<T>* st) {
    return ConcurrentFuture(st, 0);
  }
  // A new handle sharing `st` (internal).
  static ConcurrentFuture share(internal::ConcurrentFutureState<T>* st) {
    st->add_ref();
    return ConcurrentFuture(st, 0);
  }

 private:
  ConcurrentFuture(internal::ConcurrentFutureState<T>* st, int) : st_(st) {}
  template <typename Rep, typename Period>
  static TimePoint deadline_after(std::chrono::duration<Rep, Period> timeout) {
    const TimePoint now = Clock::now();
    const double seconds = std::chrono::duration<double>(timeout).count();
    if (!(seconds > 0)) return now;  // also NaN
    // Beyond a century the wait is unbounded for every practical purpose;
    // capping avoids overflowing the clock.
    constexpr double kCentury = 100.0 * 365 * 24 * 3600;
    if (seconds > kCentury) return now + std::chrono::hours(24 * 365 * 100);
    return now + std::chrono::ceil<Clock::duration>(
                     std::chrono::duration<double>(seconds));
  }

  internal::ConcurrentFutureState<T>* st_;
};

static_assert(std::is_nothrow_move_constructible_v<ConcurrentFuture<int>>);
static_assert(sizeof(ConcurrentFuture<int>) == sizeof(void*));

}  // namespace aio

#endif  // AIO_EXECUTOR_CONCURRENT_FUTURE_H_
