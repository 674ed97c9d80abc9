// aio::db errors: every failure of //db is an absl::Status that carries
// MariaDB's error number, SQLSTATE and message, and a small ErrorKind that
// callers branch on.
//
//   absl::StatusOr<aio::db::ExecResult> r = co_await conn->execute(sql, id);
//   if (aio::db::error_kind(r.status()) == aio::db::ErrorKind::kDuplicateKey)
//     ...;
//   aio::db::error_number(r.status());  // 1062
//   aio::db::sqlstate(r.status());      // "23000"
//
// The message reads "MariaDB error 1062 (23000): Duplicate entry ..." for
// server and client-library errors, prefixed with what was being done. Errors
// found by //db itself (a type mismatch, a bad argument, an acquire timeout)
// have error_number 0 and an empty SQLSTATE. No message ever contains the
// password. Pure functions: any thread.
#ifndef AIO_DB_ERROR_H_
#define AIO_DB_ERROR_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace aio::db {

enum class ErrorKind {
  kOk,               // the status is OK
  kOther,            // any other server or client error (syntax, ...)
  kDuplicateKey,     // 1062, 1022, 1586: a unique key already has the value
  kDeadlock,         // 1213: chosen as the deadlock victim (transaction gone)
  kLockWaitTimeout,  // 1205: innodb_lock_wait_timeout passed
  kConnectionLost,   // 2006, 2013, 1927, 1053: the connection dropped
  kCannotConnect,    // 2002, 2003, 2005: no server at that address
  kTlsFailed,        // 2026: no TLS session (the server's certificate was
                     // not signed by the CA, names another host, or the
                     // server has no TLS)
  kAccessDenied,     // 1044, 1045, 1698: wrong user, password or grants
  kUnknownDatabase,  // 1049
  kPacketTooLarge,   // 1153, 2020, or a value larger than max_allowed_packet
  kQueryInterrupted, // 1317, 1969: KILL QUERY, max_statement_time
  kAcquireTimeout,   // no connection became free within acquire_timeout
  kPoolClosed,       // the Pool was destroyed, or the lease was moved from
  kTypeMismatch,     // a column read as a type it does not hold (or NULL)
  kInvalidArgument,  // bad options, URL, parameter count or batch shape
};

// The kind of a status returned by //db (kOther for foreign statuses).
ErrorKind error_kind(const absl::Status& status);
// MariaDB's error number (0 if none).
unsigned error_number(const absl::Status& status);
// The SQLSTATE ("" if none).
std::string sqlstate(const absl::Status& status);
std::string_view to_string(ErrorKind kind);

// The kind MariaDB error `number` maps to.
ErrorKind kind_of_error_number(unsigned number);

// A status of kind `kind` made by //db itself (no MariaDB error number).
absl::Status make_error(ErrorKind kind, std::string_view message);
// A status for MariaDB error `number` / `state` / `message`, the message
// prefixed with `context` ("" for none).
absl::Status make_mariadb_error(unsigned number, std::string_view state,
                                std::string_view message,
                                std::string_view context);

}  // namespace aio::db

#endif  // AIO_DB_ERROR_H_
