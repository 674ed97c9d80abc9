#include "db/pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db/db.h"
#include "loop/loop.h"
#include "tests/db/test_util.h"

namespace aio::db {
namespace {

using namespace std::chrono_literals;
using testing::fresh_options;

Coro<void> exhaustion_and_timeout() {
  Options o = fresh_options(2);
  o.acquire_timeout = 5s;
  auto pool = co_await Pool::create(o);
  CO_ASSERT_OK(pool);
  auto a = co_await pool->acquire();
  auto b = co_await pool->acquire();
  CO_ASSERT_OK(a);
  CO_ASSERT_OK(b);
  EXPECT_NE(a->server_thread_id(), b->server_thread_id());
  EXPECT_EQ(pool->stats().leased, 2u);
  EXPECT_EQ(pool->stats().open, 2u);
  // Nothing free: after acquire_timeout (virtual time), a status, no hang.
  TimePoint before = get_running_loop().time();
  auto c = co_await pool->acquire();
  EXPECT_EQ(error_kind(c.status()), ErrorKind::kAcquireTimeout);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(get_running_loop().time() - before, 5s);
  EXPECT_EQ(pool->stats().open, 2u);  // never more than max_connections
  EXPECT_EQ(pool->stats().waiting, 0u);
  b->release();
  auto d = co_await pool->acquire();  // b's connection, reused
  CO_ASSERT_OK(d);
  EXPECT_EQ(pool->stats().open, 2u);
}

TEST(Pool, ExhaustedPoolTimesOutWithAStatus) {
  aio::run(exhaustion_and_timeout(), {.virtual_time = true});
}

Coro<void> zero_timeout() {
  Options o = fresh_options(1);
  o.acquire_timeout = Duration::zero();
  auto pool = co_await Pool::create(o);
  CO_ASSERT_OK(pool);
  auto a = co_await pool->acquire();
  CO_ASSERT_OK(a);
  auto b = co_await pool->acquire();  // 0: fail at once
  EXPECT_EQ(error_kind(b.status()), ErrorKind::kAcquireTimeout);
  a->release();
  auto c = co_await pool->acquire();  // free: 0 still succeeds
  CO_ASSERT_OK(c);
}

TEST(Pool, ZeroAcquireTimeoutDoesNotWait) { aio::run(zero_timeout()); }

Coro<void> waiter(Pool* pool, int id, std::vector<int>* order) {
  auto conn = co_await pool->acquire();
  if (!conn.ok()) {
    ADD_FAILURE() << conn.status();
    co_return;
  }
  order->push_back(id);
  auto r = co_await conn->query("SELECT ?", id);
  EXPECT_TRUE(r.ok()) << r.status();
}

Coro<void> fairness() {
  Options o = fresh_options(1);
  o.acquire_timeout = Duration::max();
  auto pool = co_await Pool::create(o);
  CO_ASSERT_OK(pool);
  auto held = co_await pool->acquire();
  CO_ASSERT_OK(held);
  std::vector<int> order;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 8; ++i) {
    tasks.push_back(create_task(waiter(&*pool, i, &order)));
    co_await aio::sleep(0);  // each queues before the next
  }
  EXPECT_EQ(pool->stats().waiting, 8u);
  held->release();
  for (auto& t : tasks) co_await t;
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(pool->stats().open, 1u);
}

TEST(Pool, WaitersAreServedFirstComeFirstServed) { aio::run(fairness()); }

Coro<void> counter(Pool* pool, int n) {
  for (int i = 0; i < n; ++i) {
    auto r = co_await pool->execute("UPDATE c SET n = n + 1");
    EXPECT_TRUE(r.ok()) << r.status();
  }
}

Coro<void> concurrent_use() {
  auto pool = co_await Pool::create(fresh_options(4));
  CO_ASSERT_OK(pool);
  CO_ASSERT_OK(co_await pool->execute("CREATE TABLE c (n INT) ENGINE=InnoDB"));
  CO_ASSERT_OK(co_await pool->execute("INSERT INTO c VALUES (0)"));
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 16; ++i) tasks.push_back(create_task(counter(&*pool, 50)));
  for (auto& t : tasks) co_await t;
  auto rs = co_await pool->query("SELECT n FROM c");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<int>(0), 16 * 50);
  EXPECT_LE(pool->stats().open, 4u);
}

TEST(Pool, SixteenTasksShareFourConnections) { aio::run(concurrent_use()); }

Coro<void> bad_create() {
  Options o = fresh_options();
  o.database = "no_such_db";
  auto p = co_await Pool::create(o);
  EXPECT_EQ(error_kind(p.status()), ErrorKind::kUnknownDatabase);
  EXPECT_EQ(error_number(p.status()), 1049u);
  Options s = fresh_options();
  s.socket = "/tmp/no-such-dir/sock";
  auto q = co_await Pool::create(s);
  EXPECT_EQ(error_kind(q.status()), ErrorKind::kCannotConnect);
  EXPECT_NE(std::string(q.status().message()).find("/tmp/no-such-dir/sock"),
            std::string::npos);
  Options bad = fresh_options();
  bad.max_connections = 0;
  auto r = co_await Pool::create(bad);
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kInvalidArgument);
}

TEST(Pool, CreateFailsWithTheReason) { aio::run(bad_create()); }

Coro<void> url_pool() {
  Options fresh = fresh_options();
  auto o = Options::from_url(testing::server().url(fresh.database));
  CO_ASSERT_OK(o);
  o->option_group = "";
  auto pool = co_await Pool::create(*o);
  CO_ASSERT_OK(pool);
  auto rs = co_await pool->query("SELECT DATABASE()");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<std::string>(0), fresh.database);
  // utf8mb4 always.
  auto cs = co_await pool->query("SELECT @@character_set_client, @@character_set_results");
  CO_ASSERT_OK(cs);
  EXPECT_EQ(*(*cs)[0].get<std::string>(0), "utf8mb4");
  EXPECT_EQ(*(*cs)[0].get<std::string>(1), "utf8mb4");
}

TEST(Pool, FromUrlConnectsWithUtf8mb4) { aio::run(url_pool()); }

Coro<void> over_tcp(aio::testing::MariaDbServer* tcp) {
  Options o;
  o.host = "127.0.0.1";
  o.port = tcp->port();
  o.user = "tcp_user";
  o.password = "Tcp-Pa55";
  o.database = "tcpdb";
  o.option_group = "";
  auto pool = co_await Pool::create(o);
  CO_ASSERT_OK(pool);
  auto rs = co_await pool->query("SELECT CURRENT_USER(), @@port");
  CO_ASSERT_OK(rs);
  EXPECT_EQ(*(*rs)[0].get<std::string>(0), "tcp_user@127.0.0.1");
  EXPECT_EQ(*(*rs)[0].get<int>(1), tcp->port());
  // TLS required, but this server has none: refused, never plaintext.
  Options tls = o;
  tls.tls.enabled = true;
  auto no_tls = co_await Pool::create(tls);
  EXPECT_FALSE(no_tls.ok());
  EXPECT_NE(error_number(no_tls.status()), 0u) << no_tls.status();
  o.port = 1;  // nothing listens there
  auto refused = co_await Pool::create(o);
  EXPECT_EQ(error_kind(refused.status()), ErrorKind::kCannotConnect);
  EXPECT_NE(std::string(refused.status().message()).find("127.0.0.1:1"),
            std::string::npos);
}

TEST(Pool, ConnectsOverTcpOn127001WithAPassword) {
  auto tcp = aio::testing::MariaDbServer::start({.tcp = true});
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  ASSERT_NE((*tcp)->port(), 0);
  ASSERT_TRUE((*tcp)
                  ->admin("CREATE DATABASE tcpdb; CREATE USER "
                          "'tcp_user'@'127.0.0.1' IDENTIFIED BY 'Tcp-Pa55'; "
                          "GRANT ALL ON tcpdb.* TO 'tcp_user'@'127.0.0.1'")
                  .ok());
  aio::run(over_tcp(tcp->get()));
}

}  // namespace
}  // namespace aio::db
