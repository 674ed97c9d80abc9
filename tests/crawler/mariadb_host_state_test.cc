#include "crawler/mariadb_host_state.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crawler/robots.h"
#include "db/db.h"
#include "gtest/gtest.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "loop/gather.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/wait.h"
#include "tests/common/test_util.h"
#include "tests/fixtures/mariadb.h"

// Two MariaDbHostState objects on one job, each with its own pool, are two
// workers. The database's clock is real, so these tests run in real time,
// with short leases and retry times, and check bounds that hold whatever
// the machine's load (a wait is at most what the rule allows, and at least
// it minus the time the test took).
namespace aio::crawler {
namespace {

using aio::testing::MariaDbServer;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kOrigin[] = "http://a.test";
constexpr uint64_t kJob = 7;

struct Worker {
  std::unique_ptr<db::Pool> pool;
  std::unique_ptr<MariaDbHostState> hs;
};

MariaDbHostStateOptions opts(std::string id, uint64_t job = kJob) {
  MariaDbHostStateOptions o;
  o.job_id = job;
  o.worker_id = std::move(id);
  o.poll = milliseconds(20);
  return o;
}

Coro<absl::StatusOr<Worker>> worker(db::Options db,
                                    MariaDbHostStateOptions o) {
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(db);
  if (!pool.ok()) co_return pool.status();
  Worker w;
  w.pool = std::make_unique<db::Pool>(*std::move(pool));
  absl::StatusOr<std::unique_ptr<MariaDbHostState>> hs =
      co_await MariaDbHostState::open(*w.pool, std::move(o));
  if (!hs.ok()) co_return hs.status();
  w.hs = *std::move(hs);
  co_return w;
}

// One column of the origin's row, as text ("" for NULL).
Coro<std::string> column(db::Pool& pool, std::string name,
                         std::string origin = kOrigin, uint64_t job = kJob) {
  // Parameters built one by one: GCC 12 under ASan warns (falsely) about
  // the strings of the variadic query()'s initializer_list.
  std::vector<db::Value> key;
  key.emplace_back(job);
  key.emplace_back(std::move(origin));
  absl::StatusOr<db::ResultSet> rs = co_await pool.query_values(
      "SELECT CAST(" + name +
          " AS CHAR) FROM crawl_host_state WHERE job_id = ? AND "
          "origin_hash = UNHEX(SHA2(?, 256))",
      std::move(key));
  EXPECT_TRUE(rs.ok()) << rs.status();
  if (!rs.ok() || rs->empty()) co_return "<no row>";
  absl::StatusOr<std::optional<std::string>> v =
      (*rs)[0].get<std::optional<std::string>>(0);
  co_return v.ok() && v->has_value() ? **v : "";
}

// The server's clock (what the reservations are made against), so that the
// time a test took is measured in the same frame as the waits.
Coro<TimePoint> db_now(db::Pool& pool) {
  absl::StatusOr<db::ResultSet> rs = co_await pool.query(
      "SELECT TIMESTAMPDIFF(MICROSECOND, '2000-01-01', UTC_TIMESTAMP(6))");
  EXPECT_TRUE(rs.ok()) << rs.status();
  if (!rs.ok()) co_return TimePoint{};
  absl::StatusOr<int64_t> us = (*rs)[0].get<int64_t>(0);
  EXPECT_TRUE(us.ok()) << us.status();
  co_return TimePoint(std::chrono::microseconds(us.ok() ? *us : 0));
}

struct Asked {
  absl::StatusOr<RobotsTurn> turn = absl::UnknownError("still waiting");
  Duration after{};  // since the task started
};

Coro<void> ask(MariaDbHostState* hs, Duration lease, Asked* out) {
  const TimePoint start = get_event_loop().time();
  out->turn = co_await hs->robots(kOrigin, lease);
  out->after = get_event_loop().time() - start;
}

RobotsAnswer answer(int status, std::string body = "") {
  RobotsAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

void run_test(Coro<void> body) { aio::run(std::move(body)); }

// ---------------------------------------------------------------------------
// robots.txt

Coro<void> fetched_once(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  absl::StatusOr<RobotsTurn> mine = co_await w1->hs->robots(kOrigin, seconds(30));
  CO_ASSERT_OK(mine);
  CO_ASSERT_TRUE(mine->fetch());
  EXPECT_NE(mine->token, 0u);
  Asked other;
  Task<void> t = create_task(ask(w2->hs.get(), seconds(30), &other));
  co_await aio::sleep(milliseconds(300));
  EXPECT_FALSE(other.turn.ok()) << "w2 must wait while w1 fetches";
  EXPECT_EQ(co_await column(*w1->pool, "robots_state"), "fetching");
  EXPECT_EQ(co_await column(*w1->pool, "robots_fetcher"), "w1");

  RobotsAnswer a = answer(200, "User-agent: *\nDisallow: /private/\n");
  a.crawl_delay = milliseconds(2500);
  absl::StatusOr<Duration> valid =
      co_await w1->hs->store_robots(kOrigin, mine->token, a);
  CO_ASSERT_OK(valid);
  EXPECT_EQ(*valid, hours(24));  // robots_max_age: RFC 9309's day
  co_await t;
  CO_ASSERT_OK(other.turn);
  CO_ASSERT_TRUE(!other.turn->fetch());
  EXPECT_EQ(other.turn->answer->status, 200);
  EXPECT_EQ(other.turn->answer->body, a.body);
  EXPECT_EQ(other.turn->answer->crawl_delay, milliseconds(2500));
  EXPECT_LE(other.turn->valid_for, hours(24));
  EXPECT_GT(other.turn->valid_for, hours(24) - minutes(1));

  // Later askers, the fetcher included, get the stored answer at once.
  for (Worker* w : {&*w1, &*w2}) {
    absl::StatusOr<RobotsTurn> again = co_await w->hs->robots(kOrigin, seconds(30));
    CO_ASSERT_OK(again);
    EXPECT_FALSE(again->fetch());
  }
  EXPECT_EQ(co_await column(*w1->pool, "robots_state"), "stored");
  EXPECT_EQ(co_await column(*w1->pool, "robots_takeovers"), "0");
  EXPECT_EQ(co_await column(*w1->pool, "crawl_delay_s"), "2.5");

  // Another job, or another origin, is asked on its own.
  absl::StatusOr<Worker> job8 = co_await worker(db, opts("w3", kJob + 1));
  CO_ASSERT_OK(job8);
  absl::StatusOr<RobotsTurn> j = co_await job8->hs->robots(kOrigin, seconds(30));
  CO_ASSERT_OK(j);
  EXPECT_TRUE(j->fetch());
  absl::StatusOr<RobotsTurn> b = co_await w2->hs->robots("http://b.test", seconds(30));
  CO_ASSERT_OK(b);
  EXPECT_TRUE(b->fetch());
}

TEST(MariaDbHostStateTest, RobotsIsFetchedOncePerJobAndTheOtherWorkerWaitsForIt) {
  run_test(fetched_once(MariaDbServer::shared().fresh_database()));
}

Coro<void> taken_over(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  // w1 takes the turn with a short lease and dies (never reports back).
  absl::StatusOr<RobotsTurn> dead = co_await w1->hs->robots(kOrigin, milliseconds(400));
  CO_ASSERT_OK(dead);
  CO_ASSERT_TRUE(dead->fetch());
  Asked next;
  co_await ask(w2->hs.get(), seconds(30), &next);
  CO_ASSERT_OK(next.turn);
  CO_ASSERT_TRUE(next.turn->fetch());
  EXPECT_NE(next.turn->token, dead->token);
  EXPECT_GE(next.after, milliseconds(300));  // not before the lease ran out
  EXPECT_EQ(co_await column(*w1->pool, "robots_fetcher"), "w2");
  EXPECT_EQ(co_await column(*w1->pool, "robots_takeovers"), "1");

  // The late answer of the presumed dead is fenced off by its token.
  absl::StatusOr<Duration> late = co_await w1->hs->store_robots(
      kOrigin, dead->token, answer(200, "User-agent: *\nDisallow: /\n"));
  EXPECT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(co_await column(*w1->pool, "robots_state"), "fetching");
  absl::Status gone = co_await w1->hs->abandon_robots(kOrigin, dead->token);
  EXPECT_TRUE(gone.ok()) << gone;
  EXPECT_EQ(co_await column(*w1->pool, "robots_state"), "fetching");

  absl::StatusOr<Duration> stored =
      co_await w2->hs->store_robots(kOrigin, next.turn->token, answer(404));
  CO_ASSERT_OK(stored);
  absl::StatusOr<RobotsTurn> seen = co_await w1->hs->robots(kOrigin, seconds(30));
  CO_ASSERT_OK(seen);
  CO_ASSERT_TRUE(!seen->fetch());
  EXPECT_EQ(seen->answer->status, 404);
  EXPECT_EQ(seen->answer->body, "");
}

TEST(MariaDbHostStateTest, ADeadFetchersTurnIsTakenOverAndItsLateAnswerFenced) {
  run_test(taken_over(MariaDbServer::shared().fresh_database()));
}

// In a job (crawl_workers present), the turn also ends with its holder's
// heartbeat: a live holder keeps it for the whole lease, one whose
// heartbeat is older than its lease loses it at once.
Coro<void> heartbeat_ends_turn(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  absl::StatusOr<db::ExecResult> t = co_await w1->pool->execute(
      "CREATE TABLE crawl_workers (job_id BIGINT UNSIGNED NOT NULL,"
      " worker_id VARCHAR(200) NOT NULL, last_seen DATETIME(6) NOT NULL,"
      " lease_us BIGINT NOT NULL, PRIMARY KEY (job_id, worker_id))");
  CO_ASSERT_OK(t);
  absl::StatusOr<db::ExecResult> hb = co_await w1->pool->execute(
      "INSERT INTO crawl_workers VALUES (?, 'w1', UTC_TIMESTAMP(6), 60000000)",
      kJob);
  CO_ASSERT_OK(hb);
  absl::StatusOr<RobotsTurn> held = co_await w1->hs->robots(kOrigin, hours(1));
  CO_ASSERT_OK(held);
  CO_ASSERT_TRUE(held->fetch());
  // w1's heartbeat is live: w2 waits (for the hour, were it not stopped).
  bool waited = false;
  try {
    // Named first (GCC 12 trap, STYLE.md).
    Coro<absl::StatusOr<RobotsTurn>> asking =
        w2->hs->robots(kOrigin, seconds(30));
    (void)co_await aio::wait_for(std::move(asking), milliseconds(300));
  } catch (const TimeoutError&) {
    waited = true;
  }
  EXPECT_TRUE(waited) << "w2 took the turn of a live holder";
  EXPECT_EQ(co_await column(*w1->pool, "robots_fetcher"), "w1");
  // w1's heartbeat stops (older than its lease): w2 gets the turn at once.
  absl::StatusOr<db::ExecResult> old = co_await w1->pool->execute(
      "UPDATE crawl_workers SET last_seen = UTC_TIMESTAMP(6) - INTERVAL 2 MINUTE");
  CO_ASSERT_OK(old);
  Asked next;
  co_await ask(w2->hs.get(), seconds(30), &next);
  CO_ASSERT_OK(next.turn);
  CO_ASSERT_TRUE(next.turn->fetch());
  EXPECT_LT(next.after, seconds(5));
  EXPECT_EQ(co_await column(*w1->pool, "robots_fetcher"), "w2");
  // A holder with no heartbeat row at all (taken over and gone) loses it too.
  absl::StatusOr<db::ExecResult> gone =
      co_await w1->pool->execute("DELETE FROM crawl_workers");
  CO_ASSERT_OK(gone);
  Asked third;
  co_await ask(w1->hs.get(), seconds(30), &third);
  CO_ASSERT_OK(third.turn);
  EXPECT_TRUE(third.turn->fetch());
  EXPECT_EQ(co_await column(*w1->pool, "robots_fetcher"), "w1");
}

TEST(MariaDbHostStateTest, AHoldersStoppedHeartbeatEndsItsRobotsTurnAtOnce) {
  run_test(heartbeat_ends_turn(MariaDbServer::shared().fresh_database()));
}

Coro<void> unreachable_retried(db::Options db) {
  MariaDbHostStateOptions o1 = opts("w1");
  o1.robots_retry = milliseconds(500);
  MariaDbHostStateOptions o2 = opts("w2");
  o2.robots_retry = milliseconds(500);
  absl::StatusOr<Worker> w1 = co_await worker(db, o1);
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, o2);
  CO_ASSERT_OK(w2);
  absl::StatusOr<RobotsTurn> t1 = co_await w1->hs->robots(kOrigin, seconds(30));
  CO_ASSERT_OK(t1);
  absl::StatusOr<Duration> v =
      co_await w1->hs->store_robots(kOrigin, t1->token, answer(503));
  CO_ASSERT_OK(v);
  EXPECT_EQ(*v, milliseconds(500));
  absl::StatusOr<RobotsTurn> during = co_await w2->hs->robots(kOrigin, seconds(30));
  CO_ASSERT_OK(during);
  CO_ASSERT_TRUE(!during->fetch());  // disallow for now, like the fetcher
  EXPECT_EQ(during->answer->status, 503);
  EXPECT_LE(during->valid_for, milliseconds(500));
  co_await aio::sleep(milliseconds(600));
  absl::StatusOr<RobotsTurn> retry = co_await w2->hs->robots(kOrigin, seconds(30));
  CO_ASSERT_OK(retry);
  CO_ASSERT_TRUE(retry->fetch());  // expired: fetched again, by one worker
  Asked waiting;
  Task<void> t = create_task(ask(w1->hs.get(), seconds(30), &waiting));
  co_await aio::sleep(milliseconds(200));
  EXPECT_FALSE(waiting.turn.ok());
  absl::StatusOr<Duration> ok = co_await w2->hs->store_robots(
      kOrigin, retry->token, answer(200, "User-agent: *\nAllow: /\n"));
  CO_ASSERT_OK(ok);
  EXPECT_EQ(*ok, hours(24));
  co_await t;
  CO_ASSERT_OK(waiting.turn);
  CO_ASSERT_TRUE(!waiting.turn->fetch());
  EXPECT_EQ(waiting.turn->answer->status, 200);

  // What counts as unreachable: 5xx, 429, no response; 4xx is an answer.
  struct Case {
    int status;
    Duration valid;
  };
  int n = 0;
  for (Case c : {Case{0, milliseconds(500)}, Case{429, milliseconds(500)},
                 Case{500, milliseconds(500)}, Case{404, hours(24)},
                 Case{403, hours(24)}}) {
    std::string origin = "http://s" + std::to_string(n++) + ".test";
    absl::StatusOr<RobotsTurn> turn = co_await w1->hs->robots(origin, seconds(30));
    CO_ASSERT_OK(turn);
    absl::StatusOr<Duration> valid =
        co_await w1->hs->store_robots(origin, turn->token, answer(c.status));
    CO_ASSERT_OK(valid);
    EXPECT_EQ(*valid, c.valid) << c.status;
  }
}

TEST(MariaDbHostStateTest, AnUnreachableRobotsIsStoredUntilItsRetryTimeThenFetchedAgain) {
  run_test(unreachable_retried(MariaDbServer::shared().fresh_database()));
}

Coro<void> abandoned(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  absl::StatusOr<RobotsTurn> t1 = co_await w1->hs->robots(kOrigin, hours(1));
  CO_ASSERT_OK(t1);
  Asked next;
  Task<void> t = create_task(ask(w2->hs.get(), seconds(30), &next));
  co_await aio::sleep(milliseconds(200));
  EXPECT_FALSE(next.turn.ok());
  absl::Status a = co_await w1->hs->abandon_robots(kOrigin, t1->token);
  CO_ASSERT_OK(a);
  co_await t;
  CO_ASSERT_OK(next.turn);
  EXPECT_TRUE(next.turn->fetch());  // at once, not after the hour's lease
  EXPECT_LT(next.after, minutes(1));
}

TEST(MariaDbHostStateTest, AnAbandonedTurnGoesToTheNextWorkerAtOnce) {
  run_test(abandoned(MariaDbServer::shared().fresh_database()));
}

// ---------------------------------------------------------------------------
// sending

// Reserves for `w` `n` times in turn and appends the waits.
Coro<void> reserve_n(MariaDbHostState* hs, SendLimits limits, int n,
                     std::vector<Duration>* waits) {
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<Duration> w = co_await hs->reserve_send(kOrigin, limits);
    EXPECT_TRUE(w.ok()) << w.status();
    if (!w.ok()) co_return;
    waits->push_back(*w);
  }
}

// Each wait is the expected one, less at most `slack` (the time the test
// took since the first reservation), never more.
void expect_waits(const std::vector<Duration>& got,
                  const std::vector<Duration>& want, Duration slack) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_LE(got[i], want[i]) << i;
    EXPECT_GE(got[i], want[i] - slack) << i;
  }
}

Coro<void> spacing_over_both(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  const TimePoint start = co_await db_now(*w1->pool);
  SendLimits gap{hours(1), std::nullopt};
  std::vector<Duration> waits;
  for (int i = 0; i < 3; ++i) {
    co_await reserve_n(w1->hs.get(), gap, 1, &waits);
    co_await reserve_n(w2->hs.get(), gap, 1, &waits);
  }
  const Duration took = co_await db_now(*w1->pool) - start;
  expect_waits(waits, {Duration::zero(), hours(1), hours(2), hours(3),
                       hours(4), hours(5)},
               took);
  EXPECT_EQ(co_await column(*w1->pool, "sends"), "6");

  // Both at once, many each: every reservation a slot of its own.
  SendLimits g2{minutes(1), std::nullopt};
  std::vector<Duration> a, b;
  Task<void> ta = create_task(reserve_n(w1->hs.get(), g2, 15, &a));
  Task<void> tb = create_task(reserve_n(w2->hs.get(), g2, 15, &b));
  co_await ta;
  co_await tb;
  const Duration took_all = co_await db_now(*w1->pool) - start;
  std::vector<Duration> all = a;
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  // The queue continues after the 6 hours reserved above.
  std::vector<Duration> want;
  for (int i = 0; i < 30; ++i) want.push_back(hours(6) + minutes(i));
  expect_waits(all, want, took_all);
}

TEST(MariaDbHostStateTest, SpacingHoldsOverBothWorkers) {
  run_test(spacing_over_both(MariaDbServer::shared().fresh_database()));
}

Coro<void> rate_over_both(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  const TimePoint start = co_await db_now(*w1->pool);
  SendLimits three{Duration::zero(), Rate{3, hours(1)}};
  std::vector<Duration> waits;
  for (int i = 0; i < 4; ++i) {
    co_await reserve_n(w1->hs.get(), three, 1, &waits);
    co_await reserve_n(w2->hs.get(), three, 1, &waits);
  }
  const Duration took = co_await db_now(*w1->pool) - start;
  // At most 3 in any hour over both: 3 at once, the 4th an hour after the 1st.
  expect_waits(waits, {Duration::zero(), Duration::zero(), Duration::zero(),
                       hours(1), hours(1), hours(1), hours(2), hours(2)},
               took);
  // Rate and spacing together, on another origin.
  SendLimits both{minutes(10), Rate{2, hours(1)}};
  std::vector<Duration> w;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Duration> x = co_await w1->hs->reserve_send("http://b.test", both);
    CO_ASSERT_OK(x);
    w.push_back(*x);
    absl::StatusOr<Duration> y = co_await w2->hs->reserve_send("http://b.test", both);
    CO_ASSERT_OK(y);
    w.push_back(*y);
  }
  const Duration took2 = co_await db_now(*w1->pool) - start;
  expect_waits(w, {Duration::zero(), minutes(10), hours(1),
                   hours(1) + minutes(10), hours(2), hours(2) + minutes(10)},
               took2);
}

TEST(MariaDbHostStateTest, RateHoldsOverBothWorkersInEveryWindow) {
  run_test(rate_over_both(MariaDbServer::shared().fresh_database()));
}

Coro<void> edge_values(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> w2 = co_await worker(db, opts("w2"));
  CO_ASSERT_OK(w2);
  MariaDbHostState& hs = *w1->hs;
  // Nothing to hold: no wait.
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Duration> z = co_await hs.reserve_send(kOrigin, SendLimits{});
    CO_ASSERT_OK(z);
    EXPECT_EQ(*z, Duration::zero());
  }
  // Bad limits: an error naming the problem (prepare() rejects the same).
  for (SendLimits bad :
       {SendLimits{-seconds(1), std::nullopt},
        SendLimits{Duration::min(), std::nullopt},
        SendLimits{Duration::zero(), Rate{0, seconds(1)}},
        SendLimits{Duration::zero(), Rate{-5, seconds(1)}},
        SendLimits{Duration::zero(), Rate{1, Duration::zero()}},
        SendLimits{Duration::zero(), Rate{1, -seconds(1)}}}) {
    absl::StatusOr<Duration> r = co_await hs.reserve_send(kOrigin, bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
        << r.status();
  }
  // A spacing of Duration::max(): the next start is "never" (a very long
  // wait, stored as the end of the clock), not a wrap to the past.
  SendLimits never{Duration::max(), std::nullopt};
  absl::StatusOr<Duration> first = co_await hs.reserve_send("http://n.test", never);
  CO_ASSERT_OK(first);
  EXPECT_EQ(*first, Duration::zero());
  absl::StatusOr<Duration> second =
      co_await w2->hs->reserve_send("http://n.test", never);
  CO_ASSERT_OK(second);
  EXPECT_GT(*second, hours(24 * 365 * 200));
  EXPECT_EQ((co_await column(*w1->pool, "next_allowed_at", "http://n.test"))
                .substr(0, 4),
            "2262");
  // A rate of 1 per Duration::max(): the second never.
  SendLimits once{Duration::zero(), Rate{1, Duration::max()}};
  CO_ASSERT_OK(co_await hs.reserve_send("http://o.test", once));
  absl::StatusOr<Duration> again = co_await w2->hs->reserve_send("http://o.test", once);
  CO_ASSERT_OK(again);
  EXPECT_GT(*again, hours(24 * 365 * 200));

  // Leases: <= 0 rejected; Duration::max() held "for ever" (others wait).
  for (Duration lease : {Duration::zero(), Duration(-seconds(1)), Duration::min()}) {
    absl::StatusOr<RobotsTurn> t = co_await hs.robots(kOrigin, lease);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<RobotsTurn> forever = co_await hs.robots(kOrigin, Duration::max());
  CO_ASSERT_OK(forever);
  CO_ASSERT_TRUE(forever->fetch());
  bool waited = false;
  try {
    (void)co_await aio::wait_for(w2->hs->robots(kOrigin, seconds(1)),
                                 milliseconds(300));
  } catch (const TimeoutError&) {
    waited = true;
  }
  EXPECT_TRUE(waited);
  // An answer whose time never ends (robots_max_age = max).
  MariaDbHostStateOptions long_lived = opts("w3");
  long_lived.robots_max_age = Duration::max();
  absl::StatusOr<Worker> w3 = co_await worker(db, long_lived);
  CO_ASSERT_OK(w3);
  absl::StatusOr<Duration> v =
      co_await w3->hs->store_robots(kOrigin, forever->token, answer(200, "x"));
  CO_ASSERT_OK(v);
  EXPECT_EQ(*v, Duration::max());
  absl::StatusOr<RobotsTurn> kept = co_await w2->hs->robots(kOrigin, seconds(1));
  CO_ASSERT_OK(kept);
  EXPECT_EQ(kept->valid_for, Duration::max());
  // A body past 512 KiB is stored cut there.
  absl::StatusOr<RobotsTurn> big = co_await hs.robots("http://big.test", seconds(30));
  CO_ASSERT_OK(big);
  CO_ASSERT_OK(co_await hs.store_robots("http://big.test", big->token,
                                        answer(200, std::string(600 * 1024, '#'))));
  absl::StatusOr<RobotsTurn> cut = co_await w2->hs->robots("http://big.test", seconds(30));
  CO_ASSERT_OK(cut);
  CO_ASSERT_TRUE(!cut->fetch());
  EXPECT_EQ(cut->answer->body.size(), 512u * 1024u);
  // A stored Crawl-delay past Robots' cap (an hour) reads as the cap.
  CO_ASSERT_OK(co_await w1->pool->execute(
      "UPDATE crawl_host_state SET crawl_delay_s = 1e300"));
  absl::StatusOr<RobotsTurn> capped =
      co_await w2->hs->robots("http://big.test", seconds(30));
  CO_ASSERT_OK(capped);
  CO_ASSERT_TRUE(!capped->fetch());
  EXPECT_EQ(capped->answer->crawl_delay, Robots::kMaxCrawlDelay);

  // Options: every duration must be > 0.
  for (int which = 0; which < 4; ++which) {
    for (Duration bad : {Duration::zero(), Duration(-seconds(1))}) {
      MariaDbHostStateOptions o = opts("bad");
      Duration* d[] = {&o.robots_retry, &o.robots_max_age, &o.poll, &o.outage};
      *d[which] = bad;
      absl::StatusOr<std::unique_ptr<MariaDbHostState>> r =
          co_await MariaDbHostState::open(*w1->pool, o);
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << which;
    }
  }
}

TEST(MariaDbHostStateTest, EdgeValuesAreErrorsOrSaturateNeverWrap) {
  run_test(edge_values(MariaDbServer::shared().fresh_database()));
}

Coro<void> delete_job(db::Options db) {
  absl::StatusOr<Worker> w1 = co_await worker(db, opts("w1"));
  CO_ASSERT_OK(w1);
  absl::StatusOr<Worker> other = co_await worker(db, opts("w9", kJob + 1));
  CO_ASSERT_OK(other);
  SendLimits gap{hours(1), std::nullopt};
  CO_ASSERT_OK(co_await w1->hs->reserve_send(kOrigin, gap));
  CO_ASSERT_OK(co_await other->hs->reserve_send(kOrigin, gap));
  CO_ASSERT_OK(co_await MariaDbHostState::delete_job(*w1->pool, kJob));
  EXPECT_EQ(co_await column(*w1->pool, "sends"), "<no row>");
  EXPECT_EQ(co_await column(*w1->pool, "sends", kOrigin, kJob + 1), "1");
  // The job starts over: no wait left from before.
  absl::StatusOr<Duration> w = co_await w1->hs->reserve_send(kOrigin, gap);
  CO_ASSERT_OK(w);
  EXPECT_EQ(*w, Duration::zero());
}

TEST(MariaDbHostStateTest, DeleteJobRemovesOnlyThatJobsRows) {
  run_test(delete_job(MariaDbServer::shared().fresh_database()));
}

// ---------------------------------------------------------------------------
// the database unreachable

Coro<void> reserve_into(MariaDbHostState* hs, absl::StatusOr<Duration>* out) {
  *out = co_await hs->reserve_send(kOrigin, SendLimits{seconds(1), std::nullopt});
}

Coro<void> outage(MariaDbServer* server) {
  db::Options db = server->fresh_database();
  db.connect_timeout = seconds(2);
  MariaDbHostStateOptions o = opts("w1");
  o.outage = seconds(60);
  absl::StatusOr<Worker> w1 = co_await worker(db, o);
  CO_ASSERT_OK(w1);
  CO_ASSERT_OK(co_await w1->hs->reserve_send(kOrigin, SendLimits{seconds(1), std::nullopt}));
  EXPECT_FALSE(w1->hs->paused().has_value());

  server->kill();
  absl::StatusOr<Duration> during = absl::UnknownError("not yet");
  Task<void> t = create_task(reserve_into(w1->hs.get(), &during));
  co_await aio::sleep(milliseconds(500));
  EXPECT_FALSE(during.ok());
  EXPECT_TRUE(w1->hs->paused().has_value()) << "retrying: paused since";
  absl::Status up = server->restart();
  CO_ASSERT_OK(up);
  co_await t;
  CO_ASSERT_OK(during);  // came back: nothing lost
  EXPECT_FALSE(w1->hs->paused().has_value());

  // Unreachable for longer than `outage`: the call fails, saying so.
  MariaDbHostStateOptions shortly = opts("w2");
  shortly.outage = milliseconds(300);
  absl::StatusOr<Worker> w2 = co_await worker(db, shortly);
  CO_ASSERT_OK(w2);
  server->kill();
  absl::StatusOr<RobotsTurn> r = co_await w2->hs->robots(kOrigin, seconds(30));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("database unreachable"), std::string::npos)
      << r.status();
  EXPECT_FALSE(w2->hs->paused().has_value());
  CO_ASSERT_OK(server->restart());
}

TEST(MariaDbHostStateTest, AnUnreachableDatabasePausesThenResumesOrFailsAfterTheOutageBound) {
  absl::StatusOr<std::unique_ptr<MariaDbServer>> server =
      MariaDbServer::start({});
  ASSERT_TRUE(server.ok()) << server.status();
  run_test(outage(server->get()));
  (*server)->stop();
}

}  // namespace
}  // namespace aio::crawler
