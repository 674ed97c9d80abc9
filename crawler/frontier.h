// aio::crawler::Frontier: what a crawl has queued, seen, in flight and done —
// the engine's only view of crawl state, so that a durable implementation
// (MariaDB, issue 13: crash-safe resume, many workers on one crawl) is an
// added class, not an engine rewrite. MemoryFrontier (memory_frontier.h) is
// the in-process one.
//
// The protocol, for one URL:
//   add / complete(links) --> queued --claim--> leased (in flight)
//     --complete(kFetched | kFailed)--> done
//     --complete(kSkipped)-->  done, and its page budget slot given back
//     --release--> queued again (a stopped crawl hands its leases back)
// "Seen" is every URL ever queued: a URL is queued at most once per crawl.
// URLs are canonical (crawler/canonical_url.h); the frontier compares them as
// strings. Depth and budget belong to the frontier, because with many workers
// only the shared state can keep them exact:
//   * a Link deeper than Limits::max_depth is dropped and NOT marked seen (a
//     shallower path to it may still come);
//   * claim() never hands out a lease once Limits::max_pages leases are
//     outstanding or done-and-fetched, so the budget holds however many
//     requests are in flight; kSkipped (never requested) gives the slot back.
//
// complete() takes the page's discovered links with its outcome in one call
// so that a transactional frontier commits the "done" mark and the links
// together (and, when stores_records() is true, the page's records: then the
// engine hands them to complete() instead of to an Output).
//
// Politeness needs the frontier's help: claim() is told which origins can
// take more work now (the engine caps the URLs it holds per origin), so one
// busy or slow origin never fills the engine while others wait. Order is
// breadth-first within each origin; origins take turns.
//
// Every method is a coroutine so that implementations may do I/O; their
// failures are absl::Status values (the engine stops the crawl with exit 1).
// Threads: one loop's thread; the engine calls it from many tasks at once.
#ifndef AIO_CRAWLER_FRONTIER_H_
#define AIO_CRAWLER_FRONTIER_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/record.h"
#include "loop/coro.h"

namespace aio::crawler {

// A URL to crawl: canonical, with its depth (start URLs 0, a page's links
// d + 1, a redirect's target the depth of the URL that redirected) and the
// number of redirects that led to it (0 for links).
struct Link {
  std::string url;
  int depth = 0;
  int redirects = 0;
};

// A URL handed to the engine to fetch, until completed or released.
struct Lease {
  uint64_t id = 0;  // unique within the frontier
  Link link;
};

enum class PageOutcome {
  kFetched,  // requested; a response arrived (any status)
  kFailed,   // requested; no usable response after every try
  kSkipped,  // never requested (robots.txt, ...): gives its budget slot back
};

struct Completion {
  PageOutcome outcome = PageOutcome::kFetched;
  // Why the page yielded nothing, as the summary's error kinds name it
  // ("timeout", "http_404", "too_many_redirects", "robots_disallowed", ...);
  // empty for a usable page. A durable frontier keeps it for --status.
  std::string reason;
  std::vector<Link> links;      // discovered on the page (or the redirect)
  std::vector<Record> records;  // only read when stores_records()
};

struct FrontierLimits {
  int max_depth = -1;      // < 0: no limit
  int64_t max_pages = 0;   // <= 0: no limit
};

struct FrontierStats {
  uint64_t queued = 0;     // waiting to be claimed
  uint64_t in_flight = 0;  // leased, not completed
  uint64_t done = 0;       // completed (any outcome)
  uint64_t seen = 0;       // distinct URLs ever queued
  uint64_t too_deep = 0;   // links dropped by max_depth
  uint64_t budget_used = 0;  // leases counted against max_pages
  // Set while the frontier's store (a database) is unreachable and it
  // retries: since when (wall clock, for the progress display).
  std::optional<std::chrono::system_clock::time_point> paused;
};

struct Claim {
  std::vector<Lease> leases;
  // Nothing is queued or claimable and nothing is in flight: the crawl is
  // over (it stays over). False with no leases: wait for a completion (or,
  // with a shared frontier, poll again later).
  bool finished = false;
};

class Frontier {
 public:
  virtual ~Frontier() = default;

  // Queues the links not seen before (start URLs: depth 0).
  virtual Coro<absl::Status> add(std::vector<Link> links) = 0;
  // Up to `max` leases (max >= 1), breadth-first per origin, only of origins
  // ("scheme://host[:port]", crawler/canonical_url.h) for which `ready`
  // returns true; origins take turns. `ready` is asked once before each lease
  // taken from an origin (true = take one), during the call only.
  using OriginReady = absl::FunctionRef<bool(std::string_view origin)>;
  virtual Coro<absl::StatusOr<Claim>> claim(size_t max, OriginReady ready) = 0;
  // Ends a lease with its outcome and, atomically, its discovered links.
  virtual Coro<absl::Status> complete(Lease lease, Completion completion) = 0;
  // Hands a lease back unfetched: queued again, budget slot returned.
  virtual Coro<absl::Status> release(Lease lease) = 0;
  // True when complete() stores the records itself (see above).
  virtual bool stores_records() const { return false; }
  // A snapshot for progress and the summary (cheap, never blocks).
  virtual FrontierStats stats() const = 0;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_FRONTIER_H_
