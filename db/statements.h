// aio::db::Statements<D>: the variadic execute() and query() that Pool,
// Connection and Script share. D provides execute_values(Sql,
// std::vector<Value>) and query_values(Sql, std::vector<Value>); this adds
//   execute(sql, params...) -> execute_values(sql, {Value(params)...})
//   query(sql, params...)   -> query_values(sql, {Value(params)...})
// so `co_await pool.execute("... (?, ?)", 42, "text")` binds 42 and "text"
// to the placeholders. Any thread D allows.
#ifndef AIO_DB_STATEMENTS_H_
#define AIO_DB_STATEMENTS_H_

#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "db/exec_result.h"
#include "db/result_set.h"
#include "db/sql.h"
#include "db/value.h"
#include "loop/coro.h"

namespace aio::db {

template <typename D>
class Statements {
 public:
  template <typename... P>
  Coro<absl::StatusOr<ExecResult>> execute(Sql sql, P&&... params) {
    return self().execute_values(
        std::move(sql), std::vector<Value>{Value(std::forward<P>(params))...});
  }
  template <typename... P>
  Coro<absl::StatusOr<ResultSet>> query(Sql sql, P&&... params) {
    return self().query_values(
        std::move(sql), std::vector<Value>{Value(std::forward<P>(params))...});
  }

 private:
  D& self() { return static_cast<D&>(*this); }
};

}  // namespace aio::db

#endif  // AIO_DB_STATEMENTS_H_
