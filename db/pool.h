// aio::db::Pool: a pool of MariaDB connections for coroutines
// (aiomysql.create_pool).
//
//   absl::StatusOr<aio::db::Pool> pool = co_await aio::db::Pool::create(opts);
//   if (!pool.ok()) return pool.status();          // reason, never password
//   absl::StatusOr<aio::db::Connection> conn = co_await pool->acquire();
//   co_await pool->execute("INSERT INTO t VALUES (?)", 1);  // acquire+release
//
// Connections: at most options.max_connections exist. acquire() serves
// waiters first come, first served (an aio::Semaphore); waiting longer than
// options.acquire_timeout returns a kAcquireTimeout status. A connection
// found dead when leased (server restart, KILL, wait_timeout) is replaced
// before the caller sees it: an idle connection's socket is checked without
// a round trip, and pinged only when it is readable. After the server comes
// back, the next acquire connects again: the pool heals by itself.
//
// Threads: create, use and destroy a Pool on one event loop's thread (the one
// create ran on). Every Connector/C call runs on the pool's own threads
// (never the loop thread, never the loop's default executor), each of which
// calls mysql_thread_init / mysql_thread_end; mysql_library_init runs once
// per process. Statements (execute, query, transactions) run on the pool's
// I/O threads (one per 4 connections, at most 4), each of which drives
// Connector/C's non-blocking API for its connections from one epoll, so a
// slow statement holds no thread and a
// batch of statements or completions crosses between the threads in one
// wake-up. Connecting, pinging, closing, KILL QUERY and executemany (one
// long round trip) block on worker threads (an aio::ThreadPool of up to
// max_connections + 2, started as needed). Awaiting tasks resume on the
// loop thread.
//
// Lifetime: move-only. The destructor waits (blocking the loop thread) for
// every running statement to end, closes every connection and joins the
// workers; tasks still waiting in acquire() then get kPoolClosed, and leases
// still held return kPoolClosed from their statements.
#ifndef AIO_DB_POOL_H_
#define AIO_DB_POOL_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/connection.h"
#include "db/exec_result.h"
#include "db/options.h"
#include "db/result_set.h"
#include "db/sql.h"
#include "db/statements.h"
#include "db/value.h"
#include "loop/coro.h"

namespace aio::db {
namespace internal {
class PoolCore;
}

class Pool : public Statements<Pool> {
 public:
  // Validates `options`, takes the password from options.password or
  // MARIADB_PASSWORD, and opens max(min_connections, 1) connections (so a
  // wrong address, user or database fails here, with the reason).
  static Coro<absl::StatusOr<Pool>> create(Options options);

  Pool(Pool&&) noexcept;
  Pool& operator=(Pool&&) noexcept;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool();

  // A leased connection, or kAcquireTimeout / a connect error.
  Coro<absl::StatusOr<Connection>> acquire();

  // Acquire, run one statement, release (and execute(sql, params...),
  // query(sql, params...): db/statements.h).
  Coro<absl::StatusOr<ExecResult>> execute_values(Sql sql,
                                                  std::vector<Value> params);
  Coro<absl::StatusOr<ResultSet>> query_values(Sql sql,
                                               std::vector<Value> params);
  Coro<absl::StatusOr<ExecResult>> executemany(
      Sql sql, std::vector<std::vector<Value>> rows);

  struct Stats {
    size_t open = 0;     // connections that exist
    size_t idle = 0;     // of which waiting in the pool
    size_t leased = 0;   // permits held by leases
    size_t waiting = 0;  // tasks waiting in acquire()
  };
  // All zero for a moved-from or destroyed pool.
  Stats stats() const;
  // Not on a moved-from Pool. The password is not kept here.
  const Options& options() const;

 private:
  explicit Pool(std::shared_ptr<internal::PoolCore> core);
  std::shared_ptr<internal::PoolCore> core_;
};

}  // namespace aio::db

#endif  // AIO_DB_POOL_H_
