#include "crawler/mariadb_output.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "db/options.h"
#include "db/transaction.h"
#include "third_party/absl_compat.h"

namespace aio::crawler {

namespace {

// A record's fetch time as a DATETIME(6) value in UTC.
db::DateTime utc(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                t.time_since_epoch())
                .count();
  time_t secs = static_cast<time_t>(us / 1000000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  return db::DateTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour,        tm.tm_min,     tm.tm_sec,
                      static_cast<int>(us % 1000000)};
}

}  // namespace

Coro<absl::StatusOr<std::unique_ptr<MariaDbOutput>>> MariaDbOutput::open(
    std::string url, size_t batch_rows) {
  absl::StatusOr<db::Options> options = db::Options::from_url(url);
  if (!options.ok()) {
    co_return absl::InvalidArgumentError(
        absl::StrCat("--db: ", options.status().message()));
  }
  options->min_connections = 1;
  options->max_connections = 2;
  std::string where = options->to_string();
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(*options);
  if (!pool.ok()) {
    co_return absl::UnavailableError(absl::StrCat(
        "cannot connect to MariaDB at ", options->where(), ": ",
        pool.status().message()));
  }
  absl::StatusOr<db::ExecResult> created =
      co_await pool->execute(db::Sql(kCreateTable));
  if (!created.ok()) {
    co_return absl::UnavailableError(
        absl::StrCat("cannot create table titles in ", where, ": ",
                     created.status().message()));
  }
  // A table `titles` made by something else: say what it lacks now, rather
  // than failing at the first batch.
  absl::StatusOr<db::ResultSet> columns = co_await pool->query(
      "SELECT column_name FROM information_schema.columns"
      " WHERE table_schema = DATABASE() AND table_name = 'titles'");
  if (!columns.ok()) {
    co_return absl::UnavailableError(
        absl::StrCat("cannot read the columns of table titles in ", where,
                     ": ", columns.status().message()));
  }
  std::vector<std::string> missing = {"url", "url_hash", "position", "title",
                                      "fetched_at"};
  for (size_t i = 0; i < columns->size(); ++i) {
    absl::StatusOr<std::string> name = (*columns)[i].get<std::string>(0);
    if (!name.ok()) continue;
    missing.erase(std::remove(missing.begin(), missing.end(), *name),
                  missing.end());
  }
  if (!missing.empty()) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "table titles in ", where, " exists but has no column ",
        absl::StrJoin(missing, ", "),
        " (made by another program? drop it or use another database)"));
  }
  co_return std::unique_ptr<MariaDbOutput>(new MariaDbOutput(
      *std::move(pool), std::move(where), batch_rows < 1 ? 1 : batch_rows));
}

Coro<absl::Status> MariaDbOutput::write(std::vector<Record> records) {
  if (!error_.ok()) co_return error_;
  if (closed_) co_return absl::FailedPreconditionError("output closed");
  for (Record& r : records) {
    std::vector<db::Value> row;
    row.reserve(4);
    row.emplace_back(std::move(r.url));
    row.emplace_back(static_cast<int64_t>(r.position));
    row.emplace_back(std::move(r.title));
    row.emplace_back(utc(r.fetched_at));
    pending_.push_back(std::move(row));
  }
  if (pending_.size() >= batch_rows_) co_return co_await send_pending();
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbOutput::send_pending() {
  auto held = co_await sending_.acquire();
  if (!error_.ok()) co_return error_;
  if (pending_.empty()) co_return absl::OkStatus();
  std::vector<std::vector<db::Value>> rows = std::move(pending_);
  pending_.clear();
  const size_t n = rows.size();
  // Until the batch has committed, it goes back to the front of pending_ if
  // anything below fails or the awaiting task is cancelled (the engine
  // cancels its periodic flush at the end of a crawl): the next flush sends
  // it again. Resending a batch that did commit (cancelled during COMMIT)
  // doubles nothing: the unique key turns it into updates of the same rows.
  bool committed = false;
  absl::Cleanup put_back = [this, &rows, &committed] {
    if (committed) return;
    pending_.insert(pending_.begin(), std::make_move_iterator(rows.begin()),
                    std::make_move_iterator(rows.end()));
  };
  absl::StatusOr<db::Connection> conn = co_await pool_.acquire();
  if (!conn.ok()) {
    error_ = absl::UnavailableError(absl::StrCat(
        "MariaDB ", where_, ": ", conn.status().message()));
    co_return error_;
  }
  absl::StatusOr<db::Transaction> tx = co_await conn->transaction();
  if (!tx.ok()) {
    error_ = absl::UnavailableError(
        absl::StrCat("MariaDB ", where_, ": ", tx.status().message()));
    co_return error_;
  }
  absl::StatusOr<db::ExecResult> r =
      co_await conn->executemany(db::Sql(kInsert), rows);
  if (!r.ok()) {
    error_ = absl::UnavailableError(absl::StrCat(
        "MariaDB ", where_, ": writing ", n, " records: ", r.status().message()));
    co_return error_;
  }
  absl::Status c = co_await tx->commit();
  if (!c.ok()) {
    error_ = absl::UnavailableError(absl::StrCat(
        "MariaDB ", where_, ": committing ", n, " records: ", c.message()));
    co_return error_;
  }
  committed = true;
  rows_written_ += n;
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbOutput::flush() { co_return co_await send_pending(); }

Coro<absl::Status> MariaDbOutput::close() {
  absl::Status s = co_await send_pending();
  closed_ = true;
  co_return s;
}

}  // namespace aio::crawler
