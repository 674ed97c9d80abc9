// aio::wrap_future: await a ConcurrentFuture from a coroutine
// (asyncio.wrap_future).
//
//   aio::ConcurrentFuture<int> f = pool.submit(work);
//   int v = co_await aio::wrap_future(f);
//   // f waits on the network itself: the loop need not spin for it
//   int w = co_await aio::wrap_future(g, aio::Expect::kSlow);
//
// wrap_future(f) returns a WrappedFuture<T> bound to the running loop (or the
// loop given). Awaiting it parks the task until f is done, then yields f's
// value or rethrows its exception, unchanged (the same exception object).
// The completing thread wakes the loop with call_soon_threadsafe: no polling.
//
// Cancellation: cancelling the awaiting task wakes it at once with
// CancelledError and cancels f if its work has not started (asyncio does the
// same). Work that is already running finishes on its thread; its result is
// dropped, and nothing refers to the task or its frame any more.
//
// Threads and lifetime: create and await a WrappedFuture on its loop's
// thread; any thread may complete f. It may be destroyed without being
// awaited. Closing the loop detaches a task parked on it (loop/park.h), so f
// may complete after the loop is gone.
#ifndef AIO_EXECUTOR_WRAP_FUTURE_H_
#define AIO_EXECUTOR_WRAP_FUTURE_H_

#include <atomic>
#include <coroutine>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "executor/concurrent_future.h"
#include "executor/internal/mutex.h"
#include "loop/park.h"

namespace aio {
namespace internal {

// Shared by a WrappedFuture (its loop's thread) and the done-callback of its
// ConcurrentFuture (the completing thread). The callback may post a wake-up
// only while the WrappedFuture exists, which keeps the loop pointer valid.
class LoopLink : private ParkedTask {
 public:
  LoopLink(EventLoop* loop, bool soon)
      : loop_(loop), soon_(soon), target_(loop) {
    cancel = &on_cancel;
  }

  // Any thread, once the ConcurrentFuture is done: wake the awaiting task.
  static void notify(const std::shared_ptr<LoopLink>& self);

  // Loop thread. park() is await_suspend's work (park.h protocol); false if
  // a cancellation is already pending.
  bool park(std::coroutine_handle<> h, ConcurrentFutureStateBase* cf);
  // await_resume: delivers a cancellation that arrived while queued.
  void resumed();
  // The WrappedFuture is going away: no more wake-ups.
  void detach();
  EventLoop* loop() const { return loop_; }

 private:
  static bool on_cancel(CancelHook* hook, Op op, std::string& msg);
  void on_complete();
  // Leaves the park: no wake-up is wanted any more.
  void stop_waiting();

  EventLoop* const loop_;
  const bool soon_;  // the loop spins for the answer (begin_external_wait)
  // Set while a task is parked here. The completing thread posts a wake-up
  // only when it is set, so a future that completes while nobody waits for
  // it (the common case with many jobs in flight) costs the loop nothing.
  // park() sets it and then re-checks the future's done flag; completion
  // sets that flag and then reads this one, all four seq_cst (a Dekker pair),
  // so one of the two always sees the other: no wake-up is lost.
  std::atomic<bool> waiting_{false};
  ConcurrentFutureStateBase* cf_ = nullptr;  // loop thread: valid while parked
  Mutex mu_;
  EventLoop* target_ ABSL_GUARDED_BY(mu_);  // null once detached
};

}  // namespace internal

// What the awaiting loop expects of the thread that completes the future
// (see EventLoop::begin_external_wait): kSoon, an answer within
// microseconds (a job on an idle pool: the loop spins briefly for it before
// blocking), or kSlow, work that itself waits on the network or a disk (a
// database round trip: the loop blocks at once and leaves the CPU to the
// threads it waits for).
enum class Expect { kSoon, kSlow };

template <typename T>
class [[nodiscard]] WrappedFuture {
 public:
  WrappedFuture(ConcurrentFuture<T> cf, EventLoop& loop,
                Expect expect = Expect::kSoon)
      : cf_(std::move(cf)),
        link_(std::make_shared<internal::LoopLink>(&loop,
                                                   expect == Expect::kSoon)) {
    // Already done: await_ready will see it, no wake-up is needed.
    internal::ConcurrentFutureStateBase::Callback wake =
        [link = link_](internal::ConcurrentFutureStateBase*) {
          internal::LoopLink::notify(link);
        };
    cf_.state()->add_done_callback_if_pending(wake);
  }
  WrappedFuture(WrappedFuture&&) noexcept = default;
  WrappedFuture& operator=(WrappedFuture&& o) noexcept {
    if (this != &o) {
      if (link_) link_->detach();
      cf_ = std::move(o.cf_);
      link_ = std::move(o.link_);
    }
    return *this;
  }
  ~WrappedFuture() {
    if (link_) link_->detach();
  }

  bool await_ready() const { return cf_.done(); }
  bool await_suspend(std::coroutine_handle<> h) {
    return link_->park(h, cf_.state());
  }
  T await_resume() {
    link_->resumed();
    return cf_.state()->get(nullptr);
  }

  bool done() const { return cf_.done(); }
  // Cancels the work if it has not started.
  bool cancel() const { return cf_.cancel(); }
  const ConcurrentFuture<T>& concurrent_future() const { return cf_; }
  EventLoop* get_loop() const { return link_->loop(); }

 private:
  ConcurrentFuture<T> cf_;
  std::shared_ptr<internal::LoopLink> link_;
};

template <typename T>
WrappedFuture<T> wrap_future(ConcurrentFuture<T> cf, EventLoop& loop,
                             Expect expect = Expect::kSoon) {
  return WrappedFuture<T>(std::move(cf), loop, expect);
}

// Bound to the running loop (std::runtime_error if none is running).
template <typename T>
WrappedFuture<T> wrap_future(ConcurrentFuture<T> cf,
                             Expect expect = Expect::kSoon) {
  return WrappedFuture<T>(std::move(cf), get_running_loop(), expect);
}

}  // namespace aio

#endif  // AIO_EXECUTOR_WRAP_FUTURE_H_
