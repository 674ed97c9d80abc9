// aio::db::Script: statements run back to back on a connection's own I/O
// thread (db/pool.h), with no hop to the awaiting loop between them.
//
//   struct Moved { absl::Status status; int64_t rows = 0; ... };
//   absl::StatusOr<int64_t> n = co_await conn->run<absl::StatusOr<int64_t>>(
//       [id](aio::db::Script& s) -> aio::Coro<absl::StatusOr<int64_t>> {
//         absl::Status b = co_await s.command("START TRANSACTION");
//         if (!b.ok()) co_return b;
//         auto rs = co_await s.query("SELECT n FROM t WHERE id = ? FOR UPDATE", id);
//         if (!rs.ok()) co_return rs.status();
//         int64_t n = (*rs)[0].get<int64_t>(0).value_or(0) + 1;
//         auto u = co_await s.execute("UPDATE t SET n = ? WHERE id = ?", n, id);
//         if (!u.ok()) co_return u.status();
//         absl::Status c = co_await s.command("COMMIT");
//         if (!c.ok()) co_return c;
//         co_return n;
//       });
//
// Why: a statement awaited from a loop costs two thread hand-offs (the loop
// to the I/O thread and back); on a loaded machine each is a scheduler
// wake-up, so a transaction of eight statements waits for sixteen of them,
// and holds its row locks that long. A script waits for two.
//
// Rules:
// - The script runs on the I/O thread, not the caller's: it must not touch
//   the caller's state (capture values, return what the caller needs) and
//   must not block. R is absl::Status or absl::StatusOr<T>, or a type
//   constructible from an absl::Status (what a closed pool returns).
// - Its statements are Connection's (prepared, cached, values bound to `?`;
//   every failure a status, db/error.h); command() is the text protocol for
//   START TRANSACTION, COMMIT, ROLLBACK and SET. Nothing is replayed.
// - A transaction it leaves open is rolled back before the connection is
//   reused (as with a Connection dropped mid-transaction).
// - Cancelling the awaiting task works as for one statement: the running
//   statement is stopped with KILL QUERY, the connection returns to the pool
//   after the script ended.
// - One at a time per connection, like any statement.
#ifndef AIO_DB_SCRIPT_H_
#define AIO_DB_SCRIPT_H_

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/exec_result.h"
#include "db/isolation.h"
#include "db/result_set.h"
#include "db/sql.h"
#include "db/statements.h"
#include "db/value.h"
#include "loop/coro.h"

namespace aio::db {
namespace internal {
class Session;
}  // namespace internal

class Script : public Statements<Script> {
 public:
  explicit Script(internal::Session& session) : session_(session) {}
  Script(const Script&) = delete;
  Script& operator=(const Script&) = delete;

  Coro<absl::StatusOr<ExecResult>> execute_values(Sql sql,
                                                  std::vector<Value> params);
  Coro<absl::StatusOr<ResultSet>> query_values(Sql sql,
                                               std::vector<Value> params);
  // Starts a transaction, at `isolation` when given (what
  // Connection::transaction sends); end it with command("COMMIT") or
  // command("ROLLBACK").
  Coro<absl::Status> begin(std::optional<Isolation> isolation = std::nullopt);
  // A statement without values over the text protocol; its result, if
  // any, is discarded.
  Coro<absl::Status> command(std::string sql);
  // The server reported an open transaction after the last statement.
  bool in_transaction() const;

 private:
  internal::Session& session_;
};

}  // namespace aio::db

#endif  // AIO_DB_SCRIPT_H_
