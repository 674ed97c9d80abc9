// aio::crawler::CrawlStats: what a crawl did, counted by the engine — for the
// progress display, the final summary and --stats_json. A plain value type.
#ifndef AIO_CRAWLER_STATS_H_
#define AIO_CRAWLER_STATS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "loop/clock.h"

namespace aio::crawler {

struct CrawlStats {
  uint64_t pages = 0;      // URLs that got a final response (any status)
  uint64_t html_pages = 0;  // of which 2xx HTML (parsed for links, records)
  uint64_t records = 0;
  uint64_t requests = 0;   // every try sent, robots.txt included
  uint64_t retries = 0;    // tries beyond the first
  uint64_t robots_fetched = 0;
  uint64_t robots_disallowed = 0;  // URLs not requested because of robots.txt
  uint64_t redirects = 0;  // 3xx responses followed
  uint64_t bytes = 0;      // response bodies received (decoded)
  uint64_t links_off_scope = 0;  // links outside the crawl's origins/hosts
  uint64_t links_filtered = 0;   // dropped by --allow/--deny/length
  // Failed URLs by kind: "http_404", "timeout", "connection_reset",
  // "too_large", "too_many_redirects", "redirect_without_location", ...
  std::map<std::string, uint64_t> errors;
  size_t in_flight = 0;      // requests in flight now
  size_t max_in_flight = 0;  // the most at any instant
  uint64_t queued = 0;       // the frontier's queue now (left at the end)
  Duration elapsed{};
  bool interrupted = false;  // stopped by SIGINT / SIGTERM
  // Set while the shared state (the job's database) is unreachable and the
  // crawl waits for it: since when (wall clock).
  std::optional<std::chrono::system_clock::time_point> paused_since;

  uint64_t error_count() const;
  double pages_per_second() const;
};

// "412 pages, 400 records, 12 errors (http_404: 10, timeout: 2), 3.1 MiB,
//  153.2 pages/s, 2.69 s" (one line, no newline).
std::string summary_line(const CrawlStats& stats);
// The same as a JSON object (with every counter above).
std::string summary_json(const CrawlStats& stats);
// "1.5 KiB", "3.1 MiB".
std::string format_bytes(uint64_t bytes);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_STATS_H_
