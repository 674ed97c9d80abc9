// aio::crawler::Options: everything a crawl is told, as plain values — what
// the command-line flags (flags.h) produce and what tests build directly.
// Nothing here is validated; crawler::prepare() (engine.h) checks it all
// (URLs, regexes, selector, ranges) before anything is fetched.
#ifndef AIO_CRAWLER_OPTIONS_H_
#define AIO_CRAWLER_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loop/clock.h"

namespace aio::crawler {

// The version in the default User-Agent and in --version.
inline constexpr char kVersion[] = "1.0";

struct Rate {
  int64_t count = 0;  // at most `count` requests ...
  Duration period{};  // ... in any window of `period`, per host
};

enum class ProgressMode { kAuto, kTty, kLog, kNone };

struct Options {
  // ---- what to crawl ----
  std::vector<std::string> start_urls;   // depth 0; their origins are in scope
  std::vector<std::string> allow_hosts;  // more hosts in scope (any scheme/port)
  std::vector<std::string> allow;        // RE2, partial match on canonical URL
  std::vector<std::string> deny;
  std::string select = "title";          // CSS selector of the records
  int max_depth = 50;                    // < 0: unlimited
  int64_t max_pages = 0;                 // <= 0: unlimited
  size_t max_url_length = 2083;          // longer links are dropped

  // ---- politeness and limits ----
  int concurrency = 32;                  // requests in flight in total
  int per_host = 8;                      // requests in flight per host
  std::optional<Rate> rate;              // per host
  Duration delay{};                      // between request starts, per host
  Duration timeout = std::chrono::seconds(30);  // per request, whole transfer
  size_t max_body = size_t{10} << 20;    // bytes after decoding
  int retries = 2;                       // at most retries + 1 tries per URL
  Duration backoff = std::chrono::milliseconds(500);  // first retry's base
  Duration max_backoff = std::chrono::seconds(30);    // cap, Retry-After too
  int max_redirects = 10;
  bool obey_robots = true;
  std::string user_agent;                // "" = default_user_agent()
  int parse_threads = -1;                // parse pool; 0 = loop thread,
                                         // -1 = one per core (at most 8)

  // ---- output ----
  std::string out = "-";                 // JSON Lines file, "-" = stdout
  std::string db;                        // mariadb://... (overrides out)
  std::string stats_json;                // final summary as JSON, "" = none
  ProgressMode progress = ProgressMode::kAuto;
  Duration log_interval = std::chrono::seconds(5);  // non-TTY progress lines

  // ---- a crawl kept in MariaDB: crash-safe resume, many workers ----
  std::string job;       // --job=NAME with --db: the crawl's state in MariaDB
  bool status = false;   // --status: print the job's state and exit
  bool reset = false;    // --reset: delete the job's state and exit
  bool yes = false;      // --yes: --reset without asking
  Duration lease = std::chrono::seconds(60);       // leases after the last heartbeat
  Duration db_outage = std::chrono::seconds(120);  // then the worker stops
  // The flags named on the command line (resume: the others take the job's
  // stored values). Empty for Options built in code: then every job flag
  // counts as given.
  std::set<std::string> given;
};

// "aio-crawler/1.0 (+https://github.com/aio-cpp/aio)": the product token
// "aio-crawler" is what robots.txt groups are matched against.
std::string default_user_agent();

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_OPTIONS_H_
