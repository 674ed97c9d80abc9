// aio::http::Url, urljoin and normalize_url: http(s) URLs through libcurl's
// URL API (curl_url), the C++ counterpart of Python's urllib.parse.urljoin.
//
// Only absolute http:// and https:// URLs with a host are valid; anything
// else (mailto:, javascript:, ftp://, file://, a missing host, a bad port) is
// an absl::InvalidArgumentError naming the input and the reason, never a
// crash. Input is first cleaned as browsers do (WHATWG URL standard): leading
// and trailing whitespace and control characters are stripped and tabs and
// newlines inside are removed; spaces and non-ASCII bytes are percent-encoded.
//
// Plain functions of their arguments: safe from any thread, no loop needed.
#ifndef AIO_NET_URL_H_
#define AIO_NET_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace aio::http {

// Resolves `reference` against the absolute http(s) URL `base` (RFC 3986
// section 5: relative paths, "../", "?query", "#fragment", "//host/...",
// absolute URLs). The fragment is kept, as RFC 3986 and Python's urljoin do;
// dot segments are removed. "http:g" with the base's own scheme resolves as
// "g" (the WHATWG / Python compatibility rule, RFC 3986 section 5.4.2).
// The result must again be an http(s) URL: urljoin(base, "mailto:x") fails.
absl::StatusOr<std::string> urljoin(std::string_view base,
                                    std::string_view reference);

// The canonical form of an absolute http(s) URL, for comparing and
// de-duplicating: scheme and host lower-cased, default port (80 / 443)
// dropped, fragment dropped, dot segments removed, empty path becomes "/".
// A host with non-ASCII characters (raw UTF-8 or percent-encoded) is given
// in its IDNA form (idna_host): "http://Bücher.example/" is
// "http://xn--bcher-kva.example/", one URL with its punycode spelling.
// Percent-encoding is kept as written (except that spaces and non-ASCII
// bytes get encoded).
absl::StatusOr<std::string> normalize_url(std::string_view url);

// The ASCII (IDNA, "xn--") form of a host name, lower case, as browsers
// send it: UTS #46 processing of the UTF-8 `host` (mapping, NFC,
// non-transitional: "Bücher.example" -> "xn--bcher-kva.example",
// "faß.de" -> "xn--fa-hia.de", fullwidth letters -> ASCII) through
// libidn2. An ASCII host is only lower-cased. A host that is not a valid
// internationalised domain name (disallowed characters, invalid UTF-8, a
// label too long) is an InvalidArgumentError naming it and libidn2's reason.
absl::StatusOr<std::string> idna_host(std::string_view host);

// A parsed, normalised absolute http(s) URL. Immutable value type.
class Url {
 public:
  // Parses and normalises `text` (see normalize_url).
  static absl::StatusOr<Url> parse(std::string_view text);

  // urljoin(*this, reference), normalised.
  absl::StatusOr<Url> resolve(std::string_view reference) const;

  // The normalised URL text.
  const std::string& str() const { return text_; }
  const std::string& scheme() const { return scheme_; }  // "http" or "https"
  const std::string& host() const { return host_; }  // lower case; IPv6 in []
  uint16_t port() const { return port_; }  // effective: 80 / 443 if absent
  const std::string& path() const { return path_; }  // at least "/"
  const std::string& query() const {
    return query_;
  }  // without '?'; may be empty
  // host, plus ":port" when the port is not the scheme's default.
  std::string authority() const;

  friend bool operator==(const Url& a, const Url& b) {
    return a.text_ == b.text_;
  }

 private:
  Url() = default;
  std::string text_;
  std::string scheme_;
  std::string host_;
  std::string path_;
  std::string query_;
  uint16_t port_ = 0;
};

}  // namespace aio::http

#endif  // AIO_NET_URL_H_
