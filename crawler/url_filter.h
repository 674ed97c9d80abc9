// aio::crawler::UrlFilter: the --allow / --deny regular expressions (the
// tutorial's filter_link), in RE2 syntax, so matching is linear in the URL's
// length whatever the pattern (no catastrophic backtracking on hostile URLs).
//
// A URL is accepted when it matches at least one allow pattern (or there are
// none) and no deny pattern. Patterns are matched against the canonical URL
// (crawler/canonical_url.h: "https://example.com/a/b?x=1", scheme and host
// lower case, no fragment) and match anywhere in it (RE2::PartialMatch):
// anchor with ^ and $ to match all of it.
//
// Immutable after create(); accepts() is safe from many threads at once (RE2
// objects are thread-safe for matching).
#ifndef AIO_CRAWLER_URL_FILTER_H_
#define AIO_CRAWLER_URL_FILTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace aio::crawler {

class UrlFilter {
 public:
  // Compiles the patterns. A bad one is an absl::InvalidArgumentError naming
  // the flag, the pattern and RE2's reason, e.g.
  //   invalid --allow pattern '(a': missing ): (a
  static absl::StatusOr<UrlFilter> create(std::vector<std::string> allow,
                                          std::vector<std::string> deny);

  // An empty filter: accepts everything.
  UrlFilter();
  UrlFilter(UrlFilter&&) noexcept;
  UrlFilter& operator=(UrlFilter&&) noexcept;
  ~UrlFilter();

  bool accepts(std::string_view canonical_url) const;

 private:
  std::vector<std::unique_ptr<re2::RE2>> allow_;
  std::vector<std::unique_ptr<re2::RE2>> deny_;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_URL_FILTER_H_
