// aio::db::Connection: a connection leased from a Pool (move-only RAII).
//
//   absl::StatusOr<aio::db::Connection> conn = co_await pool.acquire();
//   if (!conn.ok()) return conn.status();
//   auto r = co_await conn->execute("INSERT INTO t (url) VALUES (?)", url);
//   auto rs = co_await conn->query("SELECT id, url FROM t WHERE id = ?", 7);
//   auto n = co_await conn->executemany("INSERT INTO t VALUES (?, ?)", rows);
//   // the connection goes back to the pool when `conn` is destroyed
//
// Statements are prepared (and kept in a bounded per-connection cache);
// values are always bound to `?` placeholders, never spliced into the text.
// Every failure is a status (db/error.h). executemany sends the rows with
// Connector/C's array binding (STMT_ATTR_ARRAY_SIZE, NULLs as indicators):
// one round trip per batch, batches split so that no packet exceeds the
// server's max_allowed_packet. It is atomic only inside a transaction: with
// autocommit, the batches before a failing one stay committed (the status
// says how many rows were affected before).
//
// Threads: use a Connection (and await its statements) on the loop thread of
// its Pool, one statement at a time. Each statement runs on the pool's own
// threads (pool.h: an I/O thread, a worker for executemany); the awaiting
// task resumes on the loop thread.
//
// Cancellation: cancelling the awaiting task raises aio::CancelledError at
// once. A statement that had not started never runs; a running one is
// stopped with KILL QUERY, sent from another connection, and the connection
// returns to the pool only after the statement ended — never mid-statement.
//
// Lost connections: a statement whose connection drops returns
// kConnectionLost and is not replayed, unless it is marked idempotent
// (db/sql.h) and no transaction is open: then it is sent once more on a
// fresh connection.
//
// GCC 12 trap (STYLE.md): it may destroy a temporary with a destructor that
// sits inside a co_await expression twice. Name such values first:
//   aio::db::Blob b{bytes};  co_await conn->execute(sql, b);   // not Blob{...}
//
// Lifetime: the Pool must outlive its Connections' use (a Connection used
// after the Pool was destroyed returns kPoolClosed). Destroying a Connection
// with an open transaction rolls it back before the connection is reused.
#ifndef AIO_DB_CONNECTION_H_
#define AIO_DB_CONNECTION_H_

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/exec_result.h"
#include "db/result_set.h"
#include "db/script.h"
#include "db/sql.h"
#include "db/statements.h"
#include "db/transaction.h"
#include "db/value.h"
#include "loop/coro.h"
#include "sync/permit_guard.h"

namespace aio::db {
namespace internal {
class PoolCore;
struct Conn;
}  // namespace internal

class Connection : public Statements<Connection> {
 public:
  Connection(Connection&& o) noexcept = default;
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs a statement; affected rows and last insert id. (execute(sql,
  // params...) and query(sql, params...): db/statements.h.)
  Coro<absl::StatusOr<ExecResult>> execute_values(Sql sql,
                                                  std::vector<Value> params);

  // Runs a query; its rows, fetched whole.
  Coro<absl::StatusOr<ResultSet>> query_values(Sql sql,
                                               std::vector<Value> params);

  // Runs a statement once per row (see the header comment). Every row has
  // one value per placeholder; a column holds one kind of value (or NULL;
  // integers and doubles mix as doubles).
  Coro<absl::StatusOr<ExecResult>> executemany(
      Sql sql, std::vector<std::vector<Value>> rows);

  // Runs `script` on the connection's I/O thread, its statements back to
  // back (db/script.h says why and the rules); what it returns.
  template <typename R>
  Coro<R> run(absl::AnyInvocable<Coro<R>(Script&)> script);

  // Starts a transaction (db/transaction.h).
  Coro<absl::StatusOr<Transaction>> transaction(
      std::optional<Isolation> isolation = std::nullopt);

  // The server reported an open transaction after the last statement.
  bool in_transaction() const;
  // The server's id of this connection (what KILL takes; changes when the
  // connection is replaced).
  unsigned long server_thread_id() const;
  // Returns the connection to the pool now (the destructor does it too).
  void release();
  bool valid() const { return conn_ != nullptr; }

 private:
  friend class Pool;
  friend class Transaction;
  Connection(std::shared_ptr<internal::PoolCore> core,
             std::shared_ptr<internal::Conn> conn, PermitGuard permit);
  absl::Status check() const;
  template <typename R>
  static Coro<R> run_script(absl::AnyInvocable<Coro<R>(Script&)> script,
                            internal::Session& session) {
    Script s(session);
    co_return co_await script(s);
  }
  // execute_values and query_values: runs (session.*method)(sql, params) on
  // the pool's threads; after a dropped connection, reconnects and runs it
  // once more when the statement may be replayed (see replayable()).
  template <typename R, typename Method>
  Coro<absl::StatusOr<R>> run_replayable(Sql sql, std::vector<Value> params,
                                         Method method);

  std::shared_ptr<internal::PoolCore> core_;
  std::shared_ptr<internal::Conn> conn_;
  PermitGuard permit_;
};

}  // namespace aio::db

#include "db/internal/pool_core.h"

namespace aio::db {

template <typename R>
Coro<R> Connection::run(absl::AnyInvocable<Coro<R>(Script&)> script) {
  if (absl::Status s = check(); !s.ok()) co_return R(s);
  // On the I/O thread: the script and its Script live in this frame.
  absl::AnyInvocable<Coro<R>(internal::Session&)> job =
      [script = std::move(script)](internal::Session& session) mutable {
        return run_script<R>(std::move(script), session);
      };
  co_return co_await core_->call_io<R>(conn_, std::move(job));
}

}  // namespace aio::db

#endif  // AIO_DB_CONNECTION_H_
