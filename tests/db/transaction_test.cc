#include "db/transaction.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "db/db.h"
#include "loop/loop.h"
#include "sync/event.h"
#include "tests/db/test_util.h"

namespace aio::db {
namespace {

using testing::fresh_options;

Coro<int64_t> count(Pool& pool) {
  auto rs = co_await pool.query("SELECT COUNT(*) FROM t");
  if (!rs.ok()) {
    ADD_FAILURE() << rs.status();
    co_return -1;
  }
  co_return *(*rs)[0].get<int64_t>(0);
}

Coro<void> commit_and_rollback() {
  auto pool = co_await Pool::create(fresh_options(2));
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute(
      "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  {
    auto conn = co_await pool->acquire();
    CO_ASSERT_OK(conn);
    auto tx = co_await conn->transaction(Isolation::kReadCommitted);
    CO_ASSERT_OK(tx);
    EXPECT_TRUE(conn->in_transaction());
    auto iso = co_await conn->query("SELECT @@tx_isolation");
    CO_ASSERT_OK(iso);
    CO_ASSERT_OK(co_await conn->execute("INSERT INTO t VALUES (1)"));
    EXPECT_EQ(co_await count(*pool), 0);  // not visible outside yet
    CO_ASSERT_OK(co_await tx->commit());
    EXPECT_FALSE(tx->active());
    EXPECT_EQ(error_kind(co_await tx->commit()), ErrorKind::kInvalidArgument);
    EXPECT_FALSE(conn->in_transaction());
  }
  EXPECT_EQ(co_await count(*pool), 1);
  {
    auto conn = co_await pool->acquire();
    CO_ASSERT_OK(conn);
    auto tx = co_await conn->transaction();
    CO_ASSERT_OK(tx);
    CO_ASSERT_OK(co_await conn->execute("INSERT INTO t VALUES (2)"));
    CO_ASSERT_OK(co_await tx->rollback());
  }
  EXPECT_EQ(co_await count(*pool), 1);
  {
    auto conn = co_await pool->acquire();
    CO_ASSERT_OK(conn);
    auto tx = co_await conn->transaction(Isolation::kSerializable);
    CO_ASSERT_OK(tx);
    CO_ASSERT_OK(co_await conn->execute("INSERT INTO t VALUES (3)"));
    // dropped without commit
  }
  EXPECT_EQ(co_await count(*pool), 1);
  // The lease's end waited for the rollback: the connection is clean.
  auto conn = co_await pool->acquire();
  CO_ASSERT_OK(conn);
  EXPECT_FALSE(conn->in_transaction());
  {
    // A lease dropped with a transaction begun by SQL text is rolled back too.
    CO_ASSERT_OK(co_await conn->execute("BEGIN"));
    CO_ASSERT_OK(co_await conn->execute("INSERT INTO t VALUES (4)"));
    EXPECT_TRUE(conn->in_transaction());
    conn->release();
  }
  EXPECT_EQ(co_await count(*pool), 1);
}

TEST(Transaction, CommitPersistsRollbackAndDropDiscard) {
  aio::run(commit_and_rollback());
}

Coro<void> isolation_applies() {
  auto pool = co_await Pool::create(fresh_options(1));
  CO_ASSERT_OK(pool);
  auto conn = co_await pool->acquire();
  CO_ASSERT_OK(conn);
  auto tx = co_await conn->transaction(Isolation::kSerializable);
  CO_ASSERT_OK(tx);
  // The level applies to this transaction only: the session default stays.
  auto rs = co_await conn->query("SELECT @@session.tx_isolation");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<std::string>(0), "REPEATABLE-READ");
  auto again = co_await conn->transaction();
  EXPECT_EQ(error_kind(again.status()), ErrorKind::kInvalidArgument);
  CO_ASSERT_OK(co_await tx->commit());
}

TEST(Transaction, IsolationLevelAndNoNesting) { aio::run(isolation_applies()); }

// Whether a plain SELECT of row 1 in `reader`'s open transaction locked it
// (it does at SERIALIZABLE, not at READ COMMITTED): `writer` then cannot
// update it before its lock wait timeout (1 s here).
Coro<bool> row_1_locked(Connection& writer) {
  auto w = co_await writer.execute("UPDATE t SET id = 1 WHERE id = 1");
  if (w.ok()) co_return false;
  EXPECT_EQ(error_kind(w.status()), ErrorKind::kLockWaitTimeout) << w.status();
  co_return true;
}

// SET statements this session ran so far.
Coro<int64_t> sets(Connection& conn) {
  auto rs = co_await conn.query(
      "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
      " WHERE VARIABLE_NAME = 'COM_SET_OPTION'");
  if (!rs.ok() || rs->empty()) {
    ADD_FAILURE() << rs.status();
    co_return -1;
  }
  int64_t n = -1;
  EXPECT_TRUE(absl::SimpleAtoi((*rs)[0].get<std::string>(0).value_or(""), &n));
  co_return n;
}

// Options::isolation is every session's default: a transaction at that
// level sends no SET TRANSACTION; another level still gets its SET, for
// that transaction only.
Coro<void> session_isolation() {
  Options opts = fresh_options(2);
  opts.isolation = Isolation::kReadCommitted;
  auto pool = co_await Pool::create(opts);
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute(
      "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  CO_ASSERT_OK(co_await pool->execute("INSERT INTO t VALUES (1)"));
  auto conn = co_await pool->acquire();
  CO_ASSERT_OK(conn);
  auto writer = co_await pool->acquire();
  CO_ASSERT_OK(writer);
  CO_ASSERT_OK(co_await writer->execute("SET innodb_lock_wait_timeout = 1"));
  for (Connection* c : {&*conn, &*writer}) {
    auto rs = co_await c->query("SELECT @@session.tx_isolation");
    CO_ASSERT_OK(rs);
    EXPECT_EQ(*(*rs)[0].get<std::string>(0), "READ-COMMITTED");
  }

  const int64_t before = co_await sets(*conn);
  {
    auto tx = co_await conn->transaction(Isolation::kReadCommitted);
    CO_ASSERT_OK(tx);
    CO_ASSERT_OK(co_await conn->query("SELECT id FROM t WHERE id = 1"));
    EXPECT_FALSE(co_await row_1_locked(*writer));
    CO_ASSERT_OK(co_await tx->commit());
  }
  EXPECT_EQ(co_await sets(*conn), before);  // no SET TRANSACTION
  {
    auto tx = co_await conn->transaction(Isolation::kSerializable);
    CO_ASSERT_OK(tx);
    CO_ASSERT_OK(co_await conn->query("SELECT id FROM t WHERE id = 1"));
    EXPECT_TRUE(co_await row_1_locked(*writer));
    CO_ASSERT_OK(co_await tx->commit());
  }
  EXPECT_EQ(co_await sets(*conn), before + 1);
  {
    auto tx = co_await conn->transaction();  // the session's default
    CO_ASSERT_OK(tx);
    CO_ASSERT_OK(co_await conn->query("SELECT id FROM t WHERE id = 1"));
    EXPECT_FALSE(co_await row_1_locked(*writer));
    CO_ASSERT_OK(co_await tx->commit());
  }
  EXPECT_EQ(co_await sets(*conn), before + 1);
}

TEST(Transaction, SessionIsolationFromOptionsNeedsNoSetTransaction) {
  aio::run(session_isolation());
}

// Locks row `first`, waits until the other transaction locked its row, then
// locks row `second`: two of these in opposite order deadlock.
Coro<absl::Status> lock_both(Connection& conn, int first, int second,
                             Event* mine, Event* theirs, int* attempts) {
  ++*attempts;
  auto a = co_await conn.execute("UPDATE t SET n = n + 1 WHERE id = ?", first);
  if (!a.ok()) co_return a.status();
  mine->set();
  co_await theirs->wait();
  auto b = co_await conn.execute("UPDATE t SET n = n + 1 WHERE id = ?", second);
  if (!b.ok()) co_return b.status();
  co_return absl::OkStatus();
}

struct Body {
  int first, second;
  Event* mine;
  Event* theirs;
  int* attempts;
  Coro<absl::Status> operator()(Connection& conn) const {
    return lock_both(conn, first, second, mine, theirs, attempts);
  }
};

Coro<absl::Status> run_retry(Pool* pool, Body body) {
  co_return co_await retry_transaction(*pool, body, 5);
}

Coro<void> deadlock_retry() {
  auto pool = co_await Pool::create(fresh_options(4));
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute(
      "CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB"));
  CO_ASSERT_OK(co_await pool->execute("INSERT INTO t VALUES (1, 0), (2, 0)"));
  Event a_locked, b_locked;
  int a_attempts = 0, b_attempts = 0;
  auto a = create_task(run_retry(&*pool, Body{1, 2, &a_locked, &b_locked, &a_attempts}));
  auto b = create_task(run_retry(&*pool, Body{2, 1, &b_locked, &a_locked, &b_attempts}));
  absl::Status sa = co_await a;
  absl::Status sb = co_await b;
  EXPECT_TRUE(sa.ok()) << sa;
  EXPECT_TRUE(sb.ok()) << sb;
  // One of them was the deadlock victim and ran again.
  EXPECT_EQ(a_attempts + b_attempts, 3);
  auto rs = co_await pool->query("SELECT SUM(n) FROM t");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<std::string>(0), "4");  // both committed, once each
  auto bad = co_await retry_transaction(
      *pool, Body{1, 2, &a_locked, &b_locked, &a_attempts}, 0);
  EXPECT_EQ(error_kind(bad), ErrorKind::kInvalidArgument);
  auto negative = co_await retry_transaction(
      *pool, Body{1, 2, &a_locked, &b_locked, &a_attempts}, -1);
  EXPECT_EQ(error_kind(negative), ErrorKind::kInvalidArgument);
  // The largest count: a body that succeeds runs once.
  int before = a_attempts;
  Event free_a, free_b;
  free_a.set();
  free_b.set();
  auto once = co_await retry_transaction(
      *pool, Body{1, 2, &free_a, &free_b, &a_attempts},
      std::numeric_limits<int>::max());
  EXPECT_TRUE(once.ok()) << once;
  EXPECT_EQ(a_attempts, before + 1);
}

TEST(Transaction, DeadlockVictimIsRetriedAndBothCommitOnce) {
  aio::run(deadlock_retry());
}

Coro<absl::Status> fails_with(Connection& conn, int* attempts) {
  ++*attempts;
  auto r = co_await conn.execute("INSERT INTO t VALUES (1, 0)");
  co_return r.status();
}

struct DupBody {
  int* attempts;
  Coro<absl::Status> operator()(Connection& conn) const {
    return fails_with(conn, attempts);
  }
};

Coro<void> no_retry_on_other_errors() {
  auto pool = co_await Pool::create(fresh_options(2));
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute(
      "CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB"));
  CO_ASSERT_OK(co_await pool->execute("INSERT INTO t VALUES (1, 0)"));
  int attempts = 0;
  absl::Status s = co_await retry_transaction(*pool, DupBody{&attempts}, 5);
  EXPECT_EQ(error_kind(s), ErrorKind::kDuplicateKey);
  EXPECT_EQ(attempts, 1);
}

TEST(Transaction, OtherErrorsAreNotRetried) { aio::run(no_retry_on_other_errors()); }

}  // namespace
}  // namespace aio::db
