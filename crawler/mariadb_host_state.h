// aio::crawler::MariaDbHostState: the HostState (crawler/host_state.h) of one
// job kept in MariaDB, so that every worker of the job — processes on one
// machine or many — fetches robots.txt once per origin and spaces its
// requests with the others.
//
//   absl::StatusOr<std::unique_ptr<MariaDbHostState>> hosts =
//       co_await MariaDbHostState::open(pool, {.job_id = job.id,
//                                              .worker_id = "w1"});
//   Engine engine(config, frontier, output, fetcher, hosts->get());
//
// One row per (job, origin) in table crawl_host_state (created by open() if
// missing; the DDL is kCreateTable below). Every decision is one short
// transaction on that row (SELECT ... FOR UPDATE, UPDATE, COMMIT), taken
// against the server's clock (UTC_TIMESTAMP(6)): waits come back as
// durations, so the workers' clocks need not agree.
//   robots: the row's robots_state is 'unknown', 'fetching' (robots_fetcher
//     holds the turn until robots_lease_expires, or until its heartbeat in
//     the job's crawl_workers stops; robots_token fences a late
//     store by a worker whose turn was taken over) or 'stored' (status,
//     body, until robots_expires; NULL = for the job). Waiters poll every
//     `poll` (capped by the lease's end).
//   sending: next_allowed_at and the recent reservations (rate_ring, 8
//     bytes each; SendSchedule's rule) in the row; the reservation is
//     computed from the row and the server's NOW in C++ and written back.
//   Deadlocks and lock wait timeouts retry the transaction
//   (db::retry_transaction). A lost connection or an unreachable server is
//   retried with backoff (100 ms doubling to 5 s) for up to `outage`;
//   meanwhile paused() says since when; after it, the call fails with the
//   last error. A commit whose outcome was lost is safe to repeat: a turn
//   taken is recognised by its token, a reservation made twice only leaves
//   a gap.
//
// Threads: the pool's loop thread. The Pool must outlive this object.
#ifndef AIO_CRAWLER_MARIADB_HOST_STATE_H_
#define AIO_CRAWLER_MARIADB_HOST_STATE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/host_state.h"
#include "db/connection.h"
#include "db/pool.h"
#include "loop/clock.h"
#include "loop/coro.h"

namespace aio::crawler {

struct MariaDbHostStateOptions {
  uint64_t job_id = 0;    // crawl_jobs.id (crawler/job.h)
  std::string worker_id;  // shown as robots_fetcher (--status)
  // An unreachable robots.txt (5xx, 429, no response: disallow all) is
  // fetched again after this; any other answer after robots_max_age.
  Duration robots_retry = std::chrono::minutes(10);
  Duration robots_max_age = std::chrono::hours(24);
  // While another worker holds the robots.txt turn: how often to look.
  Duration poll = std::chrono::milliseconds(250);
  // How long the database may be unreachable before a call fails (--db_outage).
  Duration outage = std::chrono::seconds(120);
};

class MariaDbHostState : public HostState {
 public:
  static constexpr char kTable[] = "crawl_host_state";
  static const char* const kCreateTable;  // CREATE TABLE IF NOT EXISTS ...

  // Creates the table if missing. InvalidArgument for a duration option
  // <= 0 (robots_retry, robots_max_age, poll, outage; Duration::max() is
  // "never"); the database's error if it cannot.
  static Coro<absl::StatusOr<std::unique_ptr<MariaDbHostState>>> open(
      db::Pool& pool, MariaDbHostStateOptions options);

  // Deletes every row of job `job_id` (--reset).
  static Coro<absl::Status> delete_job(db::Pool& pool, uint64_t job_id);

  Coro<absl::StatusOr<RobotsTurn>> robots(std::string origin,
                                          Duration lease) override;
  Coro<absl::StatusOr<Duration>> store_robots(std::string origin,
                                              uint64_t token,
                                              RobotsAnswer answer) override;
  Coro<absl::Status> abandon_robots(std::string origin,
                                    uint64_t token) override;
  Coro<absl::StatusOr<Duration>> reserve_send(std::string origin,
                                              SendLimits limits) override;
  std::optional<std::chrono::system_clock::time_point> paused()
      const override {
    return paused_;
  }

  const MariaDbHostStateOptions& options() const { return options_; }

 private:
  MariaDbHostState(db::Pool& pool, MariaDbHostStateOptions options)
      : pool_(pool), options_(std::move(options)) {}
  struct RobotsStep;
  // One transaction each (the row created when missing).
  Coro<absl::Status> robots_tx(db::Connection& conn, std::string origin,
                               Duration lease, uint64_t token,
                               RobotsStep* out);
  Coro<absl::Status> reserve_tx(db::Connection& conn, std::string origin,
                                SendLimits limits, Duration* wait);
  // Runs `attempt` again while the database is unreachable (see above).
  template <typename F>
  Coro<absl::Status> outlast(F attempt);

  db::Pool& pool_;
  MariaDbHostStateOptions options_;
  std::optional<std::chrono::system_clock::time_point> paused_;
  absl::BitGen rng_;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_MARIADB_HOST_STATE_H_
