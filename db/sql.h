// aio::db::Sql: the text of a statement and how it may be retried.
//
//   co_await conn->execute("INSERT INTO t VALUES (?)", v);      // plain
//   co_await conn->execute(aio::db::idempotent(
//       "INSERT IGNORE INTO seen VALUES (?)"), url);             // replayable
//
// Values are never part of the text: they are bound to `?` placeholders of a
// prepared statement. A statement whose connection drops while it runs is
// not replayed (its effect is unknown) and returns kConnectionLost, unless
// it is marked idempotent and runs outside a transaction: then it is sent
// once more on a fresh connection. Plain value type; any thread.
#ifndef AIO_DB_SQL_H_
#define AIO_DB_SQL_H_

#include <string>
#include <string_view>
#include <utility>

namespace aio::db {

struct Sql {
  Sql(std::string t) : text(std::move(t)) {}          // NOLINT: implicit
  Sql(std::string_view t) : text(t) {}                // NOLINT
  Sql(const char* t) : text(t) {}                     // NOLINT
  Sql(std::string t, bool idem) : text(std::move(t)), idempotent(idem) {}

  std::string text;
  bool idempotent = false;
};

// Marks a statement as safe to run twice (INSERT IGNORE, SELECT, an UPDATE
// that sets absolute values...).
inline Sql idempotent(std::string_view text) {
  return Sql(std::string(text), true);
}

}  // namespace aio::db

#endif  // AIO_DB_SQL_H_
