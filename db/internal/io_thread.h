// Internal: one of the pool's I/O threads (pool_core.h says how many) — a
// thread of the pool's own that runs an aio::EventLoop, on which statements
// drive Connector/C's non-blocking API (mysql_*_start / _cont,
// MYSQL_OPT_NONBLOCK) for several connections at once.
//
// Why: a blocking statement on a worker thread costs three thread hand-offs
// per round trip (loop -> worker futex, the worker blocked in Connector/C's
// poll, worker -> loop eventfd); on a loaded 2-core machine those dominated
// the client's CPU. On this thread one epoll multiplexes every connection,
// and hand-offs in both directions go through call_soon_threadsafe, which
// writes an eventfd only when the receiving loop is not already awake: under
// load, one wake-up carries a batch of statements or completions.
//
// Threads: post() from any thread; the posted callbacks and the tasks they
// create run on the I/O thread, which calls mysql_thread_init before its
// first job and mysql_thread_end after its last. The Connector/C calls made
// there are never made on a caller's loop thread (the rule: every
// Connector/C call runs on the pool's own threads).
//
// Lifetime: started by the constructor; stop() (idempotent, blocking; the
// destructor calls it) ends the loop after what is already posted and joins
// the thread. Nothing may be posted after stop(). Owners stop it only once
// every job they posted has ended (PoolCore::shutdown waits for them).
#ifndef AIO_DB_INTERNAL_IO_THREAD_H_
#define AIO_DB_INTERNAL_IO_THREAD_H_

#include <thread>
#include <utility>

#include "loop/event_loop.h"

namespace aio::db::internal {

class IoThread {
 public:
  IoThread();
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  // Runs `fn` on the I/O thread, in the loop's next iteration.
  void post(Callback fn) { loop_.call_soon_threadsafe(std::move(fn)); }
  // The I/O thread's loop: create tasks on it from posted callbacks only.
  EventLoop& loop() { return loop_; }
  void stop();

 private:
  EventLoop loop_;
  std::thread thread_;
};

}  // namespace aio::db::internal

#endif  // AIO_DB_INTERNAL_IO_THREAD_H_
