// aio::crawler::HostState: the per-origin politeness that must hold across
// every worker of a crawl — robots.txt fetched once, and request starts
// spaced by --delay / Crawl-delay and --rate=N/PERIOD over all workers
// together. The engine's interface (it owns it, as it owns Frontier);
// MemoryHostState (memory_host_state.h) is the in-process one, the default;
// MariaDbHostState (mariadb_host_state.h) shares the state of one job
// between processes and machines through MariaDB.
// (--per_host across workers is the frontier's: it never leases more.)
//
// robots.txt, for one origin:
//   robots(origin, lease) -> an answer some worker stored (the final HTTP
//     status and, for a 2xx, the body), valid for a while; or "yours": the
//     caller fetches it and must end its turn with store_robots() or
//     abandon_robots(). One caller at a time holds the turn; others asking
//     meanwhile wait inside robots() (until the answer is stored, or the
//     holder's `lease` ran out — a dead worker's turn is taken over).
//   The answer's verdict is the engine's (crawler/robots.h,
//   robots_for_status): 2xx parse, 4xx allow all, 5xx / 429 / no response
//   (status 0) disallow all for now. How long an answer holds is the
//   implementation's policy (valid_for): MemoryHostState keeps every answer
//   for the crawl; MariaDbHostState asks again after an unreachable answer's
//   retry time, and after a day for the others (RFC 9309 2.4).
// Sending, for one origin:
//   reserve_send(origin, limits) -> how long to wait before starting the
//     next request, so that over every caller the starts keep
//     limits.spacing apart and at most rate.count start in any rate.period
//     (crawler/send_schedule.h has the rule). The caller sleeps that long,
//     then sends; a reservation not used (the caller was cancelled) only
//     leaves a gap. Only called when limits.any().
//
// Failures (the shared store unreachable for too long, ...) are
// absl::Status values: the engine stops the crawl with them.
// Threads: one loop's thread; the engine calls it from many tasks at once.
// Every method is a coroutine; cancelling the awaiting task is safe (a
// turn it held is given back when it was granted but not returned).
#ifndef AIO_CRAWLER_HOST_STATE_H_
#define AIO_CRAWLER_HOST_STATE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/send_schedule.h"
#include "loop/clock.h"
#include "loop/coro.h"

namespace aio::crawler {

// What a robots.txt request got.
struct RobotsAnswer {
  int status = 0;    // final HTTP status after redirects; 0 = no response
  std::string body;  // a 2xx's body (at most Robots::kMaxBytes), else ""
  // The Crawl-delay the fetcher parsed from it, if any (informational: each
  // worker parses the body itself; --status shows it).
  std::optional<Duration> crawl_delay;
};

struct RobotsTurn {
  // Set: the stored answer. Empty: the caller fetches robots.txt (its turn).
  std::optional<RobotsAnswer> answer;
  // How long the answer holds from now (Duration::max(): for the crawl).
  Duration valid_for = Duration::max();
  // The turn's token, for store_robots / abandon_robots.
  uint64_t token = 0;

  bool fetch() const { return !answer.has_value(); }
};

class HostState {
 public:
  virtual ~HostState() = default;

  // See above. `lease` (> 0; Duration::max() = never) bounds how long the
  // turn is the caller's if it never reports back; InvalidArgument for
  // lease <= 0.
  virtual Coro<absl::StatusOr<RobotsTurn>> robots(std::string origin,
                                                  Duration lease) = 0;
  // Ends the turn `token` with what the request got; returns how long the
  // answer holds (valid_for, as in RobotsTurn). A turn taken over
  // meanwhile (its lease ran out) stores nothing; the call still succeeds.
  virtual Coro<absl::StatusOr<Duration>> store_robots(std::string origin,
                                                      uint64_t token,
                                                      RobotsAnswer answer) = 0;
  // Ends the turn `token` without an answer (the crawl stopped mid-fetch):
  // the next caller fetches.
  virtual Coro<absl::Status> abandon_robots(std::string origin,
                                            uint64_t token) = 0;

  // See above: the wait (>= 0) before the reserved start.
  // InvalidArgument unless check_limits(limits) is OK.
  virtual Coro<absl::StatusOr<Duration>> reserve_send(std::string origin,
                                                      SendLimits limits) = 0;

  // Since when the shared store has been unreachable while this object
  // retries (for the progress display); empty when it is reachable.
  virtual std::optional<std::chrono::system_clock::time_point> paused()
      const {
    return std::nullopt;
  }
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_HOST_STATE_H_
