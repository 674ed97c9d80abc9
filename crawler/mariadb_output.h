// aio::crawler::MariaDbOutput: records into a MariaDB table (--db=URL),
// through //db's pool.
//
//   auto out = co_await MariaDbOutput::open("mariadb://crawler@db:3306/crawl");
//
// open() connects (the URL as db::Options::from_url reads it; the password
// from MARIADB_PASSWORD or the option files, never from the URL) and creates
// the table if it is missing:
//
//   CREATE TABLE titles (
//     id         BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
//     url        TEXT NOT NULL,                    -- the page's final URL
//     url_hash   BINARY(32) AS (UNHEX(SHA2(url, 256))) PERSISTENT,
//     position   INT UNSIGNED NOT NULL,            -- match index on the page
//     title      TEXT NOT NULL,
//     fetched_at DATETIME(6) NOT NULL,             -- UTC
//     UNIQUE KEY page_position (url_hash, position)
//   ) utf8mb4, utf8mb4_bin
//
// The unique key on (hash of the canonical URL, position on the page) makes a
// re-run update rows instead of doubling them, and keeps two identical titles
// on one page as two rows. A server that cannot be reached, a wrong user or
// database is an error from open() with the reason (where it connected,
// MariaDB's message; never the password).
//
// Batches: write() buffers whole pages; when `batch_rows` rows are pending,
// and on every flush(), they are sent with executemany (array binding, one
// round trip per batch) inside one transaction, so a batch is committed
// whole or not at all. One batch is in flight at a time (an aio::Lock);
// write() suspends while a full batch is being sent, which bounds memory.
//
// Threads: the loop thread of open(); statements run on //db's threads.
#ifndef AIO_CRAWLER_MARIADB_OUTPUT_H_
#define AIO_CRAWLER_MARIADB_OUTPUT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crawler/output.h"
#include "db/pool.h"
#include "loop/coro.h"
#include "sync/lock.h"

namespace aio::crawler {

class MariaDbOutput final : public Output {
 public:
  static constexpr char kCreateTable[] =
      "CREATE TABLE IF NOT EXISTS titles ("
      " id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
      " url TEXT NOT NULL,"
      " url_hash BINARY(32) AS (UNHEX(SHA2(url, 256))) PERSISTENT,"
      " position INT UNSIGNED NOT NULL,"
      " title TEXT NOT NULL,"
      " fetched_at DATETIME(6) NOT NULL,"
      " UNIQUE KEY page_position (url_hash, position)"
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  static constexpr char kInsert[] =
      "INSERT INTO titles (url, position, title, fetched_at)"
      " VALUES (?, ?, ?, ?)"
      " ON DUPLICATE KEY UPDATE title = VALUES(title),"
      " fetched_at = VALUES(fetched_at)";

  static Coro<absl::StatusOr<std::unique_ptr<MariaDbOutput>>> open(
      std::string url, size_t batch_rows = 1000);

  Coro<absl::Status> write(std::vector<Record> records) override;
  Coro<absl::Status> flush() override;
  Coro<absl::Status> close() override;
  std::string describe() const override { return where_; }

  // Rows committed so far.
  uint64_t rows_written() const { return rows_written_; }

 private:
  MariaDbOutput(db::Pool pool, std::string where, size_t batch_rows)
      : pool_(std::move(pool)), where_(std::move(where)),
        batch_rows_(batch_rows) {}
  Coro<absl::Status> send_pending();

  db::Pool pool_;
  std::string where_;
  size_t batch_rows_;
  std::vector<std::vector<db::Value>> pending_;
  Lock sending_;
  absl::Status error_;  // sticky
  uint64_t rows_written_ = 0;
  bool closed_ = false;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_MARIADB_OUTPUT_H_
