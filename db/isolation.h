// aio::db::Isolation: a transaction isolation level, for
// Connection::transaction(isolation), Script::begin(isolation) and
// Options::isolation (every session's default).
//
// Plain value type; any thread.
#ifndef AIO_DB_ISOLATION_H_
#define AIO_DB_ISOLATION_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace aio::db {

enum class Isolation {
  kReadUncommitted,
  kReadCommitted,
  kRepeatableRead,  // InnoDB's default
  kSerializable,
};
std::string_view to_string(Isolation isolation);  // "READ COMMITTED", ...
// "read-committed", "read_committed", "READ COMMITTED" (any case) and the
// other three levels; anything else is kInvalidArgument naming the four.
absl::StatusOr<Isolation> parse_isolation(std::string_view text);

}  // namespace aio::db

#endif  // AIO_DB_ISOLATION_H_
