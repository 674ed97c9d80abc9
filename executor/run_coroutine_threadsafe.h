// aio::run_coroutine_threadsafe: submit a coroutine to an event loop that
// runs in another thread, and get a ConcurrentFuture for its result
// (asyncio.run_coroutine_threadsafe).
//
//   // on some thread other than the loop's:
//   aio::ConcurrentFuture<int> f =
//       aio::run_coroutine_threadsafe(fetch(7), loop);
//   int v = f.result(std::chrono::seconds(5));
//
// Callable from any thread; the coroutine runs as a task of `loop`, started
// through call_soon_threadsafe. Its value or exception (unchanged) completes
// the future; if it ends cancelled, the future is cancelled. Cancelling the
// future (f.cancel(), which succeeds while the coroutine has not finished)
// cancels the task on the loop.
//
// Never a silent hang: the future ends in every path. If the task is
// cancelled, also before its first step (aio::run's shutdown cancels every
// task still pending), the future is cancelled. If the loop is closed before
// the task starts or finishes, the future fails with std::logic_error saying
// so. If `loop` is already closed, the call itself throws std::logic_error.
// `loop` must be alive for the duration of the call.
#ifndef AIO_EXECUTOR_RUN_COROUTINE_THREADSAFE_H_
#define AIO_EXECUTOR_RUN_COROUTINE_THREADSAFE_H_

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "executor/concurrent_future.h"
#include "executor/internal/mutex.h"
#include "loop/coro.h"
#include "loop/event_loop.h"
#include "loop/task.h"

namespace aio {
namespace internal {

// Shared by the submitting side (the future's cancel callback, any thread)
// and the task running the coroutine (the loop's thread).
class CoroLink : public std::enable_shared_from_this<CoroLink> {
 public:
  explicit CoroLink(EventLoop* loop) : target_(loop) {}

  // Any thread: cancel the task, if it still runs.
  void request_cancel();
  // Loop thread: the task that runs the coroutine (nullptr when it ends).
  void set_task(FutureBase* task) { task_ = task; }
  // Loop thread: no more cancellation requests may reach the loop.
  void detach();

 private:
  FutureBase* task_ = nullptr;  // loop thread only
  Mutex mu_;
  EventLoop* target_ ABSL_GUARDED_BY(mu_);  // null once the task is over
};

// Ends the future in every path the coroutine does not complete it itself,
// so that no caller waits forever (see the header comment). Lives first in
// the starter callback, then as a parameter of run_threadsafe, so it is
// destroyed with whichever of the two the loop drops.
template <typename T>
struct ThreadsafeCompletion {
  ConcurrentFuture<T> cf;
  std::shared_ptr<CoroLink> link;
  EventLoop* loop;
  bool in_task = false;       // moved into run_threadsafe's frame
  bool body_started = false;  // run_threadsafe's body ran

  ThreadsafeCompletion(ConcurrentFuture<T> f, std::shared_ptr<CoroLink> l,
                       EventLoop* lp)
      : cf(std::move(f)), link(std::move(l)), loop(lp) {}
  ThreadsafeCompletion(ThreadsafeCompletion&& o) noexcept
      : cf(o.cf),
        link(std::move(o.link)),
        loop(o.loop),
        in_task(o.in_task),
        body_started(o.body_started) {}
  ThreadsafeCompletion(const ThreadsafeCompletion&) = delete;
  ThreadsafeCompletion& operator=(const ThreadsafeCompletion&) = delete;
  ~ThreadsafeCompletion() {
    if (!link) return;  // moved from
    link->detach();
    if (cf.done()) return;
    if (!in_task) {
      fail("before the coroutine started");  // the starter never ran
    } else if (body_started) {
      fail("before the coroutine finished");  // dropped while parked
    } else if (!loop->is_closed()) {
      // Loop thread, the frame destroyed before its first step while the
      // loop is open: the task was cancelled before it ran (aio::run's
      // shutdown does that), so the future is cancelled, as in asyncio.
      cf.cancel();
    } else {
      fail("before the coroutine started");
    }
  }

 private:
  void fail(const char* when) {
    cf.state()->try_set_exception(std::make_exception_ptr(std::logic_error(
        std::string("run_coroutine_threadsafe: the event loop was closed ") +
        when)));
  }
};

template <typename T>
Coro<void> run_threadsafe(Coro<T> coro, ThreadsafeCompletion<T> completion) {
  completion.body_started = true;
  ConcurrentFuture<T>& cf = completion.cf;
  if (cf.cancelled()) co_return;  // cancelled before it started
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(coro);
      cf.state()->try_set_result();
    } else {
      cf.state()->try_set_result(co_await std::move(coro));
    }
  } catch (const CancelledError&) {
    cf.cancel();
  } catch (...) {
    cf.state()->try_set_exception(std::current_exception());
  }
}

// The callback that starts the task on the loop. Dropped unrun (the loop
// closed first), its completion fails the future.
template <typename T>
struct ThreadsafeStarter {
  Coro<T> coro;
  ThreadsafeCompletion<T> completion;
  void operator()() {
    std::shared_ptr<CoroLink> link = completion.link;
    EventLoop* loop = completion.loop;
    completion.in_task = true;
    try {
      Task<void> task = loop->create_task(
          run_threadsafe(std::move(coro), std::move(completion)));
      link->set_task(task.state());  // cancel() of the future reaches it now
    } catch (...) {
      // create_task refused (the frame, and with it the completion, is gone
      // already if it was built).
      completion.in_task = false;
      if (!completion.cf.done()) {
        completion.cf.state()->try_set_exception(std::current_exception());
      }
    }
  }
};

}  // namespace internal

template <typename T>
ConcurrentFuture<T> run_coroutine_threadsafe(Coro<T> coro, EventLoop& loop) {
  if (!coro.valid())
    throw std::invalid_argument("run_coroutine_threadsafe: empty Coro");
  ConcurrentFuture<T> cf;
  auto link = std::make_shared<internal::CoroLink>(&loop);
  cf.add_done_callback([link](const ConcurrentFuture<T>& f) {
    if (f.cancelled()) link->request_cancel();
  });
  loop.call_soon_threadsafe(internal::ThreadsafeStarter<T>{
      std::move(coro), internal::ThreadsafeCompletion<T>{cf, link, &loop}});
  return cf;
}

}  // namespace aio

#endif  // AIO_EXECUTOR_RUN_COROUTINE_THREADSAFE_H_
