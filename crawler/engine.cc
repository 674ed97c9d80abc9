#include "crawler/engine.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "third_party/absl_compat.h"
#include "crawler/canonical_url.h"
#include "crawler/charset.h"
#include "crawler/html.h"
#include "crawler/links.h"
#include "crawler/memory_frontier.h"
#include "crawler/memory_host_state.h"
#include "crawler/jsonl_output.h"
#include "crawler/progress.h"
#include "crawler/retry_policy.h"
#include "crawler/robots.h"
#include "executor/run_in_executor.h"
#include "executor/thread_pool.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "net/url.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/wait.h"
#include "net/http_error.h"
#include "sync/event.h"
#include "sync/semaphore.h"

namespace aio::crawler {

std::string default_user_agent() {
  return absl::StrCat("aio-crawler/", kVersion,
                      " (+https://github.com/aio-cpp/aio)");
}

// ---------------------------------------------------------------------------
// prepare

bool Config::in_scope(std::string_view canonical_url) const {
  if (origins.contains(origin(canonical_url))) return true;
  return !extra_hosts.empty() && extra_hosts.contains(host_of(canonical_url));
}

namespace {

absl::Status bad(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", what));
}

}  // namespace

absl::StatusOr<Config> prepare(const Options& o) {
  Config c;
  c.options = o;
  if (o.start_urls.empty()) {
    return absl::InvalidArgumentError(
        "no --start_url given (try --start_url=https://example.com/)");
  }
  absl::flat_hash_set<std::string> starts;
  for (const std::string& u : o.start_urls) {
    absl::StatusOr<std::string> canon = canonicalize(u);
    if (!canon.ok()) {
      return bad("start_url", absl::StrCat("'", u, "' is not an http(s) URL (",
                                           canon.status().message(), ")"));
    }
    if (starts.insert(*canon).second) {
      c.origins.insert(origin(*canon));
      c.start_urls.push_back(*std::move(canon));
    }
  }
  for (const std::string& h : o.allow_hosts) {
    std::string host = absl::AsciiStrToLower(h);
    if (host.empty() || host.find_first_of("/:?#@ ") != std::string::npos) {
      if (!(host.size() > 2 && host.front() == '[' && host.back() == ']')) {
        return bad("allow_host",
                   absl::StrCat("'", h,
                                "' is not a host name (write example.com, "
                                "without scheme, port or path)"));
      }
    }
    // International hosts as the canonical form writes them (xn--).
    absl::StatusOr<std::string> ascii = http::idna_host(host);
    if (!ascii.ok()) return bad("allow_host", ascii.status().message());
    c.extra_hosts.insert(*std::move(ascii));
  }
  absl::StatusOr<UrlFilter> filter = UrlFilter::create(o.allow, o.deny);
  if (!filter.ok()) {
    return absl::InvalidArgumentError(filter.status().message());
  }
  c.filter = std::make_shared<const UrlFilter>(*std::move(filter));
  absl::StatusOr<Selector> selector = Selector::parse(o.select);
  if (!selector.ok()) {
    return bad("select", absl::StrCat("'", o.select,
                                      "': ", selector.status().message()));
  }
  c.selector = std::make_shared<const Selector>(*std::move(selector));
  if (o.max_pages < 0) return bad("max_pages", "must be >= 0 (0 = no limit)");
  if (o.max_url_length < 1) return bad("max_url_length", "must be >= 1");
  if (o.concurrency < 1 || o.concurrency > 100000) {
    return bad("concurrency", "must be between 1 and 100000");
  }
  if (o.per_host < 1 || o.per_host > 100000) {
    return bad("per_host", "must be between 1 and 100000");
  }
  if (o.rate) {
    if (o.rate->count < 1) return bad("rate", "the count must be >= 1");
    if (o.rate->period <= Duration::zero()) {
      return bad("rate", "the period must be > 0");
    }
  }
  if (o.delay < Duration::zero()) return bad("delay", "must be >= 0");
  if (o.timeout <= Duration::zero()) return bad("timeout", "must be > 0");
  if (o.max_body < 1) return bad("max_body", "must be >= 1 byte");
  if (o.retries < 0 || o.retries > 100) {
    return bad("retries", "must be between 0 and 100");
  }
  if (o.backoff < Duration::zero()) return bad("backoff", "must be >= 0");
  if (o.max_backoff < o.backoff) {
    return bad("max_backoff", "must be >= --backoff");
  }
  if (o.parse_threads < -1 || o.parse_threads > 256) {
    return bad("parse_threads", "must be between 0 and 256 (-1 = per core)");
  }
  if (o.max_redirects < 0 || o.max_redirects > 1000) {
    return bad("max_redirects", "must be between 0 and 1000");
  }
  if (o.log_interval <= Duration::zero()) {
    return bad("log_interval", "must be > 0");
  }
  c.user_agent = o.user_agent.empty() ? default_user_agent() : o.user_agent;
  if (c.user_agent.find_first_of("\r\n") != std::string::npos) {
    return bad("user_agent", "must be one line");
  }
  return c;
}

// ---------------------------------------------------------------------------
// Engine state

struct Engine::Host {
  Host(std::string o, const Options& options)
      : origin(std::move(o)), slots(options.per_host), delay(options.delay) {}
  // kFailed: the HostState failed (the crawl stops): URLs are handed back.
  enum class RobotsState { kUnknown, kAsking, kReady, kFailed };

  std::string origin;
  Semaphore slots;  // --per_host
  Duration delay;   // --delay, or a longer robots.txt Crawl-delay
  RobotsState robots_state = RobotsState::kUnknown;
  Robots robots = Robots::allow_all();
  TimePoint robots_until = TimePoint::max();  // ask the HostState again then
  Event robots_ready;  // set in kReady and kFailed
};

struct Engine::Live {
  Task<void> task;
  bool started = false;    // its body runs (a task cancelled before it
                           // started would never run its clean-up)
  bool committed = false;  // a request was sent: not cancelled by stop()
};

struct Engine::State {
  explicit State(const Options& o)
      : global(o.concurrency), tasks(o.concurrency * 2) {}
  Semaphore global;  // --concurrency: requests in flight
  Semaphore tasks;   // page tasks alive (bounds memory)
  absl::node_hash_map<std::string, std::unique_ptr<Host>> hosts;
  absl::node_hash_map<uint64_t, Live> live;
  absl::flat_hash_map<std::string, int> origin_tasks;  // live tasks per origin
  std::vector<Task<void>> robots_tasks;
  MemoryHostState own_host_state;  // when the engine was given none
  std::vector<Lease> stopped;  // leases to hand back to the frontier
  Event changed;               // a page finished (or stop())
  Event idle;                  // no page task alive
  Event stop_event;
  Event flusher_stop;  // crawl() is done with the periodic flush
  CrawlStats stats;
  absl::Status error;
  absl::BitGen rng;
  TimePoint started{};
  bool running = false;
};

Engine::Engine(const Config& config, Frontier& frontier, Output& output,
               Fetcher& fetcher, HostState* host_state)
    : config_(config),
      frontier_(frontier),
      output_(output),
      fetcher_(fetcher),
      st_(std::make_unique<State>(config.options)) {
  host_state_ = host_state ? host_state : &st_->own_host_state;
  st_->idle.set();
  int threads = config.options.parse_threads;
  if (threads < 0) {
    threads = static_cast<int>(
        std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 8));
  }
  if (threads > 0) parse_pool_ = std::make_unique<ThreadPool>(threads);
}

Engine::~Engine() = default;

CrawlStats Engine::stats() const {
  CrawlStats s = st_->stats;
  FrontierStats f = frontier_.stats();
  s.queued = f.queued;
  s.paused_since = f.paused;
  if (auto h = host_state_->paused(); h && (!s.paused_since || *h < *s.paused_since)) {
    s.paused_since = h;
  }
  if (st_->running) s.elapsed = get_event_loop().time() - st_->started;
  return s;
}

void Engine::stop() {
  if (stopping_) return;
  stopping_ = true;
  st_->stats.interrupted = true;
  st_->changed.set();
  st_->stop_event.set();
  // Tasks that have not started see stopping_ when they do.
  for (auto& [id, live] : st_->live) {
    if (live.started && !live.committed) live.task.cancel();
  }
}

void Engine::fail(absl::Status status) {
  if (st_->error.ok()) st_->error = std::move(status);
  if (!stopping_) {
    stop();
    st_->stats.interrupted = false;
  }
}

void Engine::count_error(std::string kind) { ++st_->stats.errors[kind]; }

Engine::Host& Engine::host_for(const std::string& origin) {
  auto& slot = st_->hosts[origin];
  if (!slot) slot = std::make_unique<Host>(origin, config_.options);
  return *slot;
}

namespace {

Coro<void> wait_event(Event& e) { co_await e.wait(); }

// A completion with no links or records (and why, when it failed).
Completion just(PageOutcome outcome, std::string reason = "") {
  Completion c;
  c.outcome = outcome;
  c.reason = std::move(reason);
  return c;
}


// Waits for `e` at most `d`; returns whether it was set.
Coro<bool> wait_event_for(Event& e, Duration d) {
  if (e.is_set()) co_return true;
  try {
    co_await aio::wait_for(wait_event(e), d);
    co_return true;
  } catch (const TimeoutError&) {
    co_return false;
  }
}

// What a 2xx HTML page yields: the selector's texts and the page's links.
// Pure (safe on any thread): runs on the parse pool.
struct Analysis {
  std::vector<std::string> texts;
  std::vector<std::string> links;
};

Analysis analyze(std::string body, std::string content_type, std::string url,
                 std::shared_ptr<const Selector> selector) {
  Analysis a;
  // The body moves through: valid UTF-8 is parsed without a copy.
  Decoded decoded = decode_html(std::move(body), content_type);
  Document doc = Document::parse(std::move(decoded.utf8));
  a.texts = select_texts(doc, *selector);
  a.links = extract_links(doc, url);
  return a;
}

RetryOptions retry_options(const Options& o) {
  RetryOptions r;
  r.retries = o.retries;
  r.base_delay = o.backoff;
  r.max_delay = o.max_backoff;
  r.max_retry_after = o.max_backoff;
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------
// crawl

Coro<absl::Status> Engine::crawl() {
  st_->started = get_event_loop().time();
  st_->running = true;
  std::vector<Link> seeds;
  for (const std::string& u : config_.start_urls) seeds.push_back(Link{u, 0, 0});
  absl::Status s = co_await frontier_.add(std::move(seeds));
  if (!s.ok()) fail(s);
  // Whole records reach the output as the crawl goes, not only at the end.
  Task<void> flusher = create_task(flush_every(std::chrono::milliseconds(200)));
  if (st_->error.ok()) co_await dispatch();
  // Told to end, not cancelled: a flush in progress finishes (an output
  // cancelled mid-write may lose the batch it was writing).
  st_->flusher_stop.set();
  co_await flusher;
  // Every page task has ended. Hand back what a stop left unfetched.
  for (Lease& lease : st_->stopped) {
    absl::Status r = co_await frontier_.release(std::move(lease));
    if (!r.ok()) fail(r);
  }
  st_->stopped.clear();
  for (Task<void>& t : st_->robots_tasks) {
    if (!t.done()) t.cancel();
    try {
      co_await t;
    } catch (const CancelledError&) {
    }
  }
  st_->robots_tasks.clear();
  absl::Status f = co_await output_.flush();
  if (!f.ok()) fail(f);
  st_->stats.elapsed = get_event_loop().time() - st_->started;
  st_->stats.queued = frontier_.stats().queued;
  st_->running = false;
  co_return st_->error;
}

Coro<void> Engine::flush_every(Duration period) {
  while (!co_await wait_event_for(st_->flusher_stop, period)) {
    absl::Status f = co_await output_.flush();
    if (!f.ok()) fail(f);
  }
}

Coro<void> Engine::dispatch() {
  constexpr size_t kMaxClaim = 64;
  constexpr Duration kMinIdlePoll = std::chrono::milliseconds(20);
  constexpr Duration kMaxIdlePoll = std::chrono::seconds(1);
  Duration idle_poll = kMinIdlePoll;
  while (!stopping_) {
    {
      PermitGuard first = co_await st_->tasks.acquire();
      first.detach();
    }
    size_t n = 1;
    while (n < kMaxClaim && st_->tasks.value() > 0) {
      PermitGuard more = co_await st_->tasks.acquire();
      more.detach();
      ++n;
    }
    if (stopping_) {
      for (size_t i = 0; i < n; ++i) st_->tasks.release();
      break;
    }
    st_->changed.clear();
    // At most --per_host tasks per origin: a busy or slow origin never holds
    // every task while other origins have work.
    const int cap = config_.options.per_host;
    auto ready = [this, cap](std::string_view o) {
      int& tasks = st_->origin_tasks[std::string(o)];
      if (tasks >= cap) return false;
      ++tasks;
      return true;
    };
    absl::StatusOr<Claim> claim = co_await frontier_.claim(n, ready);
    if (!claim.ok()) {
      for (size_t i = 0; i < n; ++i) st_->tasks.release();
      fail(claim.status());
      break;
    }
    for (size_t i = claim->leases.size(); i < n; ++i) st_->tasks.release();
    for (Lease& lease : claim->leases) {
      if (stopping_) {
        auto ot = st_->origin_tasks.find(origin(lease.link.url));
        if (ot != st_->origin_tasks.end() && --ot->second <= 0) {
          st_->origin_tasks.erase(ot);
        }
        st_->stopped.push_back(std::move(lease));
        st_->tasks.release();
        continue;
      }
      uint64_t id = lease.id;
      Live& live = st_->live[id];
      st_->idle.clear();
      live.task = aio::create_task(run_lease(std::move(lease)));
    }
    if (claim->leases.empty()) {
      if (claim->finished) break;
      // Wait for a page to finish. A shared frontier may also get work from
      // other workers (or free an origin another worker held): look again
      // after a while, soon at first, then less often while nothing comes.
      (void)co_await wait_event_for(st_->changed, idle_poll);
      idle_poll = std::min<Duration>(idle_poll * 2, kMaxIdlePoll);
    } else {
      idle_poll = kMinIdlePoll;
    }
  }
  while (!st_->live.empty()) co_await st_->idle.wait();
}

Coro<void> Engine::run_lease(Lease lease) {
  Live& live = st_->live.at(lease.id);
  live.started = true;
  bool hand_back = stopping_;
  try {
    if (!hand_back) co_await process(lease, live.committed);
  } catch (const CancelledError&) {
    hand_back = true;
  } catch (const std::exception& e) {
    fail(absl::InternalError(
        absl::StrCat("crawling ", lease.link.url, ": ", e.what())));
  }
  auto ot = st_->origin_tasks.find(origin(lease.link.url));
  if (ot != st_->origin_tasks.end() && --ot->second <= 0) {
    st_->origin_tasks.erase(ot);
  }
  if (hand_back) st_->stopped.push_back(lease);
  st_->live.erase(lease.id);
  st_->tasks.release();
  st_->changed.set();
  if (st_->live.empty()) st_->idle.set();
}

Coro<void> Engine::finish(Lease lease, Completion completion) {
  absl::Status s =
      co_await frontier_.complete(std::move(lease), std::move(completion));
  if (!s.ok()) fail(s);
}

std::vector<Link> Engine::filter_links(const std::vector<std::string>& urls,
                                       int depth, int redirects) {
  std::vector<Link> out;
  out.reserve(urls.size());
  for (const std::string& u : urls) {
    if (!config_.in_scope(u)) {
      ++st_->stats.links_off_scope;
    } else if (u.size() > config_.options.max_url_length ||
               !config_.filter->accepts(u)) {
      ++st_->stats.links_filtered;
    } else {
      out.push_back(Link{u, depth, redirects});
    }
  }
  return out;
}

Coro<absl::StatusOr<http::Response>> Engine::send(Host& host,
                                                  http::Request request,
                                                  bool& committed) {
  PermitGuard host_permit = co_await host.slots.acquire();
  PermitGuard permit = co_await st_->global.acquire();
  SendLimits limits{host.delay, config_.options.rate};
  if (limits.any()) {
    // The origin's turn over every worker (HostState): a reservation, then
    // the wait for it (cancellable: stop() hands an unsent URL back).
    absl::StatusOr<Duration> wait =
        co_await host_state_->reserve_send(host.origin, limits);
    if (!wait.ok()) {
      fail(wait.status());
      throw CancelledError();  // never sent: handed back
    }
    co_await aio::sleep(*wait);
  }
  if (stopping_ && !committed) throw CancelledError();
  committed = true;
  CrawlStats& s = st_->stats;
  ++s.requests;
  ++s.in_flight;
  s.max_in_flight = std::max(s.max_in_flight, s.in_flight);
  struct Done {
    CrawlStats& s;
    ~Done() { --s.in_flight; }
  } done{s};
  absl::StatusOr<http::Response> r = co_await fetcher_.fetch(std::move(request));
  if (r.ok()) s.bytes += r->body.size();
  co_return r;
}

Coro<bool> Engine::ensure_robots(Host& host) {
  if (host.robots_state == Host::RobotsState::kReady &&
      get_event_loop().time() >= host.robots_until) {
    // The answer's time is up: ask the HostState again.
    host.robots_state = Host::RobotsState::kUnknown;
    host.robots_ready.clear();
  }
  if (host.robots_state == Host::RobotsState::kUnknown) {
    host.robots_state = Host::RobotsState::kAsking;
    st_->robots_tasks.push_back(aio::create_task(fetch_robots(&host)));
  }
  co_await host.robots_ready.wait();
  co_return host.robots_state == Host::RobotsState::kReady;
}

namespace {

// How long a robots.txt turn may take when nothing goes wrong: every try
// with its timeout and backoff, and a minute for the permits.
Duration robots_lease(const Options& o) {
  const int64_t tries = o.retries + 1;
  int64_t ns = 0;
  int64_t backoffs = 0;
  int64_t total = 0;
  if (__builtin_mul_overflow(o.timeout.count(), tries, &ns) ||
      __builtin_mul_overflow(o.max_backoff.count(), tries - 1, &backoffs) ||
      __builtin_add_overflow(ns, backoffs, &total) ||
      __builtin_add_overflow(total, Duration(std::chrono::minutes(1)).count(),
                             &total)) {
    return Duration::max();
  }
  return Duration(total);
}

TimePoint after(TimePoint now, Duration d) {
  return TimePoint(Duration(
      internal::deadline_after(now.time_since_epoch().count(), d.count())));
}

}  // namespace

Coro<void> Engine::fetch_robots(Host* host) {
  const Options& o = config_.options;
  absl::StatusOr<RobotsTurn> turn =
      co_await host_state_->robots(host->origin, robots_lease(o));
  if (!turn.ok()) {
    fail(turn.status());
    host->robots_state = Host::RobotsState::kFailed;
    host->robots_ready.set();
    co_return;
  }
  RobotsAnswer answer;
  Duration valid_for = turn->valid_for;
  const bool ours = turn->fetch();
  if (!ours) {
    answer = *std::move(turn->answer);
  } else {
    http::Request req;
    req.url = absl::StrCat(host->origin, "/robots.txt");
    req.timeout = o.timeout;
    req.follow_redirects = true;  // RFC 9309 2.3.1.2: follow (the client caps)
    RetryOptions ro = retry_options(o);
    absl::StatusOr<http::Response> result;
    bool committed = true;
    bool cancelled = false;
    try {
      for (int attempt = 1;; ++attempt) {
        result = co_await send(*host, req, committed);
        RetryDecision d = decide_retry(result, attempt, ro, st_->rng);
        if (!d.retry || attempt > o.retries || stopping_) break;
        ++st_->stats.retries;
        if (co_await wait_event_for(st_->stop_event, d.delay)) break;
      }
    } catch (const CancelledError&) {
      cancelled = true;
    }
    answer.status = result.ok() ? result->status : 0;
    if (cancelled || (stopping_ && robots_for_status(answer.status) ==
                                       RobotsVerdict::kDisallowForNow)) {
      // Cut short by the stop: no answer to share, the next worker asks.
      absl::Status a = co_await host_state_->abandon_robots(host->origin,
                                                            turn->token);
      if (!a.ok()) fail(a);
      host->robots_state = Host::RobotsState::kFailed;
      host->robots_ready.set();
      if (cancelled) throw CancelledError();
      co_return;
    }
    ++st_->stats.robots_fetched;
    if (!result.ok()) {
      count_error(absl::StrCat(
          "robots_", to_absl(http::to_string(http::error_kind(result.status())))));
    } else if (robots_for_status(answer.status) ==
               RobotsVerdict::kDisallowForNow) {
      count_error(absl::StrCat("robots_http_", answer.status));
    } else if (robots_for_status(answer.status) == RobotsVerdict::kParse) {
      std::string_view body(result->body);
      answer.body = std::string(body.substr(0, Robots::kMaxBytes));
    }
  }
  // The rules as this worker reads them (its user agent).
  switch (robots_for_status(answer.status)) {
    case RobotsVerdict::kAllowAll:
      host->robots = Robots::allow_all();
      break;
    case RobotsVerdict::kDisallowForNow:
      host->robots = Robots::disallow_all();
      break;
    case RobotsVerdict::kParse:
      host->robots = Robots::parse(answer.body, config_.user_agent);
      break;
  }
  std::optional<Duration> cd = host->robots.crawl_delay();
  host->delay = o.delay;
  if (cd && *cd > o.delay) host->delay = *cd;
  if (ours) {
    answer.crawl_delay = cd;
    absl::StatusOr<Duration> v = co_await host_state_->store_robots(
        host->origin, turn->token, std::move(answer));
    if (!v.ok()) {
      fail(v.status());
      host->robots_state = Host::RobotsState::kFailed;
      host->robots_ready.set();
      co_return;
    }
    valid_for = *v;
    if (cd && *cd > o.delay) {
      // Counts robots.txt itself: the first page waits a Crawl-delay too.
      absl::StatusOr<Duration> r = co_await host_state_->reserve_send(
          host->origin, SendLimits{*cd, std::nullopt});
      if (!r.ok()) fail(r.status());
    }
  }
  host->robots_until = after(get_event_loop().time(), valid_for);
  host->robots_state = Host::RobotsState::kReady;
  host->robots_ready.set();
}

Coro<void> Engine::process(Lease lease, bool& committed) {
  const Options& o = config_.options;
  const std::string& url = lease.link.url;
  Host& host = host_for(origin(url));
  if (o.obey_robots) {
    if (!co_await ensure_robots(host)) {
      throw CancelledError();  // no answer (the crawl stops): handed back
    }
    if (!host.robots.allowed(path_and_query(url))) {
      ++st_->stats.robots_disallowed;
      committed = true;
      co_await finish(std::move(lease),
                      just(PageOutcome::kSkipped, "robots_disallowed"));
      co_return;
    }
  }
  http::Request req;
  req.url = url;
  req.timeout = o.timeout;
  req.max_body_size = o.max_body;
  req.follow_redirects = false;
  RetryOptions ro = retry_options(o);
  absl::StatusOr<http::Response> result;
  for (int attempt = 1;; ++attempt) {
    result = co_await send(host, req, committed);
    RetryDecision d = decide_retry(result, attempt, ro, st_->rng);
    if (!d.retry || attempt > o.retries || stopping_) break;
    ++st_->stats.retries;
    if (co_await wait_event_for(st_->stop_event, d.delay)) break;
  }
  CrawlStats& s = st_->stats;
  if (!result.ok()) {
    std::string kind(http::to_string(http::error_kind(result.status())));
    count_error(kind);
    co_await finish(std::move(lease),
                    just(PageOutcome::kFailed, std::move(kind)));
    co_return;
  }
  http::Response& r = *result;
  ++s.pages;
  const int status = r.status;
  if (status >= 300 && status < 400 && status != 304) {
    std::string_view location = r.headers.get_or("Location", "");
    if (absl::StripAsciiWhitespace(to_absl(location)).empty()) {
      count_error("redirect_without_location");
      co_await finish(std::move(lease), just(PageOutcome::kFetched,
                                             "redirect_without_location"));
      co_return;
    }
    if (lease.link.redirects >= o.max_redirects) {
      count_error("too_many_redirects");
      co_await finish(std::move(lease),
                      just(PageOutcome::kFetched, "too_many_redirects"));
      co_return;
    }
    absl::StatusOr<std::string> target = resolve_link(url, location);
    if (!target.ok()) {
      count_error("bad_redirect");
      co_await finish(std::move(lease),
                      just(PageOutcome::kFetched, "bad_redirect"));
      co_return;
    }
    ++s.redirects;
    Completion c = just(PageOutcome::kFetched);
    c.links = filter_links({*target}, lease.link.depth, lease.link.redirects + 1);
    co_await finish(std::move(lease), std::move(c));
    co_return;
  }
  if (status < 200 || status >= 300) {
    std::string kind = absl::StrCat("http_", status);
    count_error(kind);
    co_await finish(std::move(lease),
                    just(PageOutcome::kFetched, std::move(kind)));
    co_return;
  }
  std::string content_type(r.headers.get_or("Content-Type", ""));
  if (!is_html_content_type(content_type)) {
    co_await finish(std::move(lease), just(PageOutcome::kFetched));
    co_return;
  }
  ++s.html_pages;
  Completion c = just(PageOutcome::kFetched);
  Analysis a;
  if (parse_pool_) {
    a = co_await run_in_executor(*parse_pool_, analyze, std::move(r.body),
                                 std::move(content_type), url,
                                 config_.selector);
  } else {
    a = analyze(std::move(r.body), std::move(content_type), url,
                config_.selector);
  }
  std::vector<Record> records;
  auto now = std::chrono::system_clock::now();
  records.reserve(a.texts.size());
  for (size_t i = 0; i < a.texts.size(); ++i) {
    records.push_back(
        Record{url, std::move(a.texts[i]), static_cast<int>(i), now});
  }
  c.links = filter_links(a.links, lease.link.depth + 1, 0);
  s.records += records.size();
  if (frontier_.stores_records()) {
    c.records = std::move(records);
  } else if (!records.empty()) {
    absl::Status w = co_await output_.write(std::move(records));
    if (!w.ok()) {
      fail(w);
      co_await finish(std::move(lease), just(PageOutcome::kFetched));
      co_return;
    }
  }
  co_await finish(std::move(lease), std::move(c));
}

}  // namespace aio::crawler
