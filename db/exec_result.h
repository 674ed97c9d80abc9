// aio::db::ExecResult: what a statement without a result set reports.
// Plain value type; any thread.
#ifndef AIO_DB_EXEC_RESULT_H_
#define AIO_DB_EXEC_RESULT_H_

#include <cstddef>
#include <cstdint>

namespace aio::db {

struct ExecResult {
  // Rows inserted, changed or deleted (for executemany: over every batch).
  uint64_t affected_rows = 0;
  // The AUTO_INCREMENT value of the first row inserted (0 if none).
  uint64_t last_insert_id = 0;
  // Server round trips the call took (executemany splits a batch so that no
  // packet exceeds the server's max_allowed_packet).
  size_t round_trips = 0;
};

}  // namespace aio::db

#endif  // AIO_DB_EXEC_RESULT_H_
