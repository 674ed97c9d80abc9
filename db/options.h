// aio::db::Options: where a Pool connects and how it behaves.
//
//   auto opts = aio::db::Options::from_url(
//       "mariadb://crawler@db.example:3306/crawl?max_connections=16");
//   opts->password = ...;   // or MARIADB_PASSWORD, or an option file
//
// The password is taken, in this order, from `password`, the
// MARIADB_PASSWORD environment variable (read by Pool::create) and the option
// files Connector/C reads itself (`option_file`, or its default files
// /etc/my.cnf, ~/.my.cnf, ... when `option_file` is empty; group
// `option_group`). It is never accepted inside a URL (a URL is typed on a
// command line, which `ps` shows) and never appears in to_string() or in any
// error message.
//
// The character set is always utf8mb4 (4-byte UTF-8 round-trips), automatic
// reconnection is always off (a statement is never replayed behind the
// caller's back), and LOAD DATA LOCAL is refused.
//
// Plain value type; any thread.
#ifndef AIO_DB_OPTIONS_H_
#define AIO_DB_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/isolation.h"
#include "loop/clock.h"

namespace aio::db {

struct Tls {
  bool enabled = false;     // require TLS (the connection fails without it)
  std::string ca_file{};    // PEM file of the CA that signed the server's cert
  bool verify_server_cert = true;  // check the certificate and the host name
};

struct Options {
  // TCP host and port, or `socket` (a unix socket path; when set, host and
  // port are ignored). host "localhost" without a socket uses Connector/C's
  // default socket.
  std::string host = "localhost";
  uint16_t port = 3306;
  std::string socket{};
  std::string user{};
  std::string password{};  // see the header comment; never printed
  std::string database{};  // "" = none selected

  // Connections: at most max_connections exist; min_connections are opened
  // by Pool::create and kept (create always opens at least one, so a wrong
  // address fails there). 1 <= max_connections, min <= max.
  size_t min_connections = 1;
  size_t max_connections = 10;
  // How long acquire() waits for a free connection before it returns a
  // kAcquireTimeout status. 0 = do not wait; Duration::max() = forever.
  Duration acquire_timeout = std::chrono::seconds(30);
  // Connector/C's timeouts, in whole seconds (rounded up). 0 = none (read:
  // a statement may run as long as it needs). Must not be negative.
  Duration connect_timeout = std::chrono::seconds(10);
  Duration read_timeout = Duration::zero();
  Duration write_timeout = std::chrono::seconds(60);

  bool autocommit = true;
  // Every session's default isolation level (SET SESSION TRANSACTION
  // ISOLATION LEVEL when it connects); nullopt: the server's. A transaction
  // that asks for this level (Connection::transaction, Script::begin) then
  // costs no SET TRANSACTION round trip. Change it here, not with SET
  // SESSION on a pooled connection (the pool would not know).
  std::optional<Isolation> isolation{};
  Tls tls{};
  // Connector/C's option files: a file to read ("" = the default files) and
  // the group to read from ("" = read no option file at all).
  std::string option_file{};
  std::string option_group = "client";
  // Prepared statements kept per connection (least recently used closed
  // first). At least 1.
  size_t statement_cache_size = 64;

  // Parses "mariadb://[user@]host[:port][/database][?key=value&...]" or
  // "mariadb://[user@]/database?socket=/path". Keys: socket, min_connections,
  // max_connections, acquire_timeout, connect_timeout, read_timeout,
  // write_timeout (durations "5s", "250ms", "2m", or plain seconds),
  // autocommit, isolation (read-committed, ...: parse_isolation), tls,
  // tls_ca, tls_verify (true/false/1/0), option_file, option_group,
  // statement_cache_size. Percent-escapes are decoded. A bad
  // URL is an kInvalidArgument status naming the part that is wrong; a
  // password in the URL is refused.
  static absl::StatusOr<Options> from_url(std::string_view url);

  // Checks the ranges above (kInvalidArgument naming the field).
  absl::Status validate() const;

  // "mariadb://user@host:port/db?..." without the password (a set password
  // shows as "password=<set>").
  std::string to_string() const;
  // "host:port" or "socket /path": where the pool connects, for messages.
  std::string where() const;
};

}  // namespace aio::db

#endif  // AIO_DB_OPTIONS_H_
