// aio::crawler::Output: where a crawl's records go — the adapter interface
// behind --out (JSON Lines, jsonl_output.h) and --db (MariaDB,
// mariadb_output.h). The engine hands over one page's records at a time.
//
// Contract: write() takes all records of one page and never leaves part of
// them visible (a JSON line is written whole, a database batch commits whole);
// it may buffer. flush() makes everything accepted so far visible and
// durable as far as the medium allows (after it returns, a reader sees whole
// pages). close() flushes and releases the medium; nothing is written after.
// Errors are absl::Status values with a readable message (the engine ends the
// crawl with exit 1 and that message); no method throws for I/O failures.
//
// Threads: one loop's thread; the engine serialises nothing, so an
// implementation that suspends must accept write() from several tasks.
#ifndef AIO_CRAWLER_OUTPUT_H_
#define AIO_CRAWLER_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "crawler/record.h"
#include "loop/coro.h"

namespace aio::crawler {

class Output {
 public:
  virtual ~Output() = default;
  virtual Coro<absl::Status> write(std::vector<Record> records) = 0;
  virtual Coro<absl::Status> flush() = 0;
  virtual Coro<absl::Status> close() = 0;
  // For messages: "stdout", "file out.jsonl", "mariadb://u@h:3306/db".
  virtual std::string describe() const = 0;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_OUTPUT_H_
