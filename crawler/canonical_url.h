// aio::crawler canonical URLs: the one form of a URL that decides "seen" and
// is what the crawler requests.
//
// canonicalize() builds on //net's curl_url-based normalize_url (which
// validates and normalises scheme, host and port) and adds RFC 3986 5.2.4
// dot-segment removal and section 6.2.2 percent-encoding normalisation of
// the path and query as written:
//   - scheme and host lower-cased, the default port (80 / 443) dropped, an
//     empty path becomes "/", the fragment is dropped;
//   - dot segments removed (RFC 3986 5.2.4), in absolute URLs too, also when
//     they were written percent-encoded ("%2E%2E");
//   - percent-encoding: hex digits upper-cased ("%c3%bc" -> "%C3%BC"),
//     unreserved characters decoded ("%7Euser" -> "~user"), raw spaces,
//     control characters, non-ASCII bytes (UTF-8) and the characters RFC 3986
//     never allows (" < > \ ^ ` { | }) encoded;
//   - reserved characters left exactly as written: "%2F" is not "/", "+" is
//     not "%20", "&" and "=" keep their meaning, query order is kept; a '%'
//     not followed by two hex digits is kept as written (as browsers send it);
//   - a "?" with an empty query is dropped ("http://a/x?" -> "http://a/x");
//   - user information ("user:pass@") is kept as written.
// Input is cleaned as browsers do first (leading / trailing whitespace and
// C0 controls stripped, tabs and newlines removed, "\" read as "/" before the
// query). Hosts are not converted to punycode (non-ASCII hosts are kept as
// UTF-8).
//
// Only http:// and https:// URLs with a host are accepted; anything else is an
// absl::InvalidArgumentError naming the input.
//
// Plain functions of their arguments: safe from any thread, no loop needed.
#ifndef AIO_CRAWLER_CANONICAL_URL_H_
#define AIO_CRAWLER_CANONICAL_URL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace aio::crawler {

// The canonical form of the absolute http(s) URL `absolute_url` (see above).
// canonicalize(canonicalize(u)) == canonicalize(u).
absl::StatusOr<std::string> canonicalize(std::string_view absolute_url);

// Resolves `href` (as written in a page, e.g. "../a?b#c") against `base` the
// way urljoin does (RFC 3986 section 5; "http:g" against an http base is
// "g", as in WHATWG and Python), then canonicalises. Fails for a result that is not http(s) ("mailto:x",
// "javascript:..."), an unparsable href or a bad base.
absl::StatusOr<std::string> resolve_link(std::string_view base,
                                         std::string_view href);

// Resolves many hrefs against one page's base URL (resolve_link(base, href)
// is LinkResolver::create(base)->resolve(href)). The base is canonicalised
// once; relative references (paths, "?query", "#fragment", "") are merged
// with it by RFC 3986 5.2.2-5.2.4 on strings, and only hrefs with a scheme
// or an authority ("https://x/", "//x/") are parsed by libcurl. An
// immutable value; resolve() is safe from many threads.
class LinkResolver {
 public:
  // Fails when `base` is not a valid http(s) URL (canonicalize's errors).
  static absl::StatusOr<LinkResolver> create(std::string_view base);

  absl::StatusOr<std::string> resolve(std::string_view href) const;

  // The canonical base.
  const std::string& base() const { return base_; }

 private:
  LinkResolver() = default;
  // The length of the base's authority ("host:port").
  size_t authority_size() const;
  // Does the prepared reference "//authority..." name the base's authority?
  bool same_authority(std::string_view ref) const;
  // RFC 3986 5.2.2-5.2.4: a prepared path or query reference against the base.
  absl::StatusOr<std::string> join(std::string_view ref) const;
  // join() of what follows the base's own authority in an absolute URL.
  absl::StatusOr<std::string> join_path_absolute(std::string_view rest) const;

  std::string base_;
  size_t path_start_ = 0;   // index of the path's '/' in base_
  size_t query_start_ = 0;  // index of '?' in base_, or base_.size()
};

// RFC 3986 6.2.2.2 on a path or query (or a robots.txt pattern): "%xx"
// of an unreserved character decoded, other "%xx" upper-cased, bytes that may
// not appear raw in a URL (space, controls, non-ASCII, " < > \ ^ ` { | })
// encoded, everything else kept. Idempotent.
std::string normalize_percent_encoding(std::string_view path_or_query);

// The following take a URL in canonical form (canonicalize's output). On any
// other input they return their best effort (never crash), possibly "".

// "scheme://host[:port]", the same-origin key (no user information).
std::string origin(std::string_view canonical_url);

// The host: lower case, IPv6 literals in brackets ("[::1]"), no port.
std::string host_of(std::string_view canonical_url);

// "/path?query": what robots.txt rules are matched against and what goes in
// the request line.
std::string path_and_query(std::string_view canonical_url);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_CANONICAL_URL_H_
