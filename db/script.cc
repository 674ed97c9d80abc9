#include "db/script.h"

#include "db/internal/session.h"

namespace aio::db {

Coro<absl::StatusOr<ExecResult>> Script::execute_values(
    Sql sql, std::vector<Value> params) {
  // sql and params live in this frame until the statement ended.
  co_return co_await session_.execute_async(sql.text, params);
}

Coro<absl::StatusOr<ResultSet>> Script::query_values(
    Sql sql, std::vector<Value> params) {
  co_return co_await session_.query_async(sql.text, params);
}

Coro<absl::Status> Script::command(std::string sql) {
  co_return co_await session_.command_async(sql);
}

Coro<absl::Status> Script::begin(std::optional<Isolation> isolation) {
  co_return co_await session_.begin_async(isolation);
}

bool Script::in_transaction() const { return session_.in_transaction(); }

}  // namespace aio::db
