// aio::crawler job: a crawl whose whole state lives in MariaDB (--job=NAME,
// issue 13) — its tables, its stored settings, --status and --reset.
//
//   db::Pool pool = ...;                           // --db=
//   absl::Status s = co_await create_job_tables(pool);
//   absl::StatusOr<std::optional<Job>> job = co_await find_job(pool, "news");
//   // on resume: take the stored flags the command line did not give, and
//   // refuse the ones it gave with another value
//   absl::Status m = apply_job_settings(job->settings, given, options);
//   absl::StatusOr<Job> j = co_await create_job(pool, "news", options);
//
// Tables (InnoDB, utf8mb4_bin, created IF NOT EXISTS; one row set per job,
// so many jobs share one database):
//   crawl_jobs    one row per job: name, the settings that define the crawl
//                 (job_settings() below), budget_used = leases counted
//                 against --max_pages (a row lock keeps it exact over all
//                 workers), created_at.
//   crawl_origins one row per origin of the job; MariaDbFrontier locks it
//                 (FOR UPDATE SKIP LOCKED) while it claims that origin's URLs,
//                 so --per_host holds over all workers; next_depth and
//                 next_seq are the claim cursor (mariadb_frontier.cc).
//   crawl_urls    one row per URL ever queued: url_hash = SHA-256 of the
//                 canonical URL (PK with job_id: the seen set), state
//                 queued / leased / done / failed / skipped, the lease
//                 (owner, token) and seq, the discovery order
//                 (the discovering worker's clock in µs * 4096 + a counter:
//                 breadth-first claims take depth, then seq). The claim
//                 index is on the virtual column `unfinished` (queued or
//                 leased): a lease moves no index entry. The index `fresh`
//                 (job_id, seq, depth) lets a worker read which URLs the
//                 others stored lately, from the index alone.
//   crawl_workers one row per worker process: host name, pid, heartbeat
//                 (last_seen) and its --lease (lease_us): its leases live
//                 while last_seen + lease_us is ahead of the server's clock.
//   crawl_inflight one row per origin and worker: its turns of the origin
//                 (n: how many requests it may send there at once; the
//                 turns of all workers stay within --per_host), raised by
//                 its claims, lowered by claims and flush() when it has no
//                 work for them.
// Records go to the table `titles` (crawler/mariadb_output.h), which is
// output, not state: --reset leaves it alone.
//
// The stored settings are the flags that define what is crawled (see
// kJobFlags); per-process flags (--concurrency, --timeout, --retries,
// --parse_threads, progress, --stats_json, --lease, --db_outage) may differ
// between workers and runs.
//
// Threads: the pool's loop thread. Pure functions (job_settings,
// apply_job_settings, valid_job_name, render_status) any thread.
#ifndef AIO_CRAWLER_JOB_H_
#define AIO_CRAWLER_JOB_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/options.h"
#include "db/pool.h"
#include "loop/coro.h"

namespace aio::crawler {

// The flags stored with a job, in the order messages name them.
inline constexpr const char* kJobFlags[] = {
    "start_url",   "allow_host", "allow",      "deny",
    "select",      "max_depth",  "max_pages",  "obey_robots",
    "user_agent",  "per_host",   "rate",       "delay",
    "max_url_length", "max_redirects"};

// The stored form of the job flags of `options`: flag name -> values (one
// value for scalars; start URLs canonical where they parse).
using JobSettings = std::map<std::string, std::vector<std::string>>;
JobSettings job_settings(const Options& options);
// The TEXT column form and back (one "name<TAB>value" line per value,
// backslash, tab and newline escaped). parse fails on a damaged text.
std::string encode_settings(const JobSettings& settings);
absl::StatusOr<JobSettings> decode_settings(std::string_view text);

// Resume: for every job flag, when the flag is in `given` (named on this
// command line) its value must equal the stored one, else an
// InvalidArgument whose message names each differing flag
// ("--select: the job has 'h3.x', this run says 'title'; --max_depth: ...");
// a flag not given takes the stored value in `options`.
absl::Status apply_job_settings(const JobSettings& stored,
                                const std::set<std::string>& given,
                                Options& options);

// 1-64 characters of [A-Za-z0-9_.-]; else InvalidArgument naming the rule.
absl::Status valid_job_name(std::string_view name);

struct Job {
  uint64_t id = 0;
  std::string name;
  JobSettings settings;
  int64_t max_pages = 0;  // from the settings (0 = no limit)
};

// CREATE TABLE IF NOT EXISTS for crawl_jobs, crawl_origins, crawl_urls,
// crawl_workers and titles.
Coro<absl::Status> create_job_tables(db::Pool& pool);
// The job called `name`, or nullopt.
Coro<absl::StatusOr<std::optional<Job>>> find_job(db::Pool& pool,
                                                  std::string name);
// Creates the job with `options`' settings; if another worker created it
// first, returns that one (the caller compares settings: apply_job_settings).
Coro<absl::StatusOr<Job>> create_job(db::Pool& pool, std::string name,
                                     const Options& options);

// What --status prints.
struct JobStatus {
  struct Origin {
    std::string origin;
    uint64_t queued = 0, leased = 0, done = 0;  // done: any final state
    std::string next_allowed_at;  // "" when unknown (no host state row)
    std::string robots;           // "" when unknown
  };
  struct Worker {
    std::string worker_id, hostname;
    int64_t pid = 0;
    std::string last_seen;  // UTC, "YYYY-MM-DD HH:MM:SS"
    double seconds_ago = 0;
  };
  std::string name;
  std::string created_at;
  uint64_t queued = 0, leased = 0, done = 0, failed = 0, skipped = 0;
  uint64_t expired = 0;  // leased by a worker whose heartbeat is older than its lease
  int64_t budget_used = 0, max_pages = 0;
  uint64_t records = 0;  // rows in titles of this job's done pages
  // Finished URLs that yielded nothing, by final state ("failed": no usable
  // response after every try; "done": an HTTP error or a bad redirect;
  // "skipped": robots.txt) and reason ("timeout", "http_404", ...), most
  // frequent first within a state.
  struct Reason {
    std::string state, reason;
    uint64_t count = 0;
  };
  std::vector<Reason> reasons;
  std::vector<Origin> origins;
  std::vector<Worker> workers;  // seen in the last minute
  JobSettings settings;
};
// NotFound "no job NAME in <where>" for an unknown job.
Coro<absl::StatusOr<JobStatus>> job_status(db::Pool& pool, std::string name);
// At most kStatusHosts hosts are listed (those with the most queued and
// leased URLs, most first); one line sums up the others.
inline constexpr size_t kStatusHosts = 20;
std::string render_status(const JobStatus& status);

// Counts for the --reset question.
struct JobSize {
  uint64_t urls = 0, done = 0;
};
Coro<absl::StatusOr<JobSize>> job_size(db::Pool& pool, uint64_t job_id);
// Deletes the job's rows from every crawl_* table (and crawl_host_state
// when it exists); titles stay. In chunks, so no transaction grows huge.
Coro<absl::Status> reset_job(db::Pool& pool, uint64_t job_id);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_JOB_H_
