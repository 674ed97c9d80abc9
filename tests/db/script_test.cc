#include "db/script.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "db/db.h"
#include "loop/loop.h"
#include "tests/db/test_util.h"

namespace aio::db {
namespace {

using namespace std::chrono_literals;
using testing::fresh_options;

// A transaction in one script: read, compute, write, commit — and the
// script ran on another thread than the caller's loop.
Coro<void> transaction_in_one_script() {
  auto pool = co_await Pool::create(fresh_options(1));
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute(
      "CREATE TABLE t (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB"));
  CO_ASSERT_OK(co_await pool->execute("INSERT INTO t VALUES (1, 41)"));
  auto conn = co_await pool->acquire();
  CO_ASSERT_OK(conn);
  const std::thread::id caller = std::this_thread::get_id();
  struct Out {
    Out() = default;
    explicit Out(absl::Status s) : status(std::move(s)) {}
    absl::Status status;
    int64_t n = 0;
    bool other_thread = false;
  };
  absl::AnyInvocable<Coro<Out>(Script&)> script =
      [caller](Script& s) -> Coro<Out> {
    Out out;
    out.other_thread = std::this_thread::get_id() != caller;
    out.status = co_await s.begin(Isolation::kReadCommitted);
    if (!out.status.ok()) co_return out;
    EXPECT_TRUE(s.in_transaction());
    auto rs = co_await s.query("SELECT n FROM t WHERE id = ? FOR UPDATE", 1);
    if (!rs.ok()) co_return Out(rs.status());
    out.n = (*rs)[0].get<int64_t>(0).value_or(0) + 1;
    auto u = co_await s.execute("UPDATE t SET n = ? WHERE id = ?", out.n, 1);
    if (!u.ok()) co_return Out(u.status());
    EXPECT_EQ(u->affected_rows, 1u);
    out.status = co_await s.command("COMMIT");
    co_return out;
  };
  Out out = co_await conn->run<Out>(std::move(script));
  CO_ASSERT_OK(out.status);
  EXPECT_EQ(out.n, 42);
  EXPECT_TRUE(out.other_thread);
  EXPECT_FALSE(conn->in_transaction());
  auto rs = co_await conn->query("SELECT n FROM t WHERE id = 1");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<int64_t>(0), 42);
}

TEST(Script, ATransactionRunsInOneScriptOnTheIoThread) {
  aio::run(transaction_in_one_script());
}

// A failing statement is a status the script sees; a transaction it leaves
// open is rolled back before the connection is reused.
Coro<void> errors_and_open_transaction() {
  auto pool = co_await Pool::create(fresh_options(1));
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute(
      "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  {
    auto conn = co_await pool->acquire();
    CO_ASSERT_OK(conn);
    absl::AnyInvocable<Coro<absl::Status>(Script&)> script =
        [](Script& s) -> Coro<absl::Status> {
      absl::Status b = co_await s.command("START TRANSACTION");
      if (!b.ok()) co_return b;
      auto i = co_await s.execute("INSERT INTO t VALUES (?)", 1);
      if (!i.ok()) co_return i.status();
      auto dup = co_await s.execute("INSERT INTO t VALUES (?)", 1);
      co_return dup.status();  // the transaction stays open
    };
    absl::Status s = co_await conn->run<absl::Status>(std::move(script));
    EXPECT_EQ(error_kind(s), ErrorKind::kDuplicateKey) << s;
    EXPECT_TRUE(conn->in_transaction());
  }
  auto rs = co_await pool->query("SELECT COUNT(*) FROM t");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<int64_t>(0), 0);
  // A statement the server refuses outright.
  auto conn = co_await pool->acquire();
  CO_ASSERT_OK(conn);
  absl::AnyInvocable<Coro<absl::StatusOr<ResultSet>>(Script&)> bad =
      [](Script& s) { return s.query("SELECT * FROM no_such_table"); };
  auto r = co_await conn->run<absl::StatusOr<ResultSet>>(std::move(bad));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos)
      << r.status();
}

TEST(Script, ErrorsAreStatusesAndAnOpenTransactionIsRolledBack) {
  aio::run(errors_and_open_transaction());
}

// Cancelled while a statement of the script runs: KILL QUERY, and the
// connection comes back only after the script ended.
Coro<void> cancelled() {
  auto pool = co_await Pool::create(fresh_options(1));
  CO_ASSERT_OK(pool);
  unsigned long id = 0;
  auto start = std::chrono::steady_clock::now();
  {
    auto conn = co_await pool->acquire();
    CO_ASSERT_OK(conn);
    id = conn->server_thread_id();
    auto run = [](Connection* c) -> Coro<void> {
      absl::AnyInvocable<Coro<absl::Status>(Script&)> script =
          [](Script& s) -> Coro<absl::Status> {
        auto a = co_await s.query("SELECT 1");
        if (!a.ok()) co_return a.status();
        auto b = co_await s.query("SELECT SLEEP(10)");
        co_return b.status();
      };
      absl::Status s = co_await c->run<absl::Status>(std::move(script));
      (void)s;
    };
    auto t = create_task(run(&*conn));
    co_await aio::sleep(200ms);
    t.cancel();
    bool was_cancelled = false;
    try {
      co_await t;
    } catch (const CancelledError&) {
      was_cancelled = true;
    }
    EXPECT_TRUE(was_cancelled);
  }
  auto conn = co_await pool->acquire();
  CO_ASSERT_OK(conn);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s)
      << "the SLEEP(10) was not stopped";
  EXPECT_EQ(conn->server_thread_id(), id);
  auto rs = co_await conn->query("SELECT 1 + ?", 1);
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<int64_t>(0), 2);
}

TEST(Script, CancellingStopsTheRunningStatementAndTheConnectionIsReusable) {
  aio::run(cancelled());
}

}  // namespace
}  // namespace aio::db
