// aio::crawler::Engine: the crawl itself — breadth-first over a Frontier,
// politely, into an Output.
//
//   absl::StatusOr<Config> config = prepare(options);   // validates, no I/O
//   MemoryFrontier frontier({...});  JsonlOutput out;  HttpFetcher fetcher;
//   Engine engine(*config, frontier, *out, fetcher);
//   absl::Status s = co_await engine.crawl();          // ends by itself
//
// What one URL goes through, in order:
//   1. robots.txt of its origin (when obeyed): asked of the HostState
//      (crawler/host_state.h), so it is fetched once per crawl — once per job
//      over every worker with a shared one — before any other request to
//      that origin; every URL of the origin waits for its answer, and asks
//      again when the HostState says the answer's time is up.
//      4xx = allow all; 5xx / unreachable after the tries = nothing allowed.
//      Its Crawl-delay becomes the origin's delay (the larger of it and
//      --delay). A disallowed URL is never requested (PageOutcome::kSkipped).
//   2. politeness: a per-origin permit (--per_host), then a global one
//      (--concurrency), then, when a delay or --rate applies, the origin's
//      turn: a reservation from the HostState and a wait for it; so the
//      limits hold at every instant as the server sees them.
//   3. one request (redirects not followed by the client) with --timeout for
//      the whole transfer and --max_body; failures retried per the retry
//      policy (crawler/retry_policy.h) up to --retries times, permits released
//      during the backoff.
//   4. a 3xx with Location: the target is a Link of the same depth with one
//      more redirect — checked against scope, filters, seen set and (when it
//      is fetched) robots like any link; past --max_redirects it is an error.
//      A 2xx with an HTML Content-Type: decoded (crawler/charset.h), parsed;
//      records (--select) to the Output, links (scope, --allow/--deny,
//      --max_url_length) to the frontier at depth + 1. Anything else counts
//      (pages, errors by kind) and yields nothing.
// The crawl ends when the frontier says it is finished (nothing queued or in
// flight, or the page budget used up and nothing in flight).
//
// stop() (the first SIGINT): no new lease is taken, URLs not yet sent are
// cancelled and handed back to the frontier, requests in flight finish (each
// bounded by --timeout), then crawl() flushes the output and returns.
//
// Parsing (charset decoding, gumbo, selector, links) runs on a pool of
// --parse_threads threads (0: on the loop thread, as tests under virtual time
// need); the awaiting page task resumes on the loop thread.
//
// Threads: one loop's thread. The engine, frontier, output and fetcher must
// outlive crawl().
#ifndef AIO_CRAWLER_ENGINE_H_
#define AIO_CRAWLER_ENGINE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/host_state.h"
#include "crawler/options.h"
#include "crawler/output.h"
#include "crawler/selector.h"
#include "crawler/stats.h"
#include "crawler/url_filter.h"
#include "executor/thread_pool.h"
#include "loop/coro.h"

namespace aio::crawler {

// Options checked and compiled: start URLs canonical, regexes and selector
// compiled, ranges checked.
struct Config {
  Options options;
  std::vector<std::string> start_urls;           // canonical, deduplicated
  absl::flat_hash_set<std::string> origins;      // of the start URLs
  absl::flat_hash_set<std::string> extra_hosts;  // --allow_host, lower case
  std::shared_ptr<const UrlFilter> filter;
  std::shared_ptr<const Selector> selector;
  std::string user_agent;
  // True when `canonical_url` is in scope: its origin is a start URL's, or
  // its host is an --allow_host.
  bool in_scope(std::string_view canonical_url) const;
};

// Validates `options` (InvalidArgument naming the flag and the problem).
absl::StatusOr<Config> prepare(const Options& options);

class Engine {
 public:
  // `host_state`: the per-origin politeness shared with other workers
  // (robots.txt, send spacing; crawler/host_state.h); nullptr = the engine's
  // own MemoryHostState. It must outlive crawl().
  Engine(const Config& config, Frontier& frontier, Output& output,
         Fetcher& fetcher, HostState* host_state = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Seeds the frontier with the start URLs and crawls until the frontier is
  // finished or stop() was called. An error only when the frontier or the
  // output failed (the crawl stops then); pages that fail are counted in
  // stats(), not errors here.
  Coro<absl::Status> crawl();

  // The first Ctrl-C (see above). Idempotent; callable from any callback on
  // the loop's thread, before or during crawl().
  void stop();
  bool stopping() const { return stopping_; }

  // Live counters (frontier numbers refreshed on each call).
  CrawlStats stats() const;

 private:
  struct Host;
  struct Live;
  Host& host_for(const std::string& origin);
  Coro<void> dispatch();
  Coro<void> flush_every(Duration period);
  Coro<void> run_lease(Lease lease);
  Coro<void> process(Lease lease, bool& sending);
  // False: no answer (the HostState failed; the crawl is stopping).
  Coro<bool> ensure_robots(Host& host);
  Coro<void> fetch_robots(Host* host);
  Coro<absl::StatusOr<http::Response>> send(Host& host, http::Request request,
                                            bool& sending);
  Coro<void> finish(Lease lease, Completion completion);
  std::vector<Link> filter_links(const std::vector<std::string>& urls,
                                 int depth, int redirects);
  void fail(absl::Status status);
  void count_error(std::string kind);

  const Config& config_;
  Frontier& frontier_;
  Output& output_;
  Fetcher& fetcher_;
  HostState* host_state_ = nullptr;
  struct State;
  std::unique_ptr<State> st_;
  std::unique_ptr<ThreadPool> parse_pool_;  // --parse_threads
  bool stopping_ = false;
};

// The binary's whole life after flag parsing: prepare (bad input: one line on
// stderr, 2), open the output (unreachable database or unwritable file: 1),
// install SIGINT/SIGTERM handlers, show progress, crawl, print the summary,
// write --stats_json. Returns the exit code: 0 when the crawl ended (also
// after the first Ctrl-C), 1 when the output or frontier failed, 2 for bad
// options. A second SIGINT/SIGTERM exits the process at once with 130.
Coro<int> run(Options options);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_ENGINE_H_
