#include "crawler/mariadb_host_state.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "crawler/robots.h"
#include "db/error.h"
#include "db/result_set.h"
#include "db/retry.h"
#include "db/value.h"
#include "loop/event_loop.h"
#include "loop/sleep.h"

namespace aio::crawler {

const char* const MariaDbHostState::kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS crawl_host_state (
  job_id               BIGINT UNSIGNED NOT NULL,   -- crawl_jobs.id
  origin_hash          BINARY(32) NOT NULL,        -- UNHEX(SHA2(origin, 256))
  origin               VARCHAR(2048) NOT NULL,     -- scheme://host[:port]
  robots_state         ENUM('unknown', 'fetching', 'stored')
                       NOT NULL DEFAULT 'unknown',
  robots_status        SMALLINT NULL,              -- final HTTP status, 0 = none
  robots_body          MEDIUMBLOB NULL,            -- a 2xx's first 512 KiB
  crawl_delay_s        DOUBLE NULL,                -- as the fetcher parsed it
  robots_token         BIGINT UNSIGNED NOT NULL DEFAULT 0,  -- the turn's fence
  robots_fetcher       VARCHAR(255) NULL,          -- worker holding the turn
  robots_lease_expires DATETIME(6) NULL,           -- its turn ends (UTC)
  robots_expires       DATETIME(6) NULL,           -- answer holds until (UTC)
  robots_fetched_at    DATETIME(6) NULL,
  robots_takeovers     INT UNSIGNED NOT NULL DEFAULT 0,  -- turns taken over
  next_allowed_at      DATETIME(6) NULL,           -- next start allowed (UTC)
  rate_ring            BLOB NOT NULL DEFAULT '',   -- recent starts, 8 B each
  sends                BIGINT UNSIGNED NOT NULL DEFAULT 0,  -- reservations
  PRIMARY KEY (job_id, origin_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
)sql";

namespace {

constexpr int64_t kNever = SendSchedule::kNever;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int kTxAttempts = 8;

int64_t sat_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kNever : kMin;
  return r;
}

// Statement parameters, built one by one. (The variadic execute() builds
// an initializer_list of Values, on which GCC 12 under ASan warns
// -Wmaybe-uninitialized about the strings: a false positive.)
template <typename... P>
std::vector<db::Value> values(P&&... p) {
  std::vector<db::Value> v;
  v.reserve(sizeof...(p));
  (v.emplace_back(std::forward<P>(p)), ...);
  return v;
}

// DATETIME(6) (UTC) <-> nanoseconds since the Unix epoch (saturating).
int64_t to_ns(const db::DateTime& d) {
  absl::Time t = absl::FromCivil(
      absl::CivilSecond(d.year, d.month, d.day, d.hour, d.minute, d.second),
      absl::UTCTimeZone());
  int64_t us = sat_add(absl::ToUnixMicros(t), d.microsecond);
  int64_t ns = 0;
  if (__builtin_mul_overflow(us, int64_t{1000}, &ns)) {
    return us > 0 ? kNever : kMin;
  }
  return ns;
}

// Rounded up to the microsecond, so a stored bound never loosens.
db::DateTime to_datetime(int64_t ns) {
  int64_t us = ns / 1000 + (ns % 1000 > 0 ? 1 : 0);
  absl::Time t = absl::FromUnixMicros(us);
  absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  db::DateTime d;
  d.year = static_cast<int>(c.year());
  d.month = c.month();
  d.day = c.day();
  d.hour = c.hour();
  d.minute = c.minute();
  d.second = c.second();
  int64_t frac = us % 1000000;
  d.microsecond = static_cast<int>(frac < 0 ? frac + 1000000 : frac);
  return d;
}

bool unreachable(const absl::Status& s) {
  switch (db::error_kind(s)) {
    case db::ErrorKind::kConnectionLost:
    case db::ErrorKind::kCannotConnect:
    case db::ErrorKind::kAcquireTimeout:
      return true;
    default:
      return false;
  }
}

absl::Status positive(const char* name, Duration d) {
  if (d > Duration::zero()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("MariaDbHostState: ", name, " must be > 0"));
}

// The row's reads: NOW first, then the columns asked for.
constexpr char kWhere[] =
    " FROM crawl_host_state WHERE job_id = ? AND "
    "origin_hash = UNHEX(SHA2(?, 256)) FOR UPDATE";

// Selects the row FOR UPDATE, creating it first when it is missing.
Coro<absl::StatusOr<db::ResultSet>> lock_row(db::Connection& conn,
                                             uint64_t job, std::string origin,
                                             std::string columns) {
  std::string sql = absl::StrCat("SELECT UTC_TIMESTAMP(6), origin, ", columns,
                                 kWhere);
  for (int round = 0; round < 2; ++round) {
    std::vector<db::Value> key = values(job, origin);
    absl::StatusOr<db::ResultSet> rs =
        co_await conn.query_values(sql, std::move(key));
    if (!rs.ok() || !rs->empty()) co_return rs;
    if (round == 1) break;
    std::vector<db::Value> row = values(job, origin, origin);
    absl::StatusOr<db::ExecResult> ins = co_await conn.execute_values(
        "INSERT IGNORE INTO crawl_host_state (job_id, origin_hash, origin) "
        "VALUES (?, UNHEX(SHA2(?, 256)), ?)",
        std::move(row));
    if (!ins.ok()) co_return ins.status();
  }
  co_return absl::InternalError(
      absl::StrCat("crawl_host_state: no row for ", origin, " after insert"));
}

absl::Status check_origin(const db::Row& row, const std::string& origin) {
  absl::StatusOr<std::string> stored = row.get<std::string>(1);
  if (!stored.ok()) return stored.status();
  if (*stored != origin) {
    return absl::InternalError(absl::StrCat(
        "crawl_host_state: origin hash collision between ", *stored, " and ",
        origin));
  }
  return absl::OkStatus();
}

// The turn `token` ends with an answer (no row changes when it was taken
// over); replayable.
Coro<absl::Status> store_statement(db::Pool& pool, uint64_t job,
                                   std::string origin, uint64_t token,
                                   int status, db::Blob body,
                                   std::optional<double> delay,
                                   std::optional<int64_t> valid_us) {
  std::vector<db::Value> params = values(status, std::move(body), delay,
                                         valid_us, job, origin, token);
  absl::StatusOr<db::ExecResult> r = co_await pool.execute_values(
      db::idempotent(
          "UPDATE crawl_host_state SET robots_state = 'stored', "
          "robots_status = ?, robots_body = ?, crawl_delay_s = ?, "
          "robots_expires = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, "
          "robots_fetched_at = UTC_TIMESTAMP(6), "
          "robots_lease_expires = NULL "
          "WHERE job_id = ? AND origin_hash = UNHEX(SHA2(?, 256)) AND "
          "robots_token = ? AND robots_state = 'fetching'"),
      std::move(params));
  co_return r.status();
}

// The turn `token` ends without an answer: back to the previous answer
// (expired, so the next caller fetches) or to 'unknown'; replayable.
Coro<absl::Status> abandon_statement(db::Pool& pool, uint64_t job,
                                     std::string origin, uint64_t token) {
  std::vector<db::Value> params = values(job, origin, token);
  absl::StatusOr<db::ExecResult> r = co_await pool.execute_values(
      db::idempotent(
          "UPDATE crawl_host_state SET robots_state = "
          "IF(robots_status IS NULL, 'unknown', 'stored'), "
          "robots_lease_expires = NULL "
          "WHERE job_id = ? AND origin_hash = UNHEX(SHA2(?, 256)) AND "
          "robots_token = ? AND robots_state = 'fetching'"),
      std::move(params));
  co_return r.status();
}

}  // namespace

struct MariaDbHostState::RobotsStep {
  enum Kind { kAnswer, kMine, kWait } kind = kWait;
  RobotsTurn turn;
  Duration wait{};
};

Coro<absl::StatusOr<std::unique_ptr<MariaDbHostState>>> MariaDbHostState::open(
    db::Pool& pool, MariaDbHostStateOptions options) {
  for (auto [name, d] : {std::pair{"robots_retry", options.robots_retry},
                         std::pair{"robots_max_age", options.robots_max_age},
                         std::pair{"poll", options.poll},
                         std::pair{"outage", options.outage}}) {
    absl::Status s = positive(name, d);
    if (!s.ok()) co_return s;
  }
  absl::StatusOr<db::ExecResult> created =
      co_await pool.execute(db::idempotent(kCreateTable));
  if (!created.ok()) co_return created.status();
  co_return std::unique_ptr<MariaDbHostState>(
      new MariaDbHostState(pool, std::move(options)));
}

Coro<absl::Status> MariaDbHostState::delete_job(db::Pool& pool,
                                                uint64_t job_id) {
  absl::StatusOr<db::ExecResult> created =
      co_await pool.execute(db::idempotent(kCreateTable));
  if (!created.ok()) co_return created.status();
  absl::StatusOr<db::ExecResult> r = co_await pool.execute(
      db::idempotent("DELETE FROM crawl_host_state WHERE job_id = ?"), job_id);
  co_return r.status();
}

template <typename F>
Coro<absl::Status> MariaDbHostState::outlast(F attempt) {
  Duration backoff = std::chrono::milliseconds(100);
  std::optional<TimePoint> since;
  for (;;) {
    absl::Status s = co_await attempt();
    if (!unreachable(s)) {
      if (since) paused_.reset();
      co_return s;
    }
    const TimePoint now = get_event_loop().time();
    if (!since) {
      since = now;
      if (!paused_) paused_ = std::chrono::system_clock::now();
    }
    const Duration left = options_.outage - (now - *since);
    if (left <= Duration::zero()) {
      paused_.reset();
      co_return absl::Status(
          s.code(), absl::StrCat("database unreachable for more than ",
                                 absl::FormatDuration(absl::FromChrono(
                                     options_.outage)),
                                 ": ", s.message()));
    }
    co_await aio::sleep(std::min(backoff, left));
    backoff = std::min<Duration>(backoff * 2, std::chrono::seconds(5));
  }
}

// ---------------------------------------------------------------------------
// robots.txt

Coro<absl::Status> MariaDbHostState::robots_tx(db::Connection& conn,
                                               std::string origin,
                                               Duration lease, uint64_t token,
                                               RobotsStep* out) {
  absl::StatusOr<db::ResultSet> rs = co_await lock_row(
      conn, options_.job_id, origin,
      "robots_state, robots_status, robots_body, robots_token, "
      "robots_lease_expires, robots_expires, crawl_delay_s, robots_fetcher");
  if (!rs.ok()) co_return rs.status();
  db::Row row = (*rs)[0];
  absl::Status same = check_origin(row, origin);
  if (!same.ok()) co_return same;
  absl::StatusOr<db::DateTime> now_dt = row.get<db::DateTime>(0);
  absl::StatusOr<std::string> state = row.get<std::string>(2);
  absl::StatusOr<std::optional<int>> status = row.get<std::optional<int>>(3);
  absl::StatusOr<std::optional<std::string>> body =
      row.get<std::optional<std::string>>(4);
  absl::StatusOr<uint64_t> held = row.get<uint64_t>(5);
  absl::StatusOr<std::optional<db::DateTime>> lease_end =
      row.get<std::optional<db::DateTime>>(6);
  absl::StatusOr<std::optional<db::DateTime>> expires =
      row.get<std::optional<db::DateTime>>(7);
  absl::StatusOr<std::optional<double>> delay =
      row.get<std::optional<double>>(8);
  absl::StatusOr<std::optional<std::string>> fetcher =
      row.get<std::optional<std::string>>(9);
  for (const absl::Status& s :
       {now_dt.status(), state.status(), status.status(), body.status(),
        held.status(), lease_end.status(), expires.status(),
        delay.status(), fetcher.status()}) {
    if (!s.ok()) co_return s;
  }
  const int64_t now = to_ns(*now_dt);
  if (*state == "stored" && status->has_value() &&
      (!expires->has_value() || to_ns(**expires) > now)) {
    out->kind = RobotsStep::kAnswer;
    RobotsAnswer a;
    a.status = **status;
    a.body = body->value_or("");
    if (delay->has_value() && **delay >= 0) {
      // As Robots caps it (an hour), so any stored value converts.
      const double capped = std::min(
          **delay,
          std::chrono::duration<double>(Robots::kMaxCrawlDelay).count());
      a.crawl_delay = std::chrono::duration_cast<Duration>(
          std::chrono::duration<double>(capped));
    }
    out->turn.answer = std::move(a);
    out->turn.valid_for = expires->has_value()
                              ? Duration(to_ns(**expires) - now)
                              : Duration::max();
    co_return absl::OkStatus();
  }
  if (*state == "fetching" && *held == token) {
    // Ours already: a commit whose answer was lost, tried again.
    out->kind = RobotsStep::kMine;
    out->turn.token = token;
    co_return absl::OkStatus();
  }
  if (*state == "fetching" && lease_end->has_value() &&
      to_ns(**lease_end) > now) {
    // The holder's heartbeat ends its turn early: a worker whose heartbeat
    // stopped (or that another worker took over) does not keep robots.txt
    // for the whole turn. Without the job's crawl_workers table there is
    // no heartbeat to judge by, and the turn runs its course.
    bool holder_alive = true;
    if (fetcher->has_value() && !(*fetcher)->empty()) {
      absl::StatusOr<db::ResultSet> hb = co_await conn.query(
          "SELECT last_seen + INTERVAL lease_us MICROSECOND"
          " > UTC_TIMESTAMP(6) FROM crawl_workers"
          " WHERE job_id = ? AND worker_id = ?",
          options_.job_id, **fetcher);
      if (hb.ok()) {
        holder_alive =
            !hb->empty() && (*hb)[0].get<int64_t>(0).value_or(1) != 0;
      } else if (db::error_number(hb.status()) != 1146) {  // no such table
        co_return hb.status();
      }
    }
    if (holder_alive) {
      out->kind = RobotsStep::kWait;
      out->wait = std::min(options_.poll, Duration(to_ns(**lease_end) - now));
      co_return absl::OkStatus();
    }
  }
  // Unknown, expired, abandoned, or a turn whose holder went silent.
  db::DateTime until = to_datetime(sat_add(now, lease.count()));
  std::vector<db::Value> params =
      values(token, options_.worker_id, until, options_.job_id, origin);
  absl::StatusOr<db::ExecResult> taken = co_await conn.execute_values(
      "UPDATE crawl_host_state SET "
      "robots_takeovers = robots_takeovers + "
      "IF(robots_state = 'fetching', 1, 0), "
      "robots_state = 'fetching', robots_token = ?, robots_fetcher = ?, "
      "robots_lease_expires = ? "
      "WHERE job_id = ? AND origin_hash = UNHEX(SHA2(?, 256))",
      std::move(params));
  if (!taken.ok()) co_return taken.status();
  out->kind = RobotsStep::kMine;
  out->turn.token = token;
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<RobotsTurn>> MariaDbHostState::robots(std::string origin,
                                                          Duration lease) {
  if (lease <= Duration::zero()) {
    co_return absl::InvalidArgumentError("robots.txt turn lease must be > 0");
  }
  // The turn's token, the same over every attempt of this call (so a lost
  // commit that took the turn is recognised); never 0.
  uint64_t token = 0;
  while (token == 0) token = absl::Uniform<uint64_t>(rng_);
  for (;;) {
    RobotsStep step;
    absl::Status s = co_await outlast([&]() {
      step = RobotsStep{};
      return db::retry_transaction(
          pool_,
          [this, &origin, lease, token, &step](db::Connection& conn) {
            return robots_tx(conn, origin, lease, token, &step);
          },
          kTxAttempts, db::Isolation::kReadCommitted);
    });
    if (!s.ok()) co_return s;
    if (step.kind != RobotsStep::kWait) co_return std::move(step.turn);
    co_await aio::sleep(step.wait);
  }
}

Coro<absl::StatusOr<Duration>> MariaDbHostState::store_robots(
    std::string origin, uint64_t token, RobotsAnswer answer) {
  const bool unreachable_answer =
      robots_for_status(answer.status) == RobotsVerdict::kDisallowForNow;
  const Duration valid_for =
      unreachable_answer ? options_.robots_retry : options_.robots_max_age;
  // Beyond a century is "for the job" (NULL): DATETIME ends at year 9999.
  std::optional<int64_t> valid_us;
  if (valid_for < std::chrono::hours(24 * 366 * 100)) {
    valid_us = std::chrono::duration_cast<std::chrono::microseconds>(
                   valid_for + std::chrono::microseconds(1) -
                   std::chrono::nanoseconds(1))
                   .count();
  }
  std::optional<double> delay;
  if (answer.crawl_delay) {
    delay = std::chrono::duration<double>(*answer.crawl_delay).count();
  }
  if (answer.body.size() > Robots::kMaxBytes) {
    answer.body.resize(Robots::kMaxBytes);
  }
  db::Blob body{std::move(answer.body)};
  absl::Status s = co_await outlast([&]() {
    return store_statement(pool_, options_.job_id, origin, token,
                           answer.status, body, delay, valid_us);
  });
  if (!s.ok()) co_return s;
  co_return valid_us ? valid_for : Duration::max();
}

Coro<absl::Status> MariaDbHostState::abandon_robots(std::string origin,
                                                    uint64_t token) {
  co_return co_await outlast([&]() {
    return abandon_statement(pool_, options_.job_id, origin, token);
  });
}

// ---------------------------------------------------------------------------
// sending

Coro<absl::Status> MariaDbHostState::reserve_tx(db::Connection& conn,
                                                std::string origin,
                                                SendLimits limits,
                                                Duration* wait) {
  absl::StatusOr<db::ResultSet> rs = co_await lock_row(
      conn, options_.job_id, origin, "next_allowed_at, rate_ring");
  if (!rs.ok()) co_return rs.status();
  db::Row row = (*rs)[0];
  absl::Status same = check_origin(row, origin);
  if (!same.ok()) co_return same;
  absl::StatusOr<db::DateTime> now_dt = row.get<db::DateTime>(0);
  absl::StatusOr<std::optional<db::DateTime>> next =
      row.get<std::optional<db::DateTime>>(2);
  absl::StatusOr<std::string> ring = row.get<std::string>(3);
  for (const absl::Status& s : {now_dt.status(), next.status(), ring.status()}) {
    if (!s.ok()) co_return s;
  }
  const int64_t now = to_ns(*now_dt);
  absl::StatusOr<SendSchedule> schedule = SendSchedule::decode(
      next->has_value() ? to_ns(**next) : kMin, *ring);
  if (!schedule.ok()) co_return schedule.status();
  const int64_t t = schedule->reserve(now, limits);
  db::DateTime next_at = to_datetime(schedule->next_allowed());
  db::Blob recent{schedule->encode_recent()};
  std::vector<db::Value> params =
      values(next_at, std::move(recent), options_.job_id, origin);
  absl::StatusOr<db::ExecResult> r = co_await conn.execute_values(
      "UPDATE crawl_host_state SET next_allowed_at = ?, rate_ring = ?, "
      "sends = sends + 1 "
      "WHERE job_id = ? AND origin_hash = UNHEX(SHA2(?, 256))",
      std::move(params));
  if (!r.ok()) co_return r.status();
  *wait = Duration(t - now);
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<Duration>> MariaDbHostState::reserve_send(
    std::string origin, SendLimits limits) {
  absl::Status ok = check_limits(limits);
  if (!ok.ok()) co_return ok;
  Duration wait{};
  absl::Status s = co_await outlast([&]() {
    return db::retry_transaction(
        pool_,
        [this, &origin, &limits, &wait](db::Connection& conn) {
          return reserve_tx(conn, origin, limits, &wait);
        },
        kTxAttempts, db::Isolation::kReadCommitted);
  });
  if (!s.ok()) co_return s;
  co_return wait;
}

}  // namespace aio::crawler
