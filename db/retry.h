// aio::db::retry_transaction: run a transaction body again when the server
// aborts it for a deadlock or a lock wait timeout.
//
//   absl::Status s = co_await aio::db::retry_transaction(
//       pool, [&](aio::db::Connection& conn) -> aio::Coro<absl::Status> {
//         ... co_await conn.query("SELECT ... FOR UPDATE SKIP LOCKED") ...
//         co_return absl::OkStatus();
//       }, 5);
//
// Each attempt leases a connection, starts a transaction (with `isolation`
// if given), awaits body(conn) and commits if it returned OK. If the body,
// or the commit, fails with kDeadlock or kLockWaitTimeout, the transaction is
// rolled back and, after a backoff (10 ms doubling to at most 1 s, with
// jitter, on the loop's clock), run again, at most `attempts` times in all.
// Any other failure is returned at once, the transaction rolled back.
// attempts < 1 is kInvalidArgument. The body must not commit itself.
//
// Threads: the pool's loop thread. `pool` must outlive the call; `body` is
// copied into the coroutine (a lambda's captures live as long as the call).
#ifndef AIO_DB_RETRY_H_
#define AIO_DB_RETRY_H_

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "db/connection.h"
#include "db/error.h"
#include "db/pool.h"
#include "db/transaction.h"
#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/sleep.h"

namespace aio::db {
namespace internal {
// The pause before attempt `attempt` + 1 (attempt >= 1).
Duration retry_backoff(int attempt);
bool retryable(const absl::Status& status);
absl::Status bad_attempts(int attempts);
}  // namespace internal

template <typename Body>
Coro<absl::Status> retry_transaction(
    Pool& pool, Body body, int attempts = 5,
    std::optional<Isolation> isolation = std::nullopt) {
  if (attempts < 1) co_return internal::bad_attempts(attempts);
  absl::Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) co_await aio::sleep(internal::retry_backoff(attempt - 1));
    absl::StatusOr<Connection> conn = co_await pool.acquire();
    if (!conn.ok()) co_return conn.status();
    absl::StatusOr<Transaction> tx = co_await conn->transaction(isolation);
    if (!tx.ok()) co_return tx.status();
    last = co_await body(*conn);
    if (last.ok()) last = co_await tx->commit();
    if (last.ok() || !internal::retryable(last)) co_return last;
    // The transaction guard rolls back as it goes out of scope.
  }
  co_return last;
}

}  // namespace aio::db

#endif  // AIO_DB_RETRY_H_
