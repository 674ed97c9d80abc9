#include "crawler/mariadb_frontier.h"

#include <errno.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crawler/canonical_url.h"
#include "crawler/mariadb_output.h"
#include "db/error.h"
#include "db/transaction.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "loop/sleep.h"
#include "loop/wait.h"
#include "third_party/absl_compat.h"

namespace aio::crawler {

namespace {

using db::ErrorKind;

const char* state_name(PageOutcome o) {
  switch (o) {
    case PageOutcome::kFetched: return "done";
    case PageOutcome::kFailed: return "failed";
    case PageOutcome::kSkipped: return "skipped";
  }
  return "done";
}

int64_t micros(Duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

bool outage_kind(ErrorKind k) {
  return k == ErrorKind::kConnectionLost || k == ErrorKind::kCannotConnect ||
         k == ErrorKind::kAcquireTimeout;
}

bool conflict_kind(ErrorKind k) {
  return k == ErrorKind::kDeadlock || k == ErrorKind::kLockWaitTimeout;
}

std::string hhmmss(std::chrono::system_clock::time_point t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  localtime_r(&secs, &tm);
  return absl::StrFormat("%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string default_worker_id(absl::BitGen& rng) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return absl::StrCat(host[0] ? host : "unknown", ":", getpid(), ":",
                      absl::Hex(absl::Uniform<uint32_t>(rng), absl::kZeroPad8));
}

std::string hostname() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "unknown";
  return host;
}

// The "?, ?, ..." lists are avoided on purpose: every statement has a fixed
// text (the per-connection statement cache stays small and hot); batches go
// through executemany.
constexpr char kInsertUrl[] =
    "INSERT IGNORE INTO crawl_urls"
    " (job_id, url_hash, url, origin_id, depth, redirects, seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
// Statements over many rows by primary key take a fixed list of kChunk
// hashes (a shorter list is padded by repeating its last value), so each has
// one text (one prepared statement) and runs as one statement, not a row at a
// time.
constexpr size_t kChunk = 64;

// The shortest time between two claims of a busy worker (see claim()).
constexpr Duration kClaimSpacing = std::chrono::milliseconds(10);
// The longest, while claims find nothing queued but leases are in flight
// (the links their pages find come with their commits).
constexpr Duration kStarvedGap = std::chrono::milliseconds(80);
// Rows one claim leases, at most.
constexpr size_t kClaimRows = 128;
// A worker leases ahead up to as many URLs of an origin as it has turns of
// it, or up to this many while the origin has plenty queued (see
// claim_origin): with several workers each has a share of the turns only,
// and claims of a share's worth would be many small transactions.
constexpr int64_t kAheadWide = 112;
// A worker whose turns are all in use and whose leases claimed ahead last
// looks for more turns (or other origins) this often.
constexpr Duration kRecheck = std::chrono::milliseconds(100);
// The most of an origin's --per_host turns one of `live` workers may hold:
// an equal share, rounded up, at least 1.
int64_t fair_share(int64_t per_host, int64_t live) {
  live = std::max<int64_t>(1, live);
  return std::max<int64_t>(1, (per_host + live - 1) / live);
}
// A per-origin count; 0 for an origin without an entry.
int64_t count_of(const absl::flat_hash_map<uint64_t, int64_t>& m,
                 uint64_t origin_id) {
  auto it = m.find(origin_id);
  return it == m.end() ? 0 : it->second;
}
std::string in_list() {
  std::string marks;
  for (size_t i = 0; i < kChunk; ++i) marks += i ? ", ?" : "?";
  return marks;
}
// Appends to `params` the kChunk values an in_list() binds: value(item) of
// items[at], items[at + 1], ... padded with the last one when fewer than
// kChunk are left.
template <typename Item, typename Value>
void append_in_list(std::vector<db::Value>& params,
                    const std::vector<Item>& items, size_t at, Value value) {
  const size_t n = std::min(kChunk, items.size() - at);
  for (size_t i = 0; i < kChunk; ++i) {
    params.emplace_back(value(items[at + std::min(i, n - 1)]));
  }
}

// Leases rows locked by the claim (params: owner, token, job, kChunk
// hashes). Only columns outside the claim index change (`unfinished` stays
// 1), so a lease is an in-place update of the row, no index entry moves.
const std::string& lease_sql() {
  static const std::string* sql = new std::string(absl::StrCat(
      "UPDATE crawl_urls FORCE INDEX (PRIMARY) SET state = 'leased',"
      " lease_owner = ?, lease_token = ?"
      " WHERE job_id = ? AND state = 'queued' AND url_hash IN (",
      in_list(), ")"));
  return *sql;
}

// A claim pass over one origin's queued URLs, breadth-first, through the
// claim index: from the origin's cursor (params: job, origin, depth, depth,
// seq, limit) or from the start (params: job, origin, limit).
constexpr char kClaimFromCursor[] =
    "SELECT url_hash, url, depth, redirects, seq FROM crawl_urls"
    " FORCE INDEX (claim)"
    " WHERE job_id = ? AND origin_id = ? AND unfinished = 1"
    " AND (depth > ? OR (depth = ? AND seq >= ?)) AND state = 'queued'"
    " ORDER BY depth, seq LIMIT ? FOR UPDATE SKIP LOCKED";
constexpr char kClaimFromStart[] =
    "SELECT url_hash, url, depth, redirects, seq FROM crawl_urls"
    " FORCE INDEX (claim)"
    " WHERE job_id = ? AND origin_id = ? AND unfinished = 1"
    " AND state = 'queued'"
    " ORDER BY depth, seq LIMIT ? FOR UPDATE SKIP LOCKED";

// Moves an origin's cursor back to (depth, seq) if that is before it
// (params: depth, depth, seq, seq, depth, job, origin). The assignments run
// left to right: next_seq is decided against the old next_depth.
constexpr char kRewindCursor[] =
    "UPDATE crawl_origins SET"
    " next_seq = IF(? < next_depth OR (? = next_depth AND ? < next_seq), ?,"
    "   next_seq),"
    " next_depth = LEAST(next_depth, ?)"
    " WHERE job_id = ? AND id = ?";

// A batch's done marks and links in one statement (see commit_once). The
// assignments run left to right and see the values set before them: `state`
// comes last so that every condition reads the row's old state.
constexpr char kUpsert[] =
    "INSERT INTO crawl_urls (job_id, url_hash, url, origin_id, depth,"
    " redirects, seq, state, lease_token, reason)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE"
    " done_at = IF(state = 'leased' AND lease_token = VALUES(lease_token),"
    "   UTC_TIMESTAMP(6), done_at),"
    " reason = IF(state = 'leased' AND lease_token = VALUES(lease_token),"
    "   VALUES(reason), reason),"
    " redirects = IF(state = 'queued' AND VALUES(depth) < depth,"
    "   VALUES(redirects), redirects),"
    " depth = IF(state = 'queued' AND VALUES(depth) < depth, VALUES(depth),"
    "   depth),"
    " state = IF(state = 'leased' AND lease_token = VALUES(lease_token),"
    "   VALUES(state), state)";

// The rows of kChunk pages (params: job, kChunk hashes).
const std::string& readback_sql() {
  static const std::string* sql = new std::string(absl::StrCat(
      "SELECT url_hash, CAST(state AS CHAR), lease_token FROM crawl_urls"
      " FORCE INDEX (PRIMARY) WHERE job_id = ? AND url_hash IN (",
      in_list(), ")"));
  return *sql;
}

// The job's unfinished (queued or leased) URLs, origin by origin through the
// claim index, so that finished ones are never read (param: job). A state
// condition may be appended.
#define AIO_UNFINISHED_JOIN                                                 \
  " crawl_origins o JOIN crawl_urls u FORCE INDEX (claim)"                  \
  " ON u.job_id = o.job_id AND u.origin_id = o.id AND u.unfinished = 1"
#define AIO_UNFINISHED_FROM " FROM" AIO_UNFINISHED_JOIN " WHERE o.job_id = ?"
constexpr char kUnfinished[] = "SELECT 1" AIO_UNFINISHED_FROM;
constexpr char kUnfinishedCount[] = "SELECT COUNT(*)" AIO_UNFINISHED_FROM;
// Queued, and all unfinished, in one read.
constexpr char kQueuedAndUnfinished[] =
    "SELECT CAST(COALESCE(SUM(u.state = 'queued'), 0) AS UNSIGNED), COUNT(*)"
    AIO_UNFINISHED_FROM;
#undef AIO_UNFINISHED_FROM
#undef AIO_UNFINISHED_JOIN

// The origins a claim locks, least recently claimed first (params: worker,
// job), each with its cursor and the other workers' turns of it. The
// subquery is a consistent (non-locking) read even in a locking
// SELECT: it sees each row's last committed value, never skips one. A row
// another worker is changing meanwhile can only be going down for this
// origin (its claims of it wait on the origin row this claim holds).
#define AIO_CLAIM_ORIGINS                                                   \
  "SELECT id, next_depth, next_seq,"                                        \
  " (SELECT CAST(COALESCE(SUM(i.n), 0) AS SIGNED) FROM crawl_inflight i"    \
  "  WHERE i.job_id = o.job_id AND i.origin_id = o.id AND i.worker_id <> ?)" \
  " FROM crawl_origins o FORCE INDEX (turn) WHERE job_id = ?"               \
  " ORDER BY last_claim, id"
constexpr char kClaimOrigins[] =
    AIO_CLAIM_ORIGINS " LIMIT 64 FOR UPDATE SKIP LOCKED";
constexpr char kWaitForOrigin[] = AIO_CLAIM_ORIGINS " LIMIT 1 FOR UPDATE";
#undef AIO_CLAIM_ORIGINS

// After a claim took URLs of an origin: its cursor and last_claim (params:
// depth, seq, job, origin). (One table per statement: a multi-table UPDATE
// costs the server a temporary table each time — measured at 480 us against
// about 40 us for the two single-table statements.)
constexpr char kClaimedOrigin[] =
    "UPDATE crawl_origins SET last_claim = UTC_TIMESTAMP(6),"
    " next_depth = ?, next_seq = ? WHERE job_id = ? AND id = ?";

// Sets a worker's turns of an origin, its crawl_inflight row made if
// missing (params: job, origin, worker, n).
constexpr char kSetTurns[] =
    "INSERT INTO crawl_inflight (job_id, origin_id, worker_id, n)"
    " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)";

// The URLs of the job stored (by any worker) with seq in (after, upto],
// oldest first, through the index `fresh` alone: hash, depth (params: job,
// after, upto, limit). See read_stored().
constexpr char kStoredSince[] =
    "SELECT url_hash, depth FROM crawl_urls FORCE INDEX (fresh)"
    " WHERE job_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?";
constexpr int64_t kStoredRows = 20000;

// A worker's leases queued again, kChunk origins at a time (params: job,
// kChunk origin ids, owner): through the claim index, so a takeover reads
// the unfinished URLs of those origins, never the finished ones. (Leased to
// queued: `unfinished`, and so the index entry, stays. A single-table
// UPDATE: joined to crawl_origins, the origins' rows would be share-locked
// until the commit, and a claim holding the job row and waiting for an
// origin would deadlock with it.)
const std::string& requeue_owned_sql() {
  static const std::string* sql = new std::string(absl::StrCat(
      "UPDATE crawl_urls FORCE INDEX (claim) SET state = 'queued',"
      " lease_owner = NULL, lease_token = NULL"
      " WHERE job_id = ? AND origin_id IN (",
      in_list(), ") AND unfinished = 1 AND state = 'leased'"
      " AND lease_owner = ?"));
  return *sql;
}

constexpr char kRequeue[] =
    "UPDATE crawl_urls FORCE INDEX (PRIMARY) SET state = 'queued',"
    " lease_owner = NULL, lease_token = NULL"
    " WHERE job_id = ? AND url_hash = ? AND state = 'leased'"
    " AND lease_token = ?";

}  // namespace

Duration count_spacing(Duration every, int64_t live, Duration took) {
  const Duration kMax = Duration::max();
  every = std::max(every, Duration::zero());
  took = std::max(took, Duration::zero());
  live = std::max<int64_t>(1, live);
  const Duration share =
      every.count() > kMax.count() / live ? kMax : every * live;
  const Duration cost = took.count() > kMax.count() / 100 ? kMax : took * 100;
  return std::max(share, cost);
}

std::string url_hash(std::string_view url) {
  // Every link found is hashed (the seen-cache's key): the digest fetched
  // once and a context per thread, reused (EVP_Digest fetches and allocates
  // per call, about 4x slower).
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (sha256 == nullptr || ctx == nullptr ||
      EVP_DigestInit_ex(ctx.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), url.data(), url.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) {
    // Only out of memory in OpenSSL gets here: the one-shot call. Without
    // a digest every URL would look like every other one (and the links
    // would be dropped as seen): stop instead.
    if (EVP_Digest(url.data(), url.size(), md, &len, EVP_sha256(),
                   nullptr) != 1 ||
        len != 32) {
      std::fprintf(stderr, "crawler: OpenSSL cannot compute SHA-256\n");
      std::abort();
    }
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

namespace {

// crawl_urls.seq of a URL sent at `t`: microseconds since the epoch x 4096
// (room for the URLs sent in one microsecond; see link_rows).
uint64_t seq_at(std::chrono::system_clock::time_point t) {
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                         t.time_since_epoch())
                         .count();
  return us <= 0 ? 0 : static_cast<uint64_t>(us) * 4096;
}

}  // namespace

absl::StatusOr<std::optional<CrashPoint>> parse_crash_point(
    std::string_view spec) {
  if (spec.empty()) return std::optional<CrashPoint>();
  size_t colon = spec.find(':');
  CrashPoint p;
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "AIO_CRAWLER_CRASH=", to_absl(spec),
        ": write <point>:<n>, point claim, commit or committed, n >= 1"));
  };
  if (colon == std::string_view::npos) return bad();
  p.point = std::string(spec.substr(0, colon));
  if (p.point != "claim" && p.point != "commit" && p.point != "committed") {
    return bad();
  }
  if (!absl::SimpleAtoi(to_absl(spec.substr(colon + 1)), &p.n) || p.n < 1) {
    return bad();
  }
  return std::optional<CrashPoint>(std::move(p));
}

MariaDbFrontier::MariaDbFrontier(db::Pool& pool, Job job,
                                 MariaDbFrontierOptions options)
    : pool_(pool), job_(std::move(job)), options_(std::move(options)) {
  worker_id_ = options_.worker_id.empty() ? default_worker_id(rng_)
                                          : options_.worker_id;
}

MariaDbFrontier::~MariaDbFrontier() {
  // close() ends both tasks; a frontier dropped without it (an error path)
  // only cancels them.
  if (committer_task_.valid() && !committer_task_.done()) {
    committer_task_.cancel();
  }
  if (maintain_task_.valid() && !maintain_task_.done()) maintain_task_.cancel();
}

Coro<absl::StatusOr<std::unique_ptr<MariaDbFrontier>>> MariaDbFrontier::open(
    db::Pool& pool, Job job, MariaDbFrontierOptions options) {
  if (options.per_host < 1) {
    co_return absl::InvalidArgumentError("per_host must be >= 1");
  }
  if (options.lease < std::chrono::milliseconds(100) ||
      options.lease > std::chrono::hours(24 * 365)) {
    co_return absl::InvalidArgumentError(
        "--lease: must be between 100ms and a year");
  }
  if (options.db_outage <= Duration::zero() ||
      options.db_outage > std::chrono::hours(24 * 365)) {
    co_return absl::InvalidArgumentError(
        "--db_outage: must be > 0 and at most a year");
  }
  if (options.commit_delay < Duration::zero() ||
      options.commit_delay > std::chrono::minutes(1)) {
    co_return absl::InvalidArgumentError(
        "commit_delay: must be between 0 and 1 minute");
  }
  if (options.count_every < Duration::zero() ||
      options.count_every > std::chrono::hours(24 * 365)) {
    co_return absl::InvalidArgumentError(
        "count_every: must be between 0 and a year");
  }
  if (options.stored_lag < Duration::zero() ||
      options.stored_lag > std::chrono::hours(24 * 365)) {
    co_return absl::InvalidArgumentError(
        "stored_lag: must be between 0 and a year");
  }
  if (options.commit_batch < 1) options.commit_batch = 1;
  if (options.max_pending < options.commit_batch) {
    options.max_pending = options.commit_batch;
  }
  const char* env = getenv("AIO_CRAWLER_CRASH");
  absl::StatusOr<std::optional<CrashPoint>> crash =
      parse_crash_point(env ? env : "");
  if (!crash.ok()) co_return crash.status();
  std::unique_ptr<MariaDbFrontier> f(
      new MariaDbFrontier(pool, std::move(job), std::move(options)));
  f->crash_ = *crash;
  // What other workers stored before now is learnt from claims only.
  f->stored_after_ = seq_at(std::chrono::system_clock::now());
  absl::Status w = co_await f->register_worker();
  if (!w.ok()) {
    co_return absl::UnavailableError(
        absl::StrCat("registering the worker: ", w.message()));
  }
  absl::Status dead = co_await f->take_over_dead_local_workers();
  if (!dead.ok()) {
    co_return absl::UnavailableError(absl::StrCat(
        "taking over the leases of dead workers: ", dead.message()));
  }
  // The first count of queued URLs; the next one comes count_spacing()
  // later (workers started together do not all count again at once).
  absl::Status counts = co_await f->refresh_counts();
  if (!counts.ok()) co_return counts;
  f->committer_task_ = create_task(f->committer());
  if (f->options_.background) f->maintain_task_ = create_task(f->maintain());
  co_return f;
}

Coro<absl::Status> MariaDbFrontier::register_worker() {
  absl::StatusOr<db::ExecResult> w = co_await pool_.execute(
      db::idempotent(
          "INSERT INTO crawl_workers"
          " (job_id, worker_id, hostname, pid, started_at, last_seen, lease_us)"
          " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), ?)"
          " ON DUPLICATE KEY UPDATE last_seen = UTC_TIMESTAMP(6),"
          " lease_us = VALUES(lease_us)"),
      job_.id, worker_id_, hostname(), static_cast<int64_t>(getpid()),
      micros(options_.lease));
  co_return w.status();
}

Coro<absl::StatusOr<uint64_t>> MariaDbFrontier::take_over_worker(
    const std::string& id, bool only_if_stale) {
  absl::StatusOr<db::Connection> conn = co_await pool_.acquire();
  if (!conn.ok()) co_return conn.status();
  absl::StatusOr<db::Transaction> tx =
      co_await conn->transaction(db::Isolation::kReadCommitted);
  if (!tx.ok()) co_return tx.status();
  // The worker's row first: its lock orders this against the worker's own
  // heartbeat, so a worker that comes back in time keeps its leases.
  std::string del =
      "DELETE FROM crawl_workers WHERE job_id = ? AND worker_id = ?";
  if (only_if_stale) {
    del += " AND last_seen + INTERVAL lease_us MICROSECOND < UTC_TIMESTAMP(6)";
  }
  absl::StatusOr<db::ExecResult> d =
      co_await conn->execute(db::Sql(del), job_.id, id);
  if (!d.ok()) co_return d.status();
  uint64_t n = 0;
  if (d->affected_rows > 0 || !only_if_stale) {
    absl::StatusOr<uint64_t> t = co_await requeue_leases(*conn, id);
    if (!t.ok()) co_return t.status();
    n = *t;
    absl::StatusOr<db::ExecResult> f = co_await conn->execute(
        "DELETE FROM crawl_inflight WHERE job_id = ? AND worker_id = ?",
        job_.id, id);
    if (!f.ok()) co_return f.status();
  }
  absl::Status c = co_await tx->commit();
  if (!c.ok()) co_return c;
  co_return n;
}

Coro<absl::Status> MariaDbFrontier::take_over_dead_local_workers() {
  absl::StatusOr<db::ResultSet> others = co_await pool_.query(
      "SELECT worker_id, pid FROM crawl_workers"
      " WHERE job_id = ? AND hostname = ? AND worker_id <> ?",
      job_.id, hostname(), worker_id_);
  if (!others.ok()) co_return others.status();
  std::vector<std::string> dead;
  for (db::Row row : *others) {
    int64_t pid = row.get<int64_t>(1).value_or(0);
    bool gone = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 &&
                errno == ESRCH;
    if (gone) dead.push_back(row.get<std::string>(0).value_or(""));
  }
  for (const std::string& id : dead) {
    // Retried like every statement (a deadlock with a claim runs again).
    Outage outage;
    for (;;) {
      absl::StatusOr<uint64_t> t = co_await take_over_worker(id, false);
      if (t.ok()) {
        expired_ += *t;
        break;
      }
      absl::Status again = co_await retry_or_fail(
          t.status(), outage, "taking over a dead worker's leases");
      if (!again.ok()) co_return again;
    }
    recovered(outage);
  }
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<uint64_t>> MariaDbFrontier::requeue_leases(
    db::Connection& conn, const std::string& owner) {
  // The job's origins: a plain (non-locking) read.
  absl::StatusOr<db::ResultSet> origins = co_await conn.query(
      "SELECT id FROM crawl_origins WHERE job_id = ?", job_.id);
  if (!origins.ok()) co_return origins.status();
  std::vector<uint64_t> ids;
  ids.reserve(origins->size());
  for (db::Row r : *origins) ids.push_back(r.get<uint64_t>(0).value_or(0));
  uint64_t requeued = 0;
  for (size_t at = 0; at < ids.size(); at += kChunk) {
    std::vector<db::Value> params;
    params.reserve(2 + kChunk);
    params.emplace_back(job_.id);
    append_in_list(params, ids, at, [](uint64_t id) { return id; });
    params.emplace_back(owner);
    absl::StatusOr<db::ExecResult> u =
        co_await conn.execute_values(requeue_owned_sql(), std::move(params));
    if (!u.ok()) co_return u.status();
    requeued += u->affected_rows;
  }
  absl::Status b = co_await give_back_budget(conn, requeued);
  if (!b.ok()) co_return b;
  if (requeued > 0) {
    // The URLs queued again lie behind their origins' claim cursors: the
    // next claims look from the start (rare: a worker died).
    absl::StatusOr<db::ExecResult> r = co_await conn.execute(
        "UPDATE crawl_origins SET next_depth = 0, next_seq = 0"
        " WHERE job_id = ?",
        job_.id);
    if (!r.ok()) co_return r.status();
  }
  co_return requeued;
}

Coro<absl::Status> MariaDbFrontier::give_back_budget(db::Connection& conn,
                                                     uint64_t n) {
  if (n == 0 || job_.max_pages <= 0) co_return absl::OkStatus();
  absl::StatusOr<db::ExecResult> b = co_await conn.execute(
      "UPDATE crawl_jobs SET budget_used = budget_used - ? WHERE id = ?",
      static_cast<int64_t>(n), job_.id);
  co_return b.status();
}

void MariaDbFrontier::crash_point(const char* point) {
  if (!crash_ || crash_->point != point) return;
  if (++crash_seen_ == crash_->n) {
    static const char kMsg[] = "crawler: AIO_CRAWLER_CRASH: SIGKILL\n";
    (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    ::kill(getpid(), SIGKILL);
    pause();
  }
}

void MariaDbFrontier::ended(const Held& h) {
  auto it = in_flight_.find(h.origin_id);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
}

void MariaDbFrontier::fail(absl::Status s) {
  if (error_.ok() && !s.ok()) error_ = std::move(s);
}

FrontierStats MariaDbFrontier::stats() const {
  FrontierStats s = stats_;
  s.in_flight = held_.size();
  if (outages_ > 0) s.paused = paused_since_;
  return s;
}

// ---------------------------------------------------------------------------
// The one retry loop

Coro<absl::Status> MariaDbFrontier::retry_or_fail(absl::Status error,
                                                  Outage& outage,
                                                  std::string_view what) {
  ErrorKind k = db::error_kind(error);
  ++outage.attempts;
  if (conflict_kind(k)) {
    if (outage.attempts > 20) {
      co_return absl::AbortedError(
          absl::StrCat(to_absl(what), ": still conflicting after 20 tries: ",
                       error.message()));
    }
    co_await aio::sleep(std::chrono::milliseconds(
        std::min(5 * outage.attempts, 100)));
    co_return absl::OkStatus();
  }
  if (!outage_kind(k)) {
    co_return absl::Status(error.code(),
                           absl::StrCat(to_absl(what), ": ", error.message()));
  }
  TimePoint now = get_event_loop().time();
  if (!outage.since) {
    outage.since = now;
    if (outages_++ == 0) paused_since_ = std::chrono::system_clock::now();
  }
  if (now - *outage.since >= options_.db_outage) {
    recovered(outage);
    co_return absl::UnavailableError(absl::StrCat(
        "the database has been unreachable for ",
        absl::FormatDuration(absl::FromChrono(now - *outage.since)),
        " (since ", hhmmss(paused_since_), ", more than --db_outage=",
        absl::FormatDuration(absl::FromChrono(options_.db_outage)),
        "): ", to_absl(what), ": ", error.message(),
        "; this worker's leases expire and other workers take them over"));
  }
  Duration backoff = std::chrono::milliseconds(100);
  for (int i = 1; i < outage.attempts && backoff < std::chrono::seconds(2);
       ++i) {
    backoff *= 2;
  }
  backoff = std::min<Duration>(backoff, std::chrono::seconds(2));
  co_await aio::sleep(backoff);
  co_return absl::OkStatus();
}

void MariaDbFrontier::recovered(Outage& outage) {
  if (outage.since && --outages_ == 0) paused_since_ = {};
  outage.since.reset();
  outage.attempts = 0;
}

// ---------------------------------------------------------------------------
// add

bool MariaDbFrontier::remember(const std::string& hash, int depth) {
  auto it = seen_cache_.find(hash);
  if (it != seen_cache_.end()) {
    if (it->second <= depth) return false;
    it->second = depth;
    return true;
  }
  if (seen_cache_.size() >= options_.seen_cache) seen_cache_.clear();
  seen_cache_.emplace(hash, depth);
  return true;
}

std::vector<MariaDbFrontier::LinkRow> MariaDbFrontier::filter_new(
    std::vector<Link> links) {
  std::vector<LinkRow> out;
  out.reserve(links.size());
  for (Link& l : links) {
    if (options_.limits.max_depth >= 0 &&
        l.depth > options_.limits.max_depth) {
      ++stats_.too_deep;
      continue;
    }
    LinkRow r;
    r.hash = url_hash(l.url);
    if (!remember(r.hash, l.depth)) continue;
    r.link = std::move(l);
    out.push_back(std::move(r));
  }
  return out;
}

Coro<void> MariaDbFrontier::read_stored(std::vector<LinkRow>& links) {
  const uint64_t upper = seq_at(std::chrono::system_clock::now() -
                                std::chrono::duration_cast<
                                    std::chrono::system_clock::duration>(
                                    options_.stored_lag));
  if (upper <= stored_after_) co_return;
  if (live_workers_ <= 1) {
    // Alone on the job: nothing to learn, and nothing to read later.
    stored_after_ = upper;
    co_return;
  }
  absl::StatusOr<db::ResultSet> rs = co_await pool_.query(
      kStoredSince, job_.id, stored_after_, upper, kStoredRows);
  // A cache: on an error the links go as they are (the commit that follows
  // meets the same error and retries or fails).
  if (!rs.ok()) co_return;
  absl::flat_hash_map<std::string, int> stored;
  stored.reserve(rs->size());
  for (db::Row r : *rs) {
    std::string hash = r.get<std::string>(0).value_or("");
    const int depth = r.get<int>(1).value_or(0);
    auto [it, made] = stored.emplace(std::move(hash), depth);
    if (!made) it->second = std::min(it->second, depth);
  }
  // A full read (the others stored more than kStoredRows since the last
  // one) skips the rest of its window: a cache that kept reading old rows
  // would fall behind for good.
  stored_after_ = upper;
  std::erase_if(links, [&](const LinkRow& l) {
    auto it = stored.find(l.hash);
    return it != stored.end() && it->second <= l.link.depth;
  });
  for (const auto& [hash, depth] : stored) remember(hash, depth);
}

Coro<absl::Status> MariaDbFrontier::ensure_origins(
    const std::vector<std::string>& origins) {
  for (const std::string& o : origins) {
    if (origin_ids_.contains(o)) continue;
    std::string hash = url_hash(o);
    Outage outage;
    for (;;) {
      db::Blob h{hash};
      absl::StatusOr<db::ExecResult> ins = co_await pool_.execute(
          db::idempotent("INSERT IGNORE INTO crawl_origins"
                         " (job_id, origin, origin_hash) VALUES (?, ?, ?)"),
          job_.id, o, h);
      absl::Status s = ins.status();
      if (s.ok()) {
        db::Blob h2{hash};
        absl::StatusOr<db::ResultSet> rs = co_await pool_.query(
            "SELECT id FROM crawl_origins WHERE job_id = ? AND origin_hash = ?",
            job_.id, h2);
        s = rs.status();
        if (s.ok()) {
          if (rs->empty()) {
            s = absl::InternalError("crawl_origins: the row just made is gone");
          } else {
            origin_ids_[o] = (*rs)[0].get<uint64_t>(0).value_or(0);
          }
        }
      }
      if (s.ok()) break;
      absl::Status r = co_await retry_or_fail(s, outage, "adding an origin");
      if (!r.ok()) co_return r;
    }
    recovered(outage);
  }
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbFrontier::insert_rows_once(
    const std::vector<LinkRow>& rows) {
  std::vector<std::vector<db::Value>> values;
  values.reserve(rows.size());
  for (const LinkRow& r : rows) {
    std::vector<db::Value> v;
    v.reserve(6);
    v.emplace_back(job_.id);
    v.emplace_back(db::Blob{r.hash});
    v.emplace_back(r.link.url);
    v.emplace_back(r.origin_id);
    v.emplace_back(static_cast<int64_t>(r.link.depth));
    v.emplace_back(static_cast<int64_t>(r.link.redirects));
    v.emplace_back(r.seq);
    values.push_back(std::move(v));
  }
  absl::StatusOr<db::ExecResult> r =
      co_await pool_.executemany(db::idempotent(kInsertUrl), std::move(values));
  if (!r.ok()) co_return r.status();
  stats_.seen += r->affected_rows;
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<std::vector<MariaDbFrontier::LinkRow>>>
MariaDbFrontier::link_rows(std::vector<LinkRow> rows) {
  if (rows.empty()) co_return rows;
  std::vector<std::string> origins;
  const uint64_t now_seq = seq_at(std::chrono::system_clock::now());
  for (LinkRow& r : rows) {
    next_seq_ = std::max(next_seq_ + 1, now_seq);
    r.seq = next_seq_;
    std::string o = origin(r.link.url);
    if (!origin_ids_.contains(o) &&
        std::find(origins.begin(), origins.end(), o) == origins.end()) {
      origins.push_back(o);
    }
  }
  absl::Status s = co_await ensure_origins(origins);
  if (!s.ok()) co_return s;
  for (LinkRow& r : rows) r.origin_id = origin_ids_[origin(r.link.url)];
  co_return rows;
}

Coro<absl::Status> MariaDbFrontier::insert_links(std::vector<LinkRow> links) {
  if (links.empty()) co_return absl::OkStatus();
  absl::StatusOr<std::vector<LinkRow>> rows =
      co_await link_rows(std::move(links));
  if (!rows.ok()) co_return rows.status();
  // One lock order for every worker (the primary key's).
  std::sort(rows->begin(), rows->end(),
            [](const LinkRow& a, const LinkRow& b) { return a.hash < b.hash; });
  Outage outage;
  for (;;) {
    absl::Status r = co_await insert_rows_once(*rows);
    if (r.ok()) break;
    absl::Status again = co_await retry_or_fail(r, outage, "adding links");
    if (!again.ok()) co_return again;
  }
  recovered(outage);
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbFrontier::add(std::vector<Link> links) {
  if (!error_.ok()) co_return error_;
  std::vector<LinkRow> fresh = filter_new(std::move(links));
  absl::Status s = co_await insert_links(std::move(fresh));
  fail(s);
  co_return s;
}

// ---------------------------------------------------------------------------
// claim

// One origin of a claim, in the claim script (on the pool's I/O thread),
// inside the claim's transaction, its crawl_origins row locked. The
// origin's cursor (next_depth, next_seq) is where its last claim stopped
// (claims only move it forward; a release or a takeover moves it back to
// what was queued again), and the queued URLs after it come in claim
// order. A claim
// reads from the cursor, so it does not walk again the index entries of
// URLs already claimed (still there until InnoDB's purge removes them); it
// reads from the start when the cursor runs out, and once a second
// (`from_start`): URLs reach the queue behind the cursor when they were
// handed back or taken over (those rewind it), found at a smaller depth, or
// committed by another worker while a later URL was claimed.
Coro<absl::Status> MariaDbFrontier::claim_origin(
    db::Script& s, const ClaimIn& in, uint64_t oid, Cursor cursor,
    int64_t others, int64_t room, int64_t my_share, ClaimOut& out,
    std::map<uint64_t, Cursor>& claimed) {
  // Turns: a worker sends at most as many requests to the origin at once
  // as its crawl_inflight row says, and its turns plus the other workers'
  // (`others`, their rows) never exceed --per_host: claims of one origin
  // take turns on its row lock, so none of them misses another's turns. A
  // worker keeps its turns while it has work for them — a page that ends
  // frees its turn for the next lease claimed ahead, with no round trip —
  // up to its fair share; it leases up to as many URLs again ahead, so
  // claims are fewer and bigger. While the origin has plenty queued (each
  // read of the claim comes back full) it leases up to kAheadWide ahead
  // even with fewer turns; once a read comes back short, only as many as
  // its turns: near the end of an origin's queue a worker does not sit on
  // work another could do.
  const int64_t running = count_of(in.running, oid),
                turns = count_of(in.turns, oid),
                ahead = count_of(in.buffered, oid);
  if (running + others + ahead > 0) out.any_leased = true;
  const int64_t target = std::max<int64_t>(
      0, std::min<int64_t>(my_share, in.per_host - others));
  if (target <= running) out.held_back = true;
  const int64_t narrow = std::min<int64_t>(room, 2 * target - running - ahead);
  room = std::min<int64_t>(
      room, target + std::max<int64_t>(target, kAheadWide) - running - ahead);
  // No turn to fill now nor one to claim ahead for (target 0, or the
  // turns' worth claimed already): nothing to lease, however wide.
  if (narrow <= 0) room = narrow;
  auto set_turns = [&](int64_t leased) {
    const int64_t t =
        std::max<int64_t>(running, std::min<int64_t>(target, leased));
    if (t != turns) out.turns[oid] = t;
  };
  if (room <= 0) {
    out.any_queued = true;  // possibly: looked again on the next claim
    set_turns(running + ahead);
    co_return absl::OkStatus();
  }
  std::vector<Row>& rows = out.rows;
  const size_t first = rows.size();
  Cursor next = cursor;
  // Pass 0 from the cursor, pass 1 from the start (rows another transaction
  // holds are skipped). Each pass leases what it read before the next one
  // reads, so the second does not see the first's rows as queued. When
  // nothing is queued after the cursor, the cursor moves (back) to the last
  // URL pass 1 leased: pass 1 reads the queue in claim order from its
  // start, so nothing unclaimed is before that URL, and the next claims
  // read on from there instead of from the start again. (Links found at
  // a smaller depth than the cursor's, while the breadth-first levels
  // overlap, are queued behind it; without this every claim read them
  // from the start, through every leased URL's index entry.)
  const bool at_start = cursor.depth == 0 && cursor.seq == 0;
  bool found_after_cursor = false;
  for (int pass = in.from_start || at_start ? 1 : 0; pass < 2; ++pass) {
    const int64_t want = room - static_cast<int64_t>(rows.size() - first);
    if (want <= 0) break;
    absl::StatusOr<db::ResultSet> q = absl::UnknownError("");
    if (pass == 0) {
      q = co_await s.query(kClaimFromCursor, in.job_id, oid, cursor.depth,
                           cursor.depth, cursor.seq, want);
    } else {
      q = co_await s.query(kClaimFromStart, in.job_id, oid, want);
    }
    if (!q.ok()) co_return q.status();
    if (q->empty()) {
      room = narrow;
      continue;
    }
    out.any_queued = true;
    if (pass == 0) found_after_cursor = true;
    const size_t at0 = rows.size();
    size_t keep = q->size();
    if (static_cast<int64_t>(keep) < want) {
      // Short: few queued (after the cursor): only the turns' worth. (The
      // rows read and not kept stay locked until the commit; other claims
      // skip them meanwhile.)
      room = narrow;
      keep = static_cast<size_t>(std::clamp<int64_t>(
          narrow - static_cast<int64_t>(rows.size() - first), 0,
          static_cast<int64_t>(keep)));
    }
    for (db::Row r : *q) {
      if (rows.size() - at0 == keep) break;
      Row row;
      row.hash = r.get<std::string>(0).value_or("");
      row.url = r.get<std::string>(1).value_or("");
      row.depth = r.get<int>(2).value_or(0);
      row.redirects = r.get<int>(3).value_or(0);
      row.seq = r.get<uint64_t>(4).value_or(0);
      row.origin_id = oid;
      const Cursor at{row.depth, row.seq};
      next = pass == 1 && !found_after_cursor ? at : std::max(next, at);
      rows.push_back(std::move(row));
    }
    // Leased in one statement per kChunk rows (padded: see in_list()).
    for (size_t at = at0; at < rows.size(); at += kChunk) {
      size_t n = std::min(kChunk, rows.size() - at);
      std::vector<db::Value> params;
      params.reserve(3 + kChunk);
      params.emplace_back(in.worker_id);
      params.emplace_back(in.token);
      params.emplace_back(in.job_id);
      append_in_list(params, rows, at,
                     [](const Row& r) { return db::Blob{r.hash}; });
      absl::StatusOr<db::ExecResult> u =
          co_await s.execute_values(lease_sql(), std::move(params));
      if (!u.ok()) co_return u.status();
      if (u->affected_rows != n) {
        co_return absl::InternalError(absl::StrCat(
            "claim: ", n, " URLs locked but ", u->affected_rows, " leased"));
      }
    }
  }
  const int64_t got = static_cast<int64_t>(rows.size() - first);
  set_turns(running + ahead + got);
  if (got > 0) claimed[oid] = next;
  co_return absl::OkStatus();
}

// The whole claim transaction, on the pool's I/O thread: its statements go
// back to back, with no hop to the crawler's loop between them (db/script.h),
// so the origins stay locked for as short a time as the server allows.
Coro<MariaDbFrontier::ClaimOut> MariaDbFrontier::claim_script(
    db::Script& s, const ClaimIn& in) {
  ClaimOut out;
  absl::Status st = co_await claim_body(s, in, out);
  if (!st.ok() && !out.commit_sent && s.in_transaction()) {
    absl::Status r = co_await s.command("ROLLBACK");
    (void)r;  // the lease's end rolls back too
  }
  if (!st.ok()) out.status = std::move(st);
  co_return out;
}

Coro<absl::Status> MariaDbFrontier::claim_body(db::Script& s,
                                               const ClaimIn& in,
                                               ClaimOut& out) {
  absl::Status b = co_await s.begin(db::Isolation::kReadCommitted);
  if (!b.ok()) co_return b;
  int64_t budget_left = static_cast<int64_t>(in.max);  // rows, at most
  if (in.max_pages > 0) {
    absl::StatusOr<db::ResultSet> rs = co_await s.query(
        "SELECT budget_used FROM crawl_jobs WHERE id = ? FOR UPDATE",
        in.job_id);
    if (!rs.ok()) co_return rs.status();
    if (rs->empty()) {
      co_return absl::NotFoundError("the job was deleted");
    }
    int64_t used = (*rs)[0].get<int64_t>(0).value_or(0);
    out.budget_used = used;
    budget_left = std::min(budget_left, in.max_pages - used);
  }
  absl::StatusOr<db::ResultSet> origins =
      co_await s.query(kClaimOrigins, in.worker_id, in.job_id);
  if (!origins.ok()) co_return origins.status();
  if (origins->empty()) {
    // None free: every origin is being claimed by another worker (or the
    // job has none yet). Wait for the least recently claimed one — a claim
    // holds its origins for a few milliseconds — instead of coming back
    // empty-handed and polling: with one origin and many workers the
    // workers take turns on it.
    origins = co_await s.query(kWaitForOrigin, in.worker_id, in.job_id);
    if (!origins.ok()) co_return origins.status();
  }
  // --per_host is shared fairly: each worker live on the job (a heartbeat
  // within its lease) may hold at most its share of an origin's turns, so a
  // worker that re-claims the moment a page ends never starves the others.
  // (Counted at most once a second.)
  int64_t live = in.live_workers;
  if (in.count_workers) {
    absl::StatusOr<db::ResultSet> w = co_await s.query(
        "SELECT COUNT(*) FROM crawl_workers WHERE job_id = ?"
        " AND last_seen + INTERVAL lease_us MICROSECOND > UTC_TIMESTAMP(6)",
        in.job_id);
    if (!w.ok()) co_return w.status();
    live = std::max<int64_t>(
        1, w->empty() ? 1 : (*w)[0].get<int64_t>(0).value_or(1));
    out.live_workers = live;
  }
  const int64_t my_share = fair_share(in.per_host, live);
  // Origins take turns: each gets an equal share of the claim.
  const int64_t n_origins =
      static_cast<int64_t>(std::max<size_t>(origins->size(), 1));
  const int64_t share = std::max<int64_t>(
      1, (static_cast<int64_t>(in.max) + n_origins - 1) / n_origins);
  std::map<uint64_t, Cursor> claimed;  // the origins claimed: new cursors
  for (size_t i = 0; i < origins->size() && out.rows.size() < in.max &&
                     budget_left > static_cast<int64_t>(out.rows.size());
       ++i) {
    Cursor cursor{(*origins)[i].get<int64_t>(1).value_or(0),
                  (*origins)[i].get<uint64_t>(2).value_or(0)};
    const uint64_t oid = (*origins)[i].get<uint64_t>(0).value_or(0);
    const int64_t others = (*origins)[i].get<int64_t>(3).value_or(0);
    int64_t room = std::min<int64_t>(
        static_cast<int64_t>(in.max - out.rows.size()),
        budget_left - static_cast<int64_t>(out.rows.size()));
    absl::Status c = co_await claim_origin(s, in, oid, cursor, others,
                                           std::min(room, share), my_share,
                                           out, claimed);
    if (!c.ok()) co_return c;
  }
  // The origins claimed: their cursors, then the turns (one lock order:
  // crawl_origins rows before crawl_inflight rows).
  for (const auto& [oid, c] : claimed) {
    absl::StatusOr<db::ExecResult> o = co_await s.execute(
        kClaimedOrigin, c.depth, c.seq, in.job_id, oid);
    if (!o.ok()) co_return o.status();
  }
  absl::Status p =
      co_await publish_turns(s, in.job_id, in.worker_id, out.turns);
  if (!p.ok()) co_return p;
  if (!out.rows.empty() && in.max_pages > 0) {
    absl::StatusOr<db::ExecResult> u = co_await s.execute(
        "UPDATE crawl_jobs SET budget_used = budget_used + ? WHERE id = ?",
        static_cast<int64_t>(out.rows.size()), in.job_id);
    if (!u.ok()) co_return u.status();
  }
  out.commit_sent = true;
  co_return co_await s.command("COMMIT");
}

Coro<absl::Status> MariaDbFrontier::claim_once(std::vector<Row>& rows,
                                               bool& any_queued,
                                               bool& any_leased,
                                               uint64_t& token_out,
                                               uint64_t& incarnation_out) {
  rows.clear();
  ++claim_transactions_;
  // Taken before the claim: a takeover noticed while it runs makes its
  // leases look older than they are (a read-back at commit), never newer.
  incarnation_out = incarnation_;
  any_queued = any_leased = false;
  PermitGuard writing = co_await turns_lock_.acquire();
  // What the script reads is a copy taken now (it runs on another thread);
  // pages that end meanwhile only leave the turns it writes higher than this
  // worker needs, until the next claim or flush(). (turns_lock_: no other
  // write of this worker's turns runs meanwhile.)
  ClaimIn in;
  in.job_id = job_.id;
  in.max_pages = job_.max_pages;
  in.worker_id = worker_id_;
  in.per_host = options_.per_host;
  in.max = kClaimRows;
  in.token = absl::Uniform<uint64_t>(rng_) >> 1 | 1;
  const TimePoint now = get_event_loop().time();
  // Now and then every origin is also looked at from the start, for URLs
  // that reached the queue behind its cursor (see claim_origin).
  in.from_start = now - last_full_pass_ >= std::chrono::seconds(1);
  if (in.from_start) last_full_pass_ = now;
  in.count_workers =
      !workers_counted_ || now - *workers_counted_ >= std::chrono::seconds(1);
  in.live_workers = live_workers_;
  in.running = in_flight_;
  in.turns = turns_;
  for (const auto& [oid, q] : buffer_) in.buffered[oid] = ahead(oid);
  const uint64_t token = in.token;
  absl::StatusOr<db::Connection> conn = co_await pool_.acquire();
  if (!conn.ok()) co_return conn.status();
  absl::AnyInvocable<Coro<ClaimOut>(db::Script&)> script =
      [in = std::move(in)](db::Script& s) { return claim_script(s, in); };
  ClaimOut out = co_await conn->run<ClaimOut>(std::move(script));
  conn->release();
  if (out.live_workers) {
    live_workers_ = *out.live_workers;
    workers_counted_ = now;
  }
  if (out.budget_used) {
    stats_.budget_used = static_cast<uint64_t>(std::max<int64_t>(*out.budget_used, 0));
  }
  if (out.held_back) claim_gap_ = std::max(claim_gap_, kClaimSpacing);
  any_queued = out.any_queued;
  any_leased = out.any_leased;
  absl::Status c = out.status;
  if (!c.ok() && out.commit_sent &&
      db::error_kind(c) == ErrorKind::kConnectionLost && !out.rows.empty()) {
    // The COMMIT's outcome is unknown: the leases exist if the first row
    // carries this claim's token.
    Outage outage;
    for (;;) {
      db::Blob h{out.rows[0].hash};
      absl::StatusOr<db::ResultSet> rs = co_await pool_.query(
          "SELECT lease_token FROM crawl_urls WHERE job_id = ? AND url_hash = ?"
          " AND state = 'leased'",
          job_.id, h);
      if (rs.ok()) {
        recovered(outage);
        bool ours = !rs->empty() &&
                    (*rs)[0].get<uint64_t>(0).value_or(0) == token;
        if (!ours) co_return c;  // not committed: the caller tries again
        c = absl::OkStatus();
        break;
      }
      absl::Status again =
          co_await retry_or_fail(rs.status(), outage, "resolving a claim");
      if (!again.ok()) co_return again;
    }
  }
  if (!c.ok()) co_return c;
  rows = std::move(out.rows);
  for (const auto& [oid, t] : out.turns) {
    if (t > 0) {
      turns_[oid] = t;
    } else {
      turns_.erase(oid);
    }
  }
  crash_point("claim");
  if (job_.max_pages > 0) stats_.budget_used += rows.size();
  stats_.queued -= std::min<uint64_t>(stats_.queued, rows.size());
  token_out = token;
  co_return absl::OkStatus();
}

int64_t MariaDbFrontier::my_share() const {
  return fair_share(options_.per_host, live_workers_);
}

void MariaDbFrontier::hand_out(size_t max, OriginReady& ready, Claim& out) {
  // Origins take turns: one lease of each per round, starting after the
  // origin the last hand-out ended with.
  absl::flat_hash_set<uint64_t> closed;
  bool more = true;
  while (more && out.leases.size() < max && !buffer_.empty()) {
    more = false;
    auto it = buffer_.upper_bound(last_handed_);
    for (size_t n = buffer_.size(); n > 0 && out.leases.size() < max; --n) {
      if (buffer_.empty()) break;
      if (it == buffer_.end()) it = buffer_.begin();
      const uint64_t oid = it->first;
      std::deque<Buffered>& q = it->second;
      if (q.empty() || closed.contains(oid) ||
          count_of(in_flight_, oid) >= count_of(turns_, oid) ||
          !ready(origin(q.front().url))) {
        closed.insert(oid);  // stays claimed ahead
        ++it;
        continue;
      }
      Buffered& b = q.front();
      uint64_t id = next_id_++;
      ++in_flight_[oid];
      out.leases.push_back(
          Lease{id, Link{std::move(b.url), b.depth, b.redirects}});
      held_[id] = std::move(b.held);
      q.pop_front();
      last_handed_ = oid;
      more = true;
      it = q.empty() ? buffer_.erase(it) : std::next(it);
    }
  }
}

// Some origin this worker has turns in has fewer leases claimed ahead than
// half of what a claim would lease ahead for it: time to claim again.
bool MariaDbFrontier::buffer_low() const {
  for (const auto& [oid, turns] : turns_) {
    if (ahead(oid) * 2 < turns) return true;
  }
  return turns_.empty();
}

int64_t MariaDbFrontier::ahead(uint64_t origin_id) const {
  auto q = buffer_.find(origin_id);
  return q == buffer_.end() ? 0 : static_cast<int64_t>(q->second.size());
}

Coro<absl::StatusOr<Claim>> MariaDbFrontier::claim(size_t max,
                                                   OriginReady ready) {
  if (max == 0) {
    co_return absl::InvalidArgumentError("Frontier::claim: max must be >= 1");
  }
  if (!error_.ok()) co_return error_;
  Claim out;
  // Leases claimed ahead first: a turn that a page freed is used again at
  // once, with no round trip.
  hand_out(max, ready, out);
  EventLoop& loop = get_event_loop();
  if (!buffer_low()) {
    // Claim again only for what the database may add: more turns (while
    // below the fair share), or other origins, now and then.
    const int64_t share = my_share();
    bool below_share = false;
    for (const auto& [oid, turns] : turns_) below_share |= turns < share;
    if (!out.leases.empty() ||
        (!below_share && loop.time() - last_claim_at_ < kRecheck)) {
      co_return out;
    }
  }
  // A claim is a transaction of its own. When other workers share the job
  // and the last claim was held back by --per_host or this worker's share,
  // the next waits until kClaimSpacing after the last, so that each takes
  // more URLs: fewer, bigger transactions, and the origin rows are free
  // more often for the others. When the last found nothing queued while
  // leases are in flight (other workers' pages, whose links come with their
  // commits), the wait doubles up to kStarvedGap: a worker whose pages end
  // one by one does not claim (and lock the origins) after each of them.
  // (Alone, a worker claims at once: its own commits are hurried instead.)
  if (out.leases.empty()) {
    const TimePoint next = last_claim_at_ + claim_gap_;
    if (live_workers_ > 1 && loop.time() < next) {
      co_await aio::sleep(next - loop.time());
    }
  }
  const Duration gap = claim_gap_;
  claim_gap_ = Duration::zero();
  last_claim_at_ = loop.time();
  for (int round = 0; round < 2; ++round) {
    std::vector<Row> rows;
    bool any_queued = false, any_leased = false;
    uint64_t token = 0, incarnation = 0;
    Outage outage;
    for (;;) {
      absl::Status s = co_await claim_once(rows, any_queued, any_leased,
                                           token, incarnation);
      if (s.ok()) break;
      absl::Status again = co_await retry_or_fail(s, outage, "claiming URLs");
      if (!again.ok()) {
        fail(again);
        co_return again;
      }
    }
    recovered(outage);
    // Claimed ahead, breadth-first per origin, then handed out within the
    // turns. (A claim that commits after this worker was taken over wrote
    // its crawl_inflight rows after the takeover: they stand.)
    for (Row& r : rows) {
      // Stored already (perhaps by another worker): links to it need not
      // be sent.
      remember(r.hash, r.depth);
      Held h{std::move(r.hash), token,  r.origin_id,
             r.depth,           r.seq,  incarnation};
      buffer_[r.origin_id].push_back(
          Buffered{std::move(h), std::move(r.url), r.depth, r.redirects});
    }
    if (out.leases.size() < max) hand_out(max, ready, out);
    if (rows.empty() && !any_queued && any_leased) {
      claim_gap_ = std::clamp(2 * gap, kClaimSpacing, kStarvedGap);
    }
    if (!out.leases.empty() || !buffer_.empty()) break;
    // Nothing claimable, and nothing queued either: pages of this worker
    // still waiting for their commit may be about to queue links — commit
    // them now, then look once more. (Held back by --per_host or the share
    // while URLs are queued, the batch keeps growing: with several workers
    // that is most claims, and hurrying them made batches of a few pages.)
    if (!any_queued && (!queue_.empty() || committing_ > 0)) {
      while (!queue_.empty() || committing_ > 0) {
        if (!error_.ok()) co_return error_;
        hurry();
        co_await batch_done_.wait();
      }
      continue;
    }
    if (!any_queued && !any_leased) {
      // Looked at every origin (or none locked): is the whole job idle?
      static const std::string* sql = new std::string(
          absl::StrCat("SELECT EXISTS(", kUnfinished,
                       " AND u.state = 'queued'), EXISTS(", kUnfinished,
                       " AND u.state = 'leased')"));
      absl::StatusOr<db::ResultSet> rs =
          co_await pool_.query(*sql, job_.id, job_.id);
      if (!rs.ok()) break;  // not finished; the engine asks again
      bool queued = (*rs)[0].get<int64_t>(0).value_or(1) != 0;
      bool leased = (*rs)[0].get<int64_t>(1).value_or(1) != 0;
      bool budget_gone = job_.max_pages > 0 &&
                         stats_.budget_used >=
                             static_cast<uint64_t>(job_.max_pages);
      out.finished = !leased && held_.empty() && (!queued || budget_gone);
    }
    break;
  }
  co_return out;
}

// ---------------------------------------------------------------------------
// release

// Sets this worker's crawl_inflight rows to `turns`, in origin order. `db`
// is a db::Script (a claim) or a db::Connection (flush()).
template <typename Db>
Coro<absl::Status> MariaDbFrontier::publish_turns(
    Db& db, uint64_t job_id, const std::string& worker_id,
    const std::map<uint64_t, int64_t>& turns) {
  for (const auto& [oid, n] : turns) {
    absl::StatusOr<db::ExecResult> r =
        co_await db.execute(kSetTurns, job_id, oid, worker_id, n);
    if (!r.ok()) co_return r.status();
  }
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbFrontier::release_once(const std::vector<Held>& held) {
  absl::StatusOr<db::Connection> conn = co_await pool_.acquire();
  if (!conn.ok()) co_return conn.status();
  absl::StatusOr<db::Transaction> tx =
      co_await conn->transaction(db::Isolation::kReadCommitted);
  if (!tx.ok()) co_return tx.status();
  std::vector<std::vector<db::Value>> values;
  for (const Held& h : held) {
    values.push_back({job_.id, db::Blob{h.hash}, h.token});
  }
  absl::StatusOr<db::ExecResult> r =
      co_await conn->executemany(db::Sql(kRequeue), std::move(values));
  if (!r.ok()) co_return r.status();
  // Handed back behind the cursor: move it back to the first of them, per
  // origin in id order (one lock order).
  std::map<uint64_t, Cursor> back;
  for (const Held& h : held) {
    auto [it, fresh] = back.try_emplace(h.origin_id, Cursor{h.depth, h.seq});
    if (!fresh) it->second = std::min(it->second, Cursor{h.depth, h.seq});
  }
  for (const auto& [oid, c] : back) {
    absl::StatusOr<db::ExecResult> w = co_await conn->execute(
        kRewindCursor, c.depth, c.depth, c.seq, c.seq, c.depth, job_.id, oid);
    if (!w.ok()) co_return w.status();
  }
  absl::Status b = co_await give_back_budget(*conn, r->affected_rows);
  if (!b.ok()) co_return b;
  absl::Status c = co_await tx->commit();
  if (!c.ok()) co_return c;
  if (job_.max_pages > 0) {
    stats_.budget_used -= std::min<uint64_t>(stats_.budget_used,
                                             r->affected_rows);
  }
  stats_.queued += r->affected_rows;
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbFrontier::release_rows(std::vector<Held> held) {
  std::sort(held.begin(), held.end(),
            [](const Held& a, const Held& b) { return a.hash < b.hash; });
  Outage outage;
  for (;;) {
    // A lost COMMIT here is harmless to repeat: the statement only matches
    // rows still leased with their token.
    absl::Status s = co_await release_once(held);
    if (s.ok()) break;
    absl::Status again = co_await retry_or_fail(s, outage, "releasing leases");
    if (!again.ok()) co_return again;
  }
  recovered(outage);
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbFrontier::release(Lease lease) {
  auto it = held_.find(lease.id);
  if (it == held_.end()) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("Frontier::release: ", lease.link.url, " is not leased"));
  }
  Held h = std::move(it->second);
  held_.erase(it);
  ended(h);
  if (!error_.ok()) co_return error_;
  std::vector<Held> one;
  one.push_back(std::move(h));
  absl::Status s = co_await release_rows(std::move(one));
  fail(s);
  co_return s;
}

// ---------------------------------------------------------------------------
// complete: write-behind, group commit

Coro<absl::Status> MariaDbFrontier::complete(Lease lease,
                                             Completion completion) {
  auto it = held_.find(lease.id);
  if (it == held_.end()) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "Frontier::complete: ", lease.link.url, " is not leased"));
  }
  if (!error_.ok()) co_return error_;
  Pending p;
  p.held = std::move(it->second);
  held_.erase(it);
  p.depth = lease.link.depth;
  p.redirects = lease.link.redirects;
  p.url = std::move(lease.link.url);
  p.outcome = completion.outcome;
  p.records = std::move(completion.records);
  p.reason = std::move(completion.reason);
  ended(p.held);
  // Links first (see the header): the committer inserts them before the
  // batch's done marks; they ride along with the page.
  std::vector<LinkRow> fresh = filter_new(std::move(completion.links));
  links_.insert(links_.end(), std::make_move_iterator(fresh.begin()),
                std::make_move_iterator(fresh.end()));
  p.queued_at = get_event_loop().time();
  queue_.push_back(std::move(p));
  // The committer wakes for a batch's first page and when it is full.
  if (queue_.size() == 1 || queue_.size() >= options_.commit_batch) {
    work_.set();
  }
  while (queue_.size() + committing_ > options_.max_pending && error_.ok()) {
    hurry();
    co_await batch_done_.wait();
  }
  co_return error_;
}

void MariaDbFrontier::hurry() {
  hurry_ = true;
  work_.set();
}

Coro<void> MariaDbFrontier::committer() {
  for (;;) {
    while (queue_.empty()) {
      if (closing_) co_return;
      work_.clear();
      co_await work_.wait();
    }
    // Group commit: a batch grows to commit_batch pages for at most
    // commit_delay after its first page (fewer, bigger transactions); a
    // claim with nothing to hand out, flush() and close() cut it short.
    while (queue_.size() < options_.commit_batch && !closing_ && !hurry_) {
      Duration left =
          queue_.front().queued_at + options_.commit_delay -
          get_event_loop().time();
      if (left <= Duration::zero()) break;
      work_.clear();
      try {
        co_await aio::wait_for(work_.wait(), left);
      } catch (const TimeoutError&) {
        break;
      }
    }
    hurry_ = false;
    std::vector<Pending> batch;
    size_t n = std::min(queue_.size(), options_.commit_batch);
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    committing_ = batch.size();
    absl::Status s = absl::OkStatus();
    if (error_.ok()) s = co_await commit_batch(std::move(batch));
    fail(s);
    if (!error_.ok()) {
      // Nothing more is committed; the waiters see the error.
      queue_.clear();
      links_.clear();
    }
    committing_ = 0;
    batch_done_.set();
    batch_done_.clear();
  }
}

Coro<absl::StatusOr<bool>> MariaDbFrontier::committed(const Pending& first) {
  Outage outage;
  for (;;) {
    db::Blob h{first.held.hash};
    absl::StatusOr<db::ResultSet> rs = co_await pool_.query(
        "SELECT CAST(state AS CHAR), lease_token FROM crawl_urls"
        " WHERE job_id = ? AND url_hash = ?",
        job_.id, h);
    if (rs.ok()) {
      recovered(outage);
      if (rs->empty()) co_return false;
      std::string state = (*rs)[0].get<std::string>(0).value_or("");
      uint64_t token =
          (*rs)[0].get<std::optional<uint64_t>>(1).value_or(std::nullopt)
              .value_or(0);
      co_return state == state_name(first.outcome) &&
          token == first.held.token;
    }
    absl::Status again =
        co_await retry_or_fail(rs.status(), outage, "resolving a commit");
    if (!again.ok()) co_return again;
  }
}

Coro<absl::Status> MariaDbFrontier::store_records(
    db::Connection& conn, const std::vector<Pending>& batch,
    const std::vector<bool>& took, int64_t& skipped) {
  std::vector<std::vector<db::Value>> records;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Pending& p = batch[i];
    if (!took[i]) continue;
    if (p.outcome == PageOutcome::kSkipped) ++skipped;
    for (const Record& r : p.records) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    r.fetched_at.time_since_epoch())
                    .count();
      time_t secs = static_cast<time_t>(us / 1000000);
      struct tm tm {};
      gmtime_r(&secs, &tm);
      db::DateTime when{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour,        tm.tm_min,     tm.tm_sec,
                        static_cast<int>(us % 1000000)};
      records.push_back({r.url, static_cast<int64_t>(r.position), r.title,
                         when});
    }
  }
  if (records.empty()) co_return absl::OkStatus();
  absl::StatusOr<db::ExecResult> r = co_await conn.executemany(
      db::Sql(MariaDbOutput::kInsert), std::move(records));
  co_return r.status();
}

Coro<absl::Status> MariaDbFrontier::commit_once(
    const std::vector<Pending>& batch, const std::vector<LinkRow>& links,
    std::vector<bool>& took, bool& unknown) {
  unknown = false;
  took.assign(batch.size(), false);
  absl::StatusOr<db::Connection> conn = co_await pool_.acquire();
  if (!conn.ok()) co_return conn.status();
  absl::StatusOr<db::Transaction> tx =
      co_await conn->transaction(db::Isolation::kReadCommitted);
  if (!tx.ok()) co_return tx.status();
  // 0. This worker's crawl_workers row, share-locked: a takeover deletes it
  //    (first, under its lock) in the transaction that queues the worker's
  //    leases again, so while it stands and this transaction holds it, no
  //    lease of this incarnation can be taken away. If it stands and every
  //    page of the batch was leased in this incarnation, every done mark
  //    takes and step 2 reads nothing back.
  absl::StatusOr<db::ResultSet> me = co_await conn->query(
      "SELECT 1 FROM crawl_workers WHERE job_id = ? AND worker_id = ?"
      " LOCK IN SHARE MODE",
      job_.id, worker_id_);
  if (!me.ok()) co_return me.status();
  const bool intact =
      !me->empty() &&
      std::all_of(batch.begin(), batch.end(), [&](const Pending& p) {
        return p.held.incarnation == incarnation_;
      });
  // If intact, every page takes: its records go in first, so that the rows
  // the upsert below locks (links the other workers may send too) stay
  // locked for a statement less before the commit.
  int64_t skipped = 0;
  if (intact) {
    took.assign(batch.size(), true);
    absl::Status r = co_await store_records(*conn, batch, took, skipped);
    if (!r.ok()) co_return r;
  }
  // 1. One statement over the batch's done marks and all its links, rows in
  //    primary key order: every batch transaction of every worker takes its
  //    row locks in that one order, so two of them never wait on each other
  //    in a cycle. A page's row is marked only while it is leased with the
  //    page's token (fencing); a link's row is inserted, or, if it exists,
  //    left as it is (a queued one takes a smaller depth).
  struct Out {
    const std::string* hash;
    const Pending* page;  // null for a link
    const LinkRow* link;
  };
  std::vector<Out> out;
  out.reserve(batch.size() + links.size());
  for (const Pending& p : batch) out.push_back(Out{&p.held.hash, &p, nullptr});
  for (const LinkRow& l : links) out.push_back(Out{&l.hash, nullptr, &l});
  std::stable_sort(out.begin(), out.end(), [](const Out& a, const Out& b) {
    return *a.hash < *b.hash;
  });
  std::vector<std::vector<db::Value>> rows;
  rows.reserve(out.size());
  for (const Out& o : out) {
    if (o.page) {
      rows.push_back({job_.id, db::Blob{*o.hash}, o.page->url,
                      o.page->held.origin_id,
                      static_cast<int64_t>(o.page->depth),
                      static_cast<int64_t>(o.page->redirects), uint64_t{0},
                      state_name(o.page->outcome), o.page->held.token,
                      o.page->reason.empty()
                          ? db::Value(db::null)
                          : db::Value(o.page->reason.substr(0, 64))});
    } else {
      rows.push_back({job_.id, db::Blob{*o.hash}, o.link->link.url,
                      o.link->origin_id,
                      static_cast<int64_t>(o.link->link.depth),
                      static_cast<int64_t>(o.link->link.redirects),
                      o.link->seq, "queued", db::null, db::null});
    }
  }
  absl::StatusOr<db::ExecResult> w =
      co_await conn->executemany(db::Sql(kUpsert), std::move(rows));
  if (!w.ok()) co_return w.status();
  // 2. Which done marks took (unless intact: all): the batch's own rows,
  //    already locked by this transaction (no new waits).
  absl::flat_hash_map<std::string, std::pair<std::string, uint64_t>> now;
  for (size_t at = 0; !intact && at < batch.size(); at += kChunk) {
    std::vector<db::Value> params;
    params.reserve(1 + kChunk);
    params.emplace_back(job_.id);
    append_in_list(params, batch, at,
                   [](const Pending& p) { return db::Blob{p.held.hash}; });
    absl::StatusOr<db::ResultSet> rs =
        co_await conn->query_values(readback_sql(), std::move(params));
    if (!rs.ok()) co_return rs.status();
    for (db::Row r : *rs) {
      now[r.get<std::string>(0).value_or("")] = {
          r.get<std::string>(1).value_or(""),
          r.get<std::optional<uint64_t>>(2).value_or(std::nullopt).value_or(0)};
    }
  }
  // 3. The records of the pages that took (unless intact: stored above),
  //    and their budget slots.
  if (!intact) {
    for (size_t i = 0; i < batch.size(); ++i) {
      const Pending& p = batch[i];
      auto it = now.find(p.held.hash);
      took[i] = it != now.end() && it->second.first == state_name(p.outcome) &&
                it->second.second == p.held.token;
    }
    absl::Status r = co_await store_records(*conn, batch, took, skipped);
    if (!r.ok()) co_return r;
  }
  absl::Status b =
      co_await give_back_budget(*conn, static_cast<uint64_t>(skipped));
  if (!b.ok()) co_return b;
  crash_point("commit");
  absl::Status c = co_await tx->commit();
  if (!c.ok() && db::error_kind(c) == ErrorKind::kConnectionLost) {
    unknown = true;
  }
  co_return c;
}

Coro<absl::Status> MariaDbFrontier::commit_batch(std::vector<Pending> batch) {
  std::vector<LinkRow> fresh = std::move(links_);
  links_.clear();
  // Links another worker stored meanwhile need not go (see read_stored).
  co_await read_stored(fresh);
  absl::StatusOr<std::vector<LinkRow>> links =
      co_await link_rows(std::move(fresh));
  if (!links.ok()) co_return links.status();
  stats_.seen += links->size();  // sent as new by this worker
  Outage outage;
  std::vector<bool> took;
  for (;;) {
    bool unknown = false;
    absl::Status s = co_await commit_once(batch, *links, took, unknown);
    if (unknown) {
      // The COMMIT's outcome is unknown. All or nothing (one transaction):
      // it happened if a page that took carries its mark and token now.
      // With no page taking, only links were sent: safe to send again.
      size_t first = 0;
      while (first < took.size() && !took[first]) ++first;
      if (first < took.size()) {
        absl::StatusOr<bool> did = co_await committed(batch[first]);
        if (!did.ok()) co_return did.status();
        if (*did) break;
      }
    }
    if (s.ok()) break;
    absl::Status again =
        co_await retry_or_fail(s, outage, "committing completed pages");
    if (!again.ok()) co_return again;
  }
  recovered(outage);
  crash_point("committed");
  int64_t skipped = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Pending& p = batch[i];
    if (took[i]) {
      ++stats_.done;
      if (p.outcome == PageOutcome::kSkipped) ++skipped;
    } else {
      ++taken_over_;
    }
  }
  if (job_.max_pages > 0) {
    stats_.budget_used -= std::min<uint64_t>(stats_.budget_used,
                                             static_cast<uint64_t>(skipped));
  }
  co_return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// background: renew, heartbeat, takeover, counts

Coro<absl::Status> MariaDbFrontier::refresh_counts() {
  const TimePoint start = get_event_loop().time();
  absl::Cleanup timed = [this, start] {
    counted_at_ = get_event_loop().time();
    count_took_ = counted_at_ - start;
  };
  static const std::string* sql = new std::string(absl::StrCat(
      "SELECT q.*, (SELECT budget_used FROM crawl_jobs WHERE id = ?) FROM (",
      kQueuedAndUnfinished, ") q"));
  absl::StatusOr<db::ResultSet> rs =
      co_await pool_.query(*sql, job_.id, job_.id);
  if (!rs.ok()) co_return rs.status();
  stats_.queued = (*rs)[0].get<uint64_t>(0).value_or(stats_.queued);
  unfinished_ = (*rs)[0].get<uint64_t>(1).value_or(0);
  if (job_.max_pages > 0) {
    stats_.budget_used = static_cast<uint64_t>(
        std::max<int64_t>((*rs)[0].get<int64_t>(2).value_or(0), 0));
  }
  co_return absl::OkStatus();
}

Coro<absl::Status> MariaDbFrontier::maintain_step(bool renew) {
  if (renew) {
    // The heartbeat renews every lease this worker holds: a lease lives as
    // long as its owner's heartbeat is younger than the owner's --lease.
    absl::StatusOr<db::ExecResult> w = co_await pool_.execute(
        db::idempotent("UPDATE crawl_workers SET last_seen = UTC_TIMESTAMP(6)"
                       " WHERE job_id = ? AND worker_id = ?"),
        job_.id, worker_id_);
    if (!w.ok()) co_return w.status();
    if (w->affected_rows == 0) {
      // Another worker found this one's heartbeat too old and took its
      // leases over (their completions are fenced off) and its
      // crawl_inflight rows: live on, anew, and write them all again.
      // (The new incarnation before the new row: a commit that sees the
      // row sees the leases from before as older.)
      ++incarnation_;
      absl::Status r = co_await register_worker();
      if (!r.ok()) co_return r;
      // Its leases claimed ahead were queued again by the other worker,
      // its crawl_inflight rows dropped: it starts with no turns.
      buffer_.clear();
      turns_.clear();
    }
    // Workers whose heartbeat stopped: their leases are queued again.
    absl::StatusOr<db::ResultSet> stale = co_await pool_.query(
        "SELECT worker_id FROM crawl_workers WHERE job_id = ?"
        " AND worker_id <> ?"
        " AND last_seen + INTERVAL lease_us MICROSECOND < UTC_TIMESTAMP(6)",
        job_.id, worker_id_);
    if (!stale.ok()) co_return stale.status();
    for (db::Row row : *stale) {
      absl::StatusOr<uint64_t> t =
          co_await take_over_worker(row.get<std::string>(0).value_or(""), true);
      if (!t.ok()) co_return t.status();
      expired_ += *t;
    }
  }
  // stats().queued is for the progress line: a count every few seconds,
  // over the whole job, not per worker (see count_spacing).
  const Duration every =
      count_spacing(options_.count_every, live_workers_, count_took_);
  if (get_event_loop().time() - counted_at_ < every) {
    co_return absl::OkStatus();
  }
  co_return co_await refresh_counts();
}

Coro<absl::Status> MariaDbFrontier::maintain_once() {
  co_return co_await maintain_step(true);
}

Coro<void> MariaDbFrontier::maintain() {
  const Duration renew_every = options_.lease / 3;
  const Duration tick = std::min<Duration>(renew_every, std::chrono::seconds(1));
  TimePoint last_renew = get_event_loop().time();
  Outage outage;
  for (;;) {
    co_await aio::sleep(tick);
    TimePoint now = get_event_loop().time();
    bool renew = now - last_renew >= renew_every;
    absl::Status s = co_await maintain_step(renew);
    if (s.ok()) {
      recovered(outage);
      if (renew) last_renew = now;
      continue;
    }
    absl::Status again =
        co_await retry_or_fail(s, outage, "renewing leases");
    if (!again.ok()) {
      fail(again);
      co_return;
    }
  }
}

Coro<absl::Status> MariaDbFrontier::flush() {
  while ((!queue_.empty() || committing_ > 0) && error_.ok()) {
    hurry();
    co_await batch_done_.wait();
  }
  if (error_.ok()) {
    // Turns this worker has no work for any more, given back for the other
    // workers now.
    PermitGuard writing = co_await turns_lock_.acquire();
    std::map<uint64_t, int64_t> lower;
    for (const auto& [oid, t] : turns_) {
      const int64_t used = count_of(in_flight_, oid) + ahead(oid);
      if (used < t) lower[oid] = used;
    }
    if (!lower.empty()) {
      for (const auto& [oid, n] : lower) {
        if (n > 0) {
          turns_[oid] = n;
        } else {
          turns_.erase(oid);
        }
      }
      absl::StatusOr<db::Connection> conn = co_await pool_.acquire();
      if (!conn.ok()) co_return conn.status();
      absl::Status p =
          co_await publish_turns(*conn, job_.id, worker_id_, lower);
      if (!p.ok()) co_return p;
    }
  }
  co_return error_;
}

Coro<absl::Status> MariaDbFrontier::close() {
  if (closed_) co_return error_;
  closing_ = true;
  absl::Status flushed = co_await flush();
  (void)flushed;  // error_ holds it
  work_.set();
  if (committer_task_.valid()) {
    if (!error_.ok() && !committer_task_.done()) committer_task_.cancel();
    try {
      co_await committer_task_;
    } catch (const CancelledError&) {
    }
  }
  if (maintain_task_.valid()) {
    maintain_task_.cancel();
    try {
      co_await maintain_task_;
    } catch (const CancelledError&) {
    }
  }
  closed_ = true;
  if (error_.ok() && !buffer_.empty()) {
    // Leases claimed ahead and never handed out: queued again.
    std::vector<Held> ahead;
    for (auto& [oid, q] : buffer_) {
      for (Buffered& b : q) ahead.push_back(std::move(b.held));
    }
    buffer_.clear();
    fail(co_await release_rows(std::move(ahead)));
  }
  if (error_.ok()) {
    absl::Status s = co_await refresh_counts();
    // The counts are for the summary only (left() reads them when fresh).
    counted_at_close_ = s.ok();
    // Nothing of this worker is in flight any more (its unfinished leases,
    // if any, are queued again by whoever takes them over).
    absl::StatusOr<db::ExecResult> f = co_await pool_.execute(
        db::idempotent(
            "DELETE FROM crawl_inflight WHERE job_id = ? AND worker_id = ?"),
        job_.id, worker_id_);
    (void)f;  // best effort: a stale row only holds back other workers
  }
  co_return error_;
}

Coro<absl::StatusOr<uint64_t>> MariaDbFrontier::left() {
  if (counted_at_close_) co_return unfinished_;
  absl::StatusOr<db::ResultSet> rs =
      co_await pool_.query(kUnfinishedCount, job_.id);
  if (!rs.ok()) co_return rs.status();
  co_return (*rs)[0].get<uint64_t>(0).value_or(0);
}

}  // namespace aio::crawler
