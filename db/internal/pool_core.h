// Internal: the shared state of a Pool — its connections, their job chains,
// its threads and its permit semaphore.
//
// Threads: everything here runs on the pool's loop thread, except the jobs,
// which run on the pool's own threads (never the loop's thread, never the
// loop's default executor): statements (call_io / chain_io) are coroutines
// on the connection's I/O thread (io_thread.h; one per 4 connections, at
// most 4), which drives Connector/C's non-blocking API for its connections
// from one epoll; connecting, pinging, closing,
// KILL QUERY and executemany (rare, or one long round trip) are blocking
// calls on the worker threads (call / chain, threads_). A connection's jobs
// of both kinds run one after another (its chain): each starts when the
// previous one ended, so its Connector/C handle is used by one thread at a
// time; the job's future publishes what it wrote (session fields) to the
// loop thread. Awaiting tasks resume on the loop thread (wrap_future).
//
// Lifetime: shared by the Pool, its leases and the tasks that return
// connections. Pool's destructor calls shutdown(), which waits for every
// job, closes every connection on a worker and joins the workers; what
// remains afterwards (a late lease, a queued release task) sees closed() and
// does nothing. Jobs never own the PoolCore (the last reference must not
// drop on a worker, which would make the thread pool join itself).
#ifndef AIO_DB_INTERNAL_POOL_CORE_H_
#define AIO_DB_INTERNAL_POOL_CORE_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/error.h"
#include "db/internal/io_thread.h"
#include "db/internal/session.h"
#include "db/options.h"
#include "executor/concurrent_future.h"
#include "executor/thread_pool.h"
#include "executor/wrap_future.h"
#include "loop/coro.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "sync/permit_guard.h"
#include "sync/semaphore.h"

namespace aio::db::internal {

// One physical connection.
struct Conn {
  Conn(const Options* options, const std::string* password)
      : session(options, password) {
    tail.set_result();  // nothing queued yet
  }
  Session session;  // worker threads, inside this connection's chain
  // Loop thread: the last job queued on this connection (done: none).
  ConcurrentFuture<void> tail;
  // Loop thread: bumped on every lease, so that a Transaction guard of an
  // earlier lease never touches the connection again.
  uint64_t lease = 0;
  bool leased = false;
  // The I/O thread that runs this connection's statements (set when made).
  IoThread* io = nullptr;
};

class PoolCore : public std::enable_shared_from_this<PoolCore> {
 public:
  PoolCore(Options options, std::string password, EventLoop* loop);
  ~PoolCore();
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  // Queues `job` after the connection's previous job; the future completes
  // when it ran (or is cancelled if cancelled before it started: the job is
  // then skipped). chain: `job` runs on a worker thread; chain_io: the
  // coroutine `job()` returns runs as a task on the I/O thread, and the
  // future completes when it ended. Requires !closed().
  ConcurrentFuture<void> chain(Conn& conn, absl::AnyInvocable<void()> job);
  ConcurrentFuture<void> chain_io(Conn& conn,
                                  absl::AnyInvocable<Coro<void>()> job);

  // Runs fn(session) in the connection's chain and returns its result.
  // Cancelling the awaiting task: a statement not started yet never runs; a
  // running one is stopped with KILL QUERY from another connection, and the
  // connection goes back to the pool only after it ended (release()).
  template <typename R>
  Coro<R> call(std::shared_ptr<Conn> conn,
               absl::AnyInvocable<R(Session&)> fn) {
    if (closed_) co_return R(pool_closed());
    auto out = std::make_shared<std::optional<R>>();
    ConcurrentFuture<void> done = chain(
        *conn, [conn, out, fn = std::move(fn)]() mutable {
          out->emplace(fn(conn->session));
        });
    co_return co_await finish_call(std::move(conn), std::move(done),
                                   std::move(out));
  }
  // The same for a coroutine of the session (Session::*_async), run on the
  // I/O thread.
  template <typename R>
  Coro<R> call_io(std::shared_ptr<Conn> conn,
                  absl::AnyInvocable<Coro<R>(Session&)> fn) {
    if (closed_) co_return R(pool_closed());
    auto out = std::make_shared<std::optional<R>>();
    ConcurrentFuture<void> done = chain_io(
        *conn, [conn, out, fn = std::move(fn)]() mutable {
          return run_into<R>(conn, std::move(fn), out);
        });
    co_return co_await finish_call(std::move(conn), std::move(done),
                                   std::move(out));
  }

  // A connection ready for a lease (an idle one that is alive, or a new
  // one), or the error. The caller holds a permit.
  Coro<absl::StatusOr<std::shared_ptr<Conn>>> take_connection();
  // Opens one connection into the idle list (Pool::create).
  Coro<absl::Status> open_idle();
  // Ends a lease: the connection goes back to the idle list (after its
  // running statement ended and an open transaction was rolled back), or is
  // closed if it broke; then the permit is released.
  void release(std::shared_ptr<Conn> conn, PermitGuard permit);
  // Stops the running statement of `conn` (KILL QUERY on the control
  // connection, on a worker); the connection's chain waits for the KILL.
  void kill_query(const std::shared_ptr<Conn>& conn);
  // Blocking: see the header comment. Idempotent.
  void shutdown();

  bool closed() const { return closed_; }
  const Options& options() const { return options_; }
  EventLoop* loop() const { return loop_; }
  Semaphore& permits() { return permits_; }
  size_t open_count() const { return all_.size(); }
  size_t idle_count() const { return idle_.size(); }
  static absl::Status pool_closed();

 private:
  // call's and call_io's await: see call.
  template <typename R>
  Coro<R> finish_call(std::shared_ptr<Conn> conn, ConcurrentFuture<void> done,
                      std::shared_ptr<std::optional<R>> out) {
    std::exception_ptr cancelled;
    try {
      co_await wrap_future(done, Expect::kSlow);  // a database round trip
    } catch (const CancelledError&) {
      cancelled = std::current_exception();
    }
    if (cancelled) {
      if (!done.cancelled()) kill_query(conn);
      std::rethrow_exception(cancelled);
    }
    co_return std::move(**out);
  }
  // I/O thread: fn(session)'s result into *out (fn lives in this frame, so
  // what the session coroutine refers to in it stays alive).
  template <typename R>
  static Coro<void> run_into(std::shared_ptr<Conn> conn,
                             absl::AnyInvocable<Coro<R>(Session&)> fn,
                             std::shared_ptr<std::optional<R>> out) {
    out->emplace(co_await fn(conn->session));
  }
  // I/O thread: runs job() and then completes `next` with its outcome.
  static Coro<void> run_io_job(absl::AnyInvocable<Coro<void>()> job,
                               ConcurrentFuture<void> next);
  // After `prev`, starts `start` on a worker (io == nullptr) or on `io`.
  void link(Conn& conn, ConcurrentFuture<void> next,
            absl::AnyInvocable<void()> start, IoThread* io);
  // A new connection, on the next I/O thread in turn.
  std::shared_ptr<Conn> new_conn();
  static Coro<void> finish_release(std::shared_ptr<PoolCore> self,
                                   std::shared_ptr<Conn> conn);
  void put_back(const std::shared_ptr<Conn>& conn);
  void discard(const std::shared_ptr<Conn>& conn);
  bool looks_alive(const Conn& conn) const;

  const Options options_;
  const std::string password_;
  EventLoop* const loop_;
  Semaphore permits_;
  std::vector<std::shared_ptr<Conn>> idle_;  // most recently used last
  std::vector<std::shared_ptr<Conn>> all_;
  // Dropped connections whose close job may still be queued.
  std::vector<std::shared_ptr<Conn>> retiring_;
  bool closed_ = false;
  // For KILL QUERY; used by one worker at a time (control_mu_).
  std::mutex control_mu_;
  Session control_;
  std::vector<std::unique_ptr<IoThread>> io_;
  size_t next_io_ = 0;
  ThreadPool threads_;
};

}  // namespace aio::db::internal

#endif  // AIO_DB_INTERNAL_POOL_CORE_H_
