// Internal: one MariaDB connection — the Connector/C handle, its prepared
// statement cache and the blocking calls that use them.
//
// Threads: every method except the accessors marked "any thread after the
// job" runs on one of the pool's own threads, inside a job of the
// connection's chain (pool_core.h), so one thread at a time uses the handle:
// the *_async coroutines on the I/O thread (they drive Connector/C's
// non-blocking API: MYSQL_OPT_NONBLOCK is set on every connection, and the
// coroutine awaits the socket on the I/O loop where Connector/C would
// block), the others blocking on a worker thread.
// What a job leaves in the fields below is published to the loop thread by
// the job's future (the loop reads them only after awaiting it).
#ifndef AIO_DB_INTERNAL_SESSION_H_
#define AIO_DB_INTERNAL_SESSION_H_

#include <mariadb/mysql.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/exec_result.h"
#include "db/internal/statement_cache.h"
#include "db/isolation.h"
#include "db/options.h"
#include "db/result_set.h"
#include "db/value.h"
#include "loop/coro.h"

namespace aio::db::internal {

class Session {
 public:
  // `options` and `password` must outlive the session (the pool owns them).
  Session(const Options* options, const std::string* password);
  ~Session();  // closes the handle (worker thread, or once no job can run)
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Opens the connection (closing any previous one first).
  absl::Status connect();
  // Closes the connection; idempotent.
  void close();
  bool connected() const { return mysql_ != nullptr; }

  // I/O thread. `sql` and `params` must live until the coroutine ended.
  Coro<absl::StatusOr<ExecResult>> execute_async(
      const std::string& sql, const std::vector<Value>& params);
  Coro<absl::StatusOr<ResultSet>> query_async(const std::string& sql,
                                              const std::vector<Value>& params);
  // command() on the I/O thread (`sql` must outlive the coroutine).
  Coro<absl::Status> command_async(std::string_view sql);
  // I/O thread: SET TRANSACTION ISOLATION LEVEL (when given and not the
  // session's default, Options::isolation), then START TRANSACTION
  // (Connection::transaction, Script::begin).
  Coro<absl::Status> begin_async(std::optional<Isolation> isolation);
  absl::StatusOr<ExecResult> executemany(
      const std::string& sql, const std::vector<std::vector<Value>>& rows);
  // A statement without values over the text protocol (START TRANSACTION,
  // COMMIT, ROLLBACK, SET ..., KILL QUERY n); any result is discarded.
  absl::Status command(std::string_view sql);
  // A round trip that fails if the connection is dead.
  absl::Status ping();

  // Any thread after the job: the connection dropped (it must be replaced);
  // the server reported an open transaction after the last statement; the
  // server's id of this connection (for KILL QUERY); its socket.
  bool broken() const { return broken_; }
  bool in_transaction() const { return in_transaction_; }
  unsigned long thread_id() const {
    return thread_id_.load(std::memory_order_relaxed);
  }
  int fd() const { return fd_; }
  uint64_t max_allowed_packet() const { return max_packet_; }

 private:
  struct ParamBinds;
  absl::StatusOr<MYSQL_STMT*> prepare(const std::string& sql);
  Coro<absl::StatusOr<MYSQL_STMT*>> prepare_async(const std::string& sql);
  // Checks and binds `params` to `stmt` (no I/O); `b` holds what the
  // bindings point to until the execute ended.
  absl::Status bind_params(MYSQL_STMT* stmt, const std::string& sql,
                           const std::vector<Value>& params, ParamBinds* b);
  // Prepares (or finds), binds and executes; the statement on success.
  Coro<absl::StatusOr<MYSQL_STMT*>> run_async(const std::string& sql,
                                              const std::vector<Value>& params);
  // After mysql_stmt_store_result: the rows (no I/O; errors need a reset).
  absl::StatusOr<ResultSet> read_rows(MYSQL_STMT* stmt, const std::string& sql);
  // I/O thread: what Connector/C's non-blocking call waits for (MYSQL_WAIT_*
  // bits), awaited on the socket; returns what happened, for its _cont.
  Coro<int> wait_io(int status);
  absl::Status fail(unsigned number, const char* state, const char* message,
                    std::string_view context);
  absl::Status mysql_failure(std::string_view context);
  // A statement's error; stmt_failure also resets the statement (blocking),
  // stmt_error leaves that to the caller (reset_async).
  absl::Status stmt_error(MYSQL_STMT* stmt, const std::string& sql,
                          std::string_view what);
  absl::Status stmt_failure(MYSQL_STMT* stmt, const std::string& sql,
                            std::string_view what);
  Coro<void> reset_async(MYSQL_STMT* stmt);
  absl::Status not_connected() const;
  void after_statement();

  const Options* options_;
  const std::string* password_;
  MYSQL* mysql_ = nullptr;
  StatementCache cache_;
  bool broken_ = false;
  bool in_transaction_ = false;
  // Atomic: KILL QUERY reads it on the loop thread while a job (perhaps a
  // reconnect) runs.
  std::atomic<unsigned long> thread_id_{0};
  int fd_ = -1;
  uint64_t max_packet_ = 16 << 20;
};

}  // namespace aio::db::internal

#endif  // AIO_DB_INTERNAL_SESSION_H_
