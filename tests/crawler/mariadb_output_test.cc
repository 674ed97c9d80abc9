#include "crawler/mariadb_output.h"

#include <stdlib.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "loop/errors.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "tests/fixtures/mariadb.h"

namespace aio::crawler {
namespace {

using aio::testing::MariaDbServer;

Record rec(std::string url, std::string title, int position) {
  Record r;
  r.url = std::move(url);
  r.title = std::move(title);
  r.position = position;
  r.fetched_at = std::chrono::system_clock::now();
  return r;
}

// All rows as "url|position|title", sorted by id.
Coro<std::vector<std::string>> rows(db::Pool& pool) {
  std::vector<std::string> out;
  absl::StatusOr<db::ResultSet> rs = co_await pool.query(
      "SELECT url, position, title FROM titles ORDER BY url, position");
  EXPECT_TRUE(rs.ok()) << rs.status();
  if (!rs.ok()) co_return out;
  for (size_t i = 0; i < rs->size(); ++i) {
    db::Row row = (*rs)[i];
    out.push_back(*row.get<std::string>(0) + "|" +
                  std::to_string(*row.get<int64_t>(1)) + "|" +
                  *row.get<std::string>(2));
  }
  co_return out;
}

// One page's records. (Variadic: GCC 12 rejects a braced list of strings
// inside a co_await expression.)
template <typename... T>
std::vector<Record> page(const std::string& url, T... titles) {
  std::vector<Record> out;
  int i = 0;
  (out.push_back(rec(url, std::string(titles), i++)), ...);
  return out;
}

Coro<void> write_ok(MariaDbOutput& out, std::vector<Record> records) {
  absl::Status s = co_await out.write(std::move(records));
  EXPECT_TRUE(s.ok()) << s;
}

TEST(MariaDbOutputTest, CreatesTheTableAndNeverDoublesARowOnReRuns) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options fresh = server.fresh_database();
  std::string url = server.url(fresh.database);
  aio::run([](std::string url, db::Options opts) -> Coro<void> {
    for (int run = 0; run < 2; ++run) {
      auto out = co_await MariaDbOutput::open(url, /*batch_rows=*/3);
      EXPECT_TRUE(out.ok()) << out.status();
      if (!out.ok()) co_return;
      // Two identical titles on one page stay two rows; UTF-8 round-trips.
      co_await write_ok(**out, page("http://a/1", "Same", "Same"));
      co_await write_ok(**out, page("http://a/2", "Caf\xC3\xA9 \xF0\x9F\x98\x80"));
      co_await write_ok(**out, page("http://a/3", "x", "y", "z", "w"));
      absl::Status c = co_await (*out)->close();
      EXPECT_TRUE(c.ok()) << c;
      EXPECT_EQ((*out)->rows_written(), 7u);
    }
    absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
    EXPECT_TRUE(pool.ok());
    std::vector<std::string> got = co_await rows(*pool);
    std::vector<std::string> want = {
        "http://a/1|0|Same", "http://a/1|1|Same",
        "http://a/2|0|Caf\xC3\xA9 \xF0\x9F\x98\x80",
        "http://a/3|0|x", "http://a/3|1|y", "http://a/3|2|z",
        "http://a/3|3|w"};
    EXPECT_EQ(got, want);
  }(url, fresh));
}

TEST(MariaDbOutputTest, ARecrawledPageUpdatesItsRowsInPlace) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options fresh = server.fresh_database();
  std::string url = server.url(fresh.database);
  aio::run([](std::string url, db::Options opts) -> Coro<void> {
    auto out = co_await MariaDbOutput::open(url, 100);
    co_await write_ok(**out, page("http://a/1", "old"));
    (void)co_await (*out)->flush();
    co_await write_ok(**out, page("http://a/1", "new"));
    (void)co_await (*out)->close();
    absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
    std::vector<std::string> got = co_await rows(*pool);
    std::vector<std::string> want = {"http://a/1|0|new"};
    EXPECT_EQ(got, want);
  }(url, fresh));
}

TEST(MariaDbOutputTest, NothingIsWrittenBeforeAFullBatchOrAFlush) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options fresh = server.fresh_database();
  std::string url = server.url(fresh.database);
  aio::run([](std::string url, db::Options opts) -> Coro<void> {
    auto out = co_await MariaDbOutput::open(url, 5);
    absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
    co_await write_ok(**out, page("http://a/1", "a", "b"));
    EXPECT_EQ((co_await rows(*pool)).size(), 0u);
    co_await write_ok(**out, page("http://a/2", "c", "d", "e"));  // 5: sent
    EXPECT_EQ((co_await rows(*pool)).size(), 5u);
    co_await write_ok(**out, page("http://a/3", "f"));
    EXPECT_EQ((co_await rows(*pool)).size(), 5u);
    absl::Status f = co_await (*out)->flush();
    EXPECT_TRUE(f.ok());
    EXPECT_EQ((co_await rows(*pool)).size(), 6u);
    (void)co_await (*out)->close();
    absl::Status after = co_await (*out)->write(page("http://a/4", "g"));
    EXPECT_FALSE(after.ok());  // closed
  }(url, fresh));
}

// Waits (at most ~10 s) until an INSERT into titles is blocked on the table
// lock another session holds.
Coro<bool> insert_is_blocked(db::Pool& pool) {
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<db::ResultSet> rs = co_await pool.query(
        "SELECT COUNT(*) FROM information_schema.processlist"
        " WHERE info LIKE 'INSERT INTO titles%'"
        " AND state LIKE 'Waiting for table%'");
    if (rs.ok() && rs->size() == 1 && *(*rs)[0].get<int64_t>(0) > 0) {
      co_return true;
    }
    co_await aio::sleep(0.01);
  }
  co_return false;
}

Coro<absl::Status> flush_of(MariaDbOutput& out) { co_return co_await out.flush(); }

// Regression: the engine cancels its periodic flush when a crawl ends; a
// cancel that landed while a batch was being sent lost the batch (1265 of
// 1500 rows after "1500 records" and exit 0).
TEST(MariaDbOutputTest, ABatchCancelledMidSendIsSentByTheNextFlush) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options fresh = server.fresh_database();
  std::string url = server.url(fresh.database);
  aio::run([](std::string url, db::Options opts) -> Coro<void> {
    auto out = co_await MariaDbOutput::open(url, /*batch_rows=*/1000);
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) co_return;
    absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (!pool.ok()) co_return;
    co_await write_ok(**out, page("http://a/1", "one", "two"));
    co_await write_ok(**out, page("http://a/2", "three"));
    // Another session holds the table: the batch's INSERT waits on it.
    absl::StatusOr<db::Connection> locker = co_await pool->acquire();
    EXPECT_TRUE(locker.ok()) << locker.status();
    if (!locker.ok()) co_return;
    absl::StatusOr<db::ExecResult> lock =
        co_await locker->execute("LOCK TABLES titles WRITE");
    EXPECT_TRUE(lock.ok()) << lock.status();
    Task<absl::Status> flush = create_task(flush_of(**out));
    EXPECT_TRUE(co_await insert_is_blocked(*pool));
    flush.cancel();
    bool cancelled = false;
    try {
      (void)co_await flush;
    } catch (const CancelledError&) {
      cancelled = true;
    }
    EXPECT_TRUE(cancelled);
    absl::StatusOr<db::ExecResult> unlock =
        co_await locker->execute("UNLOCK TABLES");
    EXPECT_TRUE(unlock.ok()) << unlock.status();
    EXPECT_EQ((co_await rows(*pool)).size(), 0u);  // rolled back, not lost:
    absl::Status c = co_await (*out)->close();
    EXPECT_TRUE(c.ok()) << c;
    std::vector<std::string> want = {"http://a/1|0|one", "http://a/1|1|two",
                                     "http://a/2|0|three"};
    EXPECT_EQ(co_await rows(*pool), want);
    EXPECT_EQ((*out)->rows_written(), 3u);
  }(url, fresh));
}

TEST(MariaDbOutputTest, AForeignTitlesTableIsAClearErrorAtOpen) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options fresh = server.fresh_database();
  ASSERT_TRUE(server
                  .admin("CREATE TABLE " + fresh.database +
                         ".titles (id INT PRIMARY KEY, name TEXT)")
                  .ok());
  aio::run([](std::string url) -> Coro<void> {
    auto out = co_await MariaDbOutput::open(url);
    EXPECT_FALSE(out.ok());
    std::string msg(out.status().message());
    EXPECT_NE(msg.find("no column url, url_hash, position, title, fetched_at"),
              std::string::npos)
        << msg;
  }(server.url(fresh.database)));
}

TEST(MariaDbOutputTest, UnreachableServerSaysWhereAndNeverThePassword) {
  setenv("MARIADB_PASSWORD", "s3cr3t-pw", 1);
  aio::run([]() -> Coro<void> {
    auto out = co_await MariaDbOutput::open(
        "mariadb://crawler@127.0.0.1:1/crawl?connect_timeout=2s");
    EXPECT_FALSE(out.ok());
    std::string msg(out.status().message());
    EXPECT_NE(msg.find("127.0.0.1:1"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("s3cr3t-pw"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }());
  unsetenv("MARIADB_PASSWORD");
}

TEST(MariaDbOutputTest, BadUrlIsInvalidArgument) {
  aio::run([]() -> Coro<void> {
    std::vector<std::string> urls = {"mysql://x/y", "mariadb://user:pw@host/db",
                                     "not a url", ""};
    for (const std::string& url : urls) {
      auto out = co_await MariaDbOutput::open(url);
      EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument)
          << url << ": " << out.status();
      EXPECT_EQ(std::string(out.status().message()).find("pw"),
                std::string::npos);
    }
  }());
}

}  // namespace
}  // namespace aio::crawler
