// aio::crawler::Robots: robots.txt as RFC 9309 (the Robots Exclusion
// Protocol) says a crawler reads it.
//
// Parsing (Robots::parse):
//   - lines end at LF, CR or CRLF; "#" starts a comment; a UTF-8 BOM is
//     skipped; keys are case-insensitive ("User-agent", "Allow",
//     "Disallow", "Crawl-delay"; "Sitemap" and unknown keys are ignored);
//     lines without ':' are ignored; rules before any User-agent line are
//     ignored;
//   - a group is one or more User-agent lines followed by rules; a
//     User-agent line after a rule starts a new group;
//   - only the first kMaxBytes (512 KiB; RFC 9309 asks for at least 500 KiB)
//     are read; a line cut at that point is dropped.
// Group choice: the product token of `user_agent` (its leading run of
// letters, '-' and '_': "aio-crawler" for "aio-crawler/1.0 (+url)") is
// compared case-insensitively with each User-agent line's token. Every group
// naming it applies (RFC 9309: matching groups are combined); only when none
// does, every "*" group applies; when neither exists, everything is allowed.
// Another agent's group never applies.
// Matching (Robots::allowed): the rule whose path pattern matches the
// longest (in octets) decides; on a tie Allow wins; no matching rule means
// allowed. Patterns match from the start of the path; '*' matches any
// sequence and a '$' at the end anchors. Paths and patterns are compared
// after crawler/canonical_url.h's normalize_percent_encoding (unreserved
// characters decoded, hex upper-cased, non-ASCII as UTF-8 %XX), so "/%7Ea"
// and "/~a" are the same path and "/%2F" is not "//". An empty Disallow
// allows everything; "/robots.txt" itself is always allowed.
// Crawl-delay (seconds, fractions allowed) of the chosen group(s), the first
// valid one; negative, NaN or unparsable values are ignored and values above
// kMaxCrawlDelay are capped to it.
//
// Robots is an immutable value; all members are safe from any thread.
#ifndef AIO_CRAWLER_ROBOTS_H_
#define AIO_CRAWLER_ROBOTS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loop/clock.h"

namespace aio::crawler {

class Robots {
 public:
  static constexpr size_t kMaxBytes = 512 * 1024;
  static constexpr Duration kMaxCrawlDelay = std::chrono::hours(1);

  // The rules of `body` that apply to `user_agent` (see above).
  static Robots parse(std::string_view body, std::string_view user_agent);
  static Robots allow_all();
  static Robots disallow_all();

  // May `path_and_query` ("/a/b?c", as crawler::path_and_query returns; an
  // empty path means "/") be fetched?
  bool allowed(std::string_view path_and_query) const;

  std::optional<Duration> crawl_delay() const { return crawl_delay_; }

  // The number of rules that apply (for tests and logs).
  size_t rule_count() const { return rules_.size(); }

 private:
  struct Rule {
    std::string pattern;  // normalised; without a trailing '$'
    bool anchored = false;
    bool allow = false;
    size_t length = 0;  // specificity: the pattern's length as written
  };
  Robots() = default;
  std::vector<Rule> rules_;
  std::optional<Duration> crawl_delay_;
  bool disallow_all_ = false;
};

// The product token of a User-Agent value ("aio-crawler/0.1 (...)" ->
// "aio-crawler"); "" if it does not start with one.
std::string product_token(std::string_view user_agent);

// What a robots.txt response means (RFC 9309 section 2.3.1).
enum class RobotsVerdict {
  kParse,           // 2xx: parse the body
  kAllowAll,        // 4xx (but 429), or 3xx left over after redirects:
                    // "unavailable", crawl without restrictions
  kDisallowForNow,  // 5xx, 429, or no response at all (status <= 0 or
                    // not a valid HTTP status): "unreachable", crawl
                    // nothing on the origin and ask again later
};

// The verdict for the final HTTP status of the robots.txt request; pass 0
// when the request failed (DNS, connect, timeout).
RobotsVerdict robots_for_status(int http_status);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_ROBOTS_H_
