// aio::crawler::MariaDbFrontier: the Frontier (frontier.h) of a job whose
// state lives in MariaDB (crawler/job.h), so that a crawl survives any crash
// and many worker processes — on one machine or many — share one crawl.
//
//   db::Pool pool = ...;  Job job = ...;                  // crawler/job.h
//   auto f = co_await MariaDbFrontier::open(pool, job, {.per_host = 8});
//   Engine engine(config, **f, output, fetcher);  co_await engine.crawl();
//   co_await (*f)->close();                  // commits what is pending
//
// What each call does in the database (tables in crawler/job.h):
//   claim()    hands out first the leases this worker claimed ahead, as
//              many as its turns of each origin leave room for (origins
//              take turns), with no round trip: a page that ends frees its
//              turn for the next URL at once. It goes to the database when
//              what is claimed ahead runs low (under half the turns), when
//              it could use more turns, and at least every 100 ms: one short
//              READ COMMITTED transaction, run as one db::Script on the
//              pool's I/O thread (statements back to back, so the origin
//              rows stay locked as briefly as the server allows; the script
//              works on a copy of what it needs): the job row FOR UPDATE
//              (only with --max_pages: budget_used keeps the budget exact
//              over workers), the origin rows FOR UPDATE SKIP LOCKED (least
//              recently claimed first, read in that order from the index
//              `turn`, so origins take turns; an origin another worker is
//              claiming is skipped — when every one is, the least recently
//              claimed is waited for) with the other workers' turns of each
//              (their crawl_inflight rows, a non-locking read). This
//              worker's turns of an origin become --per_host minus those,
//              never more than its fair share, ceil(--per_host / workers
//              with a live heartbeat), nor more than it has work for (never
//              fewer than its requests in flight); it leases up to as many
//              URLs again ahead of its requests in flight (up to kAheadWide
//              = 112 while each read of the claim comes back full: plenty
//              queued), breadth-first
//              (depth, seq) through the claim index from the origin's cursor
//              (where the last claim stopped; from the start when the cursor
//              runs out and once a second, for URLs queued behind it), FOR
//              UPDATE SKIP LOCKED, marked leased with this worker's id and a
//              fresh random token; the cursor and this worker's
//              crawl_inflight row (its turns) are written in the same
//              transaction. Up to 128 URLs per transaction; when the last
//              claim was held back by --per_host or the share and other
//              workers share the job, the next one waits until 10 ms after
//              it (fewer, bigger claims). `ready` is asked once per lease
//              handed out; a lease it refuses stays claimed ahead.
//              So a worker sends at most its turns of requests to an origin
//              at once, and the turns of all workers never exceed
//              --per_host.
//   complete() queues the page (write-behind: it returns before the commit
//              unless too many are pending; a claim that finds nothing
//              queued commits this worker's pending pages and looks again
//              before it says "nothing to claim" — one held back by
//              --per_host or the share leaves the batch to grow); a
//              committer task lets a batch grow for up to commit_delay
//              (50 ms) and commits up to commit_batch (128) pages per READ
//              COMMITTED transaction: first this worker's crawl_workers row,
//              share-locked (a takeover deletes it first, in the transaction
//              that queues the worker's leases again); ONE INSERT ... ON
//              DUPLICATE KEY UPDATE
//              (executemany) over the batch's done marks and all its links,
//              rows sorted by primary key, so every batch transaction of
//              every worker locks rows in one order (no deadlock cycle); a
//              done mark only takes while the row is leased with the page's
//              token (fencing), a link's row is inserted or left alone (a
//              queued one takes a smaller depth); then, unless the worker's
//              row stood and every page was leased in its current
//              incarnation (then every mark took), the batch's own rows are
//              read back (already locked) to learn which marks took; only
//              those pages' records go to titles (INSERT ... ON
//              DUPLICATE KEY UPDATE). Records, links and done mark commit
//              together: a crash loses a whole batch (its pages are still
//              leased, fetched again after the lease), never half a page. A
//              page whose lease was taken over meanwhile stores no record
//              and no mark (counted in taken_over()). Links to URLs known
//              to be stored at no greater depth are skipped (a bounded
//              seen-cache of URL hashes: those this worker sent or claimed,
//              and, with other workers live on the job, those they stored:
//              before each batch, one read of the index `fresh` for the
//              URLs stored since the last read, up to stored_lag ago by
//              seq — committed rows only, so a URL skipped is stored). A
//              COMMIT whose outcome is unknown (the connection dropped) is
//              resolved by reading a marked page's row back.
//   release()  queued again (the origin's cursor moved back to it), its
//              budget slot returned.
//   flush()    commits what is pending, and gives back the turns this
//              worker has no work for any more (its crawl_inflight rows
//              lowered to its requests in flight plus what it claimed
//              ahead).
//   close()    flush(); what was claimed ahead and never handed out is
//              queued again; this worker's crawl_inflight rows are deleted.
//   background every --lease/3: the heartbeat (crawl_workers.last_seen),
//              which keeps every lease of this worker alive; takes over the
//              leases of any worker whose heartbeat is older than its
//              --lease (queued again, budget slot returned, its
//              crawl_inflight rows dropped; a worker that finds itself
//              taken over registers again and goes on); every
//              count_spacing() (count_every x live workers, at least 100x
//              the count's own time): refreshes stats().queued.
// The server's clock (UTC_TIMESTAMP(6)) judges every heartbeat, so workers'
// clocks need not agree.
//
// The database failing: every statement goes through one retry loop. A lost
// connection or a server that cannot be reached sets stats().paused and is
// retried with backoff (100 ms doubling to 2 s); when it lasts longer than
// `db_outage`, the call fails with Unavailable naming how long and why (the
// engine stops, exit 1; this worker's heartbeat stops and its leases are
// taken over).
// Deadlocks and lock wait timeouts are retried at once (up to 20 times).
// Errors are sticky: after one, every call returns it.
//
// Crash points (tests): AIO_CRAWLER_CRASH=<point>:<n> SIGKILLs the process
// at the n-th occurrence of `claim` (after a claim COMMIT), `commit` (in a
// completion transaction, its statements run, before COMMIT) or `committed`
// (after a completion COMMIT returned).
//
// Threads: the pool's loop thread; the engine's tasks call it concurrently.
// The pool must outlive the frontier; call close() before destroying it.
#ifndef AIO_CRAWLER_MARIADB_FRONTIER_H_
#define AIO_CRAWLER_MARIADB_FRONTIER_H_

#include <chrono>
#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/frontier.h"
#include "crawler/job.h"
#include "db/pool.h"
#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/task.h"
#include "sync/event.h"
#include "sync/lock.h"

namespace aio::crawler {

struct MariaDbFrontierOptions {
  int per_host = 8;  // live leases per origin over all workers, at most
  Duration lease = std::chrono::seconds(60);
  Duration db_outage = std::chrono::seconds(120);
  size_t commit_batch = 128;  // pages per completion transaction, at most
  // How long a batch may wait for more pages after its first (0: commit at
  // once). Its pages are done for the other workers already; a crash loses
  // them (fetched again), never half of one.
  Duration commit_delay = std::chrono::milliseconds(50);
  size_t max_pending = 512;   // complete() waits beyond this many uncommitted
  // URLs known to be in the job — sent or claimed by this worker, or read
  // from what the other workers stored — each with the smallest depth known:
  // a link to one of them at no smaller depth is not sent. Forgotten all at
  // once when full.
  size_t seen_cache = 200000;
  // With other workers on the job, each commit first reads the URLs they
  // stored since the last read, up to those sent stored_lag ago by their
  // seq (younger index pages are still being written: reading them costs
  // the server a row lookup each); between 0 and a year.
  Duration stored_lag = std::chrono::milliseconds(250);
  // stats().queued (the progress line's) is counted over the whole job
  // every count_every * (live workers) — and never more often than every
  // 100 times the count's own time (see count_spacing) — between 0 (every
  // background step) and a year.
  Duration count_every = std::chrono::seconds(5);
  std::string worker_id;      // "" = "<hostname>:<pid>:<random>"
  bool background = true;     // false (tests): no renewal/takeover task
  FrontierLimits limits;      // max_depth (max_pages comes from the job)
};

// AIO_CRAWLER_CRASH: "" is none; else "<claim|commit|committed>:<n>", n >= 1.
struct CrashPoint {
  std::string point;
  int64_t n = 0;
};
absl::StatusOr<std::optional<CrashPoint>> parse_crash_point(
    std::string_view spec);

// How long a worker waits after a count of the job's queued URLs that took
// `took` before it counts again: `every` for each of the `live` workers (a
// job-wide count once per `every` over them all; live < 1 counts as 1), and
// at least 100 * took, so the count, which reads every queued URL's index
// entry, costs the server at most 1% of its time however big the job grows.
// Negative durations count as 0; the result saturates at Duration::max().
Duration count_spacing(Duration every, int64_t live, Duration took);

// SHA-256 of `url` (32 bytes): crawl_urls.url_hash, the same value as the
// server's UNHEX(SHA2(url, 256)).
std::string url_hash(std::string_view url);

class MariaDbFrontier final : public Frontier {
 public:
  // Registers the worker (crawl_workers) and starts the background task.
  // Leases of workers registered from this host name whose process is gone
  // (kill(pid, 0): no such process) are queued again at once, so `kill -9`
  // then the same command resumes without waiting out --lease (workers on
  // one host name are assumed to share a pid space: give containers
  // distinct host names). Other workers' leases expire after --lease.
  // InvalidArgument for bad options or a bad AIO_CRAWLER_CRASH.
  static Coro<absl::StatusOr<std::unique_ptr<MariaDbFrontier>>> open(
      db::Pool& pool, Job job, MariaDbFrontierOptions options);
  ~MariaDbFrontier() override;

  Coro<absl::Status> add(std::vector<Link> links) override;
  Coro<absl::StatusOr<Claim>> claim(size_t max, OriginReady ready) override;
  Coro<absl::Status> complete(Lease lease, Completion completion) override;
  Coro<absl::Status> release(Lease lease) override;
  bool stores_records() const override { return true; }
  FrontierStats stats() const override;

  // Commits every pending completion, stops the background task and
  // refreshes the counts (stats().queued + in flight = what is left).
  // Idempotent; the first error it met, if any.
  Coro<absl::Status> close();
  // Waits until every completion so far is committed (the first error).
  Coro<absl::Status> flush();

  // URLs of the job not finished (queued or leased by anyone): one query, or
  // none after a close() that counted them (its summary count).
  Coro<absl::StatusOr<uint64_t>> left();
  // Completions dropped because another worker had taken the lease over.
  uint64_t taken_over() const { return taken_over_; }
  // Expired leases (of any worker), and leases of dead workers of this host
  // (see open()), this worker queued again.
  uint64_t expired_taken_over() const { return expired_; }
  // Claim transactions this worker has run.
  uint64_t claim_transactions() const { return claim_transactions_; }
  const std::string& worker_id() const { return worker_id_; }
  uint64_t job_id() const { return job_.id; }
  // Runs the background work once now (tests): renew, heartbeat, takeover.
  Coro<absl::Status> maintain_once();

 private:
  struct Held {  // a lease this worker holds
    std::string hash;
    uint64_t token = 0;
    uint64_t origin_id = 0;
    int64_t depth = 0;
    uint64_t seq = 0;
    // incarnation_ when the claim that leased it began (see commit_once).
    uint64_t incarnation = 0;
  };
  struct Cursor {  // crawl_origins.next_depth, next_seq
    int64_t depth = 0;
    uint64_t seq = 0;
    friend auto operator<=>(const Cursor&, const Cursor&) = default;
  };
  struct Pending {  // a completion waiting for its commit
    Held held;
    std::string url;
    int depth = 0, redirects = 0;
    PageOutcome outcome;
    std::string reason;  // Completion::reason, kept in crawl_urls.reason
    std::vector<Record> records;
    TimePoint queued_at{};
  };
  struct LinkRow {
    std::string hash;
    Link link;
    uint64_t origin_id = 0;
    uint64_t seq = 0;
  };
  struct Row {  // a URL claimed
    std::string hash, url;
    int depth = 0, redirects = 0;
    uint64_t seq = 0;
    uint64_t origin_id = 0;
  };
  struct Outage {
    int attempts = 0;
    std::optional<TimePoint> since;
  };

  MariaDbFrontier(db::Pool& pool, Job job, MariaDbFrontierOptions options);
  void crash_point(const char* point);
  Coro<absl::Status> retry_or_fail(absl::Status error, Outage& outage,
                                   std::string_view what);
  void recovered(Outage& outage);
  Coro<absl::Status> ensure_origins(const std::vector<std::string>& origins);
  Coro<absl::Status> insert_links(std::vector<LinkRow> links);
  Coro<absl::Status> insert_rows_once(const std::vector<LinkRow>& rows);
  Coro<absl::Status> register_worker();
  Coro<absl::StatusOr<uint64_t>> take_over_worker(const std::string& id,
                                                  bool only_if_stale);
  struct Buffered {  // a lease claimed ahead, not handed out yet
    Held held;
    std::string url;
    int depth = 0, redirects = 0;
  };
  // A claim's inputs, copied for its script (which runs on the pool's I/O
  // thread), and what the script found.
  struct ClaimIn {
    uint64_t job_id = 0;
    int64_t max_pages = 0;
    std::string worker_id;
    int per_host = 0;
    size_t max = 0;
    uint64_t token = 0;
    bool from_start = false;
    bool count_workers = false;
    int64_t live_workers = 1;
    // Per origin: this worker's leases handed out and not ended, its turns
    // (its crawl_inflight row), its leases claimed ahead.
    absl::flat_hash_map<uint64_t, int64_t> running, turns, buffered;
  };
  struct ClaimOut {
    ClaimOut() = default;
    explicit ClaimOut(absl::Status s) : status(std::move(s)) {}
    absl::Status status;
    bool commit_sent = false;  // a lost connection then leaves it unknown
    std::vector<Row> rows;
    bool any_queued = false, any_leased = false, held_back = false;
    std::optional<int64_t> budget_used, live_workers;
    std::map<uint64_t, int64_t> turns;  // written to crawl_inflight
  };
  static Coro<ClaimOut> claim_script(db::Script& s, const ClaimIn& in);
  static Coro<absl::Status> claim_body(db::Script& s, const ClaimIn& in,
                                       ClaimOut& out);
  static Coro<absl::Status> claim_origin(db::Script& s, const ClaimIn& in,
                                         uint64_t oid, Cursor cursor,
                                         int64_t others, int64_t room,
                                         int64_t my_share, ClaimOut& out,
                                         std::map<uint64_t, Cursor>& claimed);
  // This worker's crawl_inflight rows set to `turns` (origin -> n).
  template <typename Db>
  static Coro<absl::Status> publish_turns(
      Db& db, uint64_t job_id, const std::string& worker_id,
      const std::map<uint64_t, int64_t>& turns);
  // Hands out leases claimed ahead, within each origin's turns; refusals by
  // `ready` stay claimed ahead.
  void hand_out(size_t max, OriginReady& ready, Claim& out);
  bool buffer_low() const;
  int64_t ahead(uint64_t origin_id) const;  // leases claimed ahead
  int64_t my_share() const;
  // One claim transaction (up to kClaimRows URLs), retried by claim().
  Coro<absl::Status> claim_once(std::vector<Row>& rows, bool& any_queued,
                                bool& any_leased, uint64_t& token,
                                uint64_t& incarnation);
  Coro<absl::Status> release_rows(std::vector<Held> held);
  Coro<absl::Status> release_once(const std::vector<Held>& held);
  Coro<void> committer();
  Coro<absl::Status> commit_batch(std::vector<Pending> batch);
  // Gives `rows` (hash and link set) their seq and origin.
  Coro<absl::StatusOr<std::vector<LinkRow>>> link_rows(
      std::vector<LinkRow> rows);
  // Inserts the records of the pages of `batch` that `took`; counts the
  // skipped ones (robots.txt) into `skipped`.
  Coro<absl::Status> store_records(db::Connection& conn,
                                   const std::vector<Pending>& batch,
                                   const std::vector<bool>& took,
                                   int64_t& skipped);
  Coro<absl::Status> commit_once(const std::vector<Pending>& batch,
                                 const std::vector<LinkRow>& links,
                                 std::vector<bool>& took, bool& unknown);
  Coro<absl::StatusOr<bool>> committed(const Pending& first);
  Coro<void> maintain();
  Coro<absl::Status> maintain_step(bool renew);
  Coro<absl::Status> refresh_counts();
  Coro<absl::Status> take_over_dead_local_workers();
  // Queues again the job's URLs leased by `owner` (read through the claim
  // index: unfinished URLs only) and gives their budget slots back, on
  // `conn` inside the caller's transaction; how many.
  Coro<absl::StatusOr<uint64_t>> requeue_leases(db::Connection& conn,
                                                const std::string& owner);
  // n budget slots (--max_pages) given back, on `conn` inside the caller's
  // transaction; nothing to do for n == 0 or a job without a budget.
  Coro<absl::Status> give_back_budget(db::Connection& conn, uint64_t n);
  // The links to send: not too deep, not in the seen-cache at a depth as
  // small; each hashed, and remembered.
  std::vector<LinkRow> filter_new(std::vector<Link> links);
  // Adds the URL of `hash` at `depth` to the seen-cache; false if it was
  // there at no greater depth.
  bool remember(const std::string& hash, int depth);
  // With other workers on the job: reads the URLs stored since the last
  // read (kStoredSince, up to stored_lag ago) into the seen-cache, and
  // drops from `links` those stored at no greater depth.
  Coro<void> read_stored(std::vector<LinkRow>& links);
  void ended(const Held& h);  // a lease completed or released
  void hurry();  // the committer commits what it has, now
  void fail(absl::Status s);

  db::Pool& pool_;
  Job job_;
  MariaDbFrontierOptions options_;
  std::string worker_id_;
  std::optional<CrashPoint> crash_;
  int64_t crash_seen_ = 0;
  absl::BitGen rng_;

  uint64_t next_id_ = 1;
  uint64_t next_seq_ = 0;  // discovery order (see job.h)
  TimePoint last_full_pass_{};  // claims last read every origin from the start
  TimePoint counted_at_{};      // stats_.queued last counted
  uint64_t unfinished_ = 0;     // queued or leased, counted with it
  bool counted_at_close_ = false;  // close() counted: left() needs no query
  Duration count_took_{};       // how long that count took
  std::optional<TimePoint> workers_counted_;  // live_workers_ last counted
  int64_t live_workers_ = 1;    // workers with a live heartbeat on the job
  absl::flat_hash_map<uint64_t, Held> held_;          // lease id -> lease
  absl::flat_hash_map<std::string, uint64_t> origin_ids_;
  // Per origin: this worker's leases handed out and not yet completed or
  // released (its requests in flight); its turns — what its crawl_inflight
  // row says, always at least in_flight_ (raised by claims under the
  // origin's row lock, lowered by claims and flush()); and the leases it
  // claimed ahead, handed out as turns free up with no database round trip.
  absl::flat_hash_map<uint64_t, int64_t> in_flight_;
  absl::flat_hash_map<uint64_t, int64_t> turns_;
  std::map<uint64_t, std::deque<Buffered>> buffer_;  // never an empty deque
  uint64_t last_handed_ = 0;  // the origin the last lease handed out was of
  // Held while this worker's crawl_inflight rows are written (a claim, or
  // flush() giving turns back): one writer at a time, so a lower value
  // never lands after a higher one.
  Lock turns_lock_;
  // The least time from the last claim transaction's start to the next
  // (with other workers on the job; see claim()): kClaimSpacing after a
  // claim held back by --per_host or the share, doubling up to kStarvedGap
  // while claims find nothing queued and other leases are in flight.
  Duration claim_gap_{};
  TimePoint last_claim_at_{};  // when the last claim transaction began
  absl::flat_hash_map<std::string, int> seen_cache_;  // url_hash -> depth
  uint64_t stored_after_ = 0;  // read_stored() read up to this seq

  std::deque<Pending> queue_;   // completions not yet in a transaction
  std::vector<LinkRow> links_;  // their links, not yet sent
  size_t committing_ = 0;       // pages in the transaction under way
  Event work_;                  // queue_ got a page (or close())
  Event batch_done_;            // pulsed after each batch
  Task<void> committer_task_;
  Task<void> maintain_task_;
  bool closing_ = false;
  bool hurry_ = false;          // see hurry()
  bool closed_ = false;

  FrontierStats stats_;
  uint64_t taken_over_ = 0;
  uint64_t claim_transactions_ = 0;
  // Bumped each time this worker finds that another took it over (its
  // crawl_workers row gone) and registers again: its leases from before
  // may have been queued again and claimed by others.
  uint64_t incarnation_ = 0;
  uint64_t expired_ = 0;
  int outages_ = 0;  // operations currently retrying an outage
  std::chrono::system_clock::time_point paused_since_{};
  absl::Status error_;  // sticky
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_MARIADB_FRONTIER_H_
