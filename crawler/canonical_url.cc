#include "crawler/canonical_url.h"

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "net/url.h"

namespace aio::crawler {
namespace {

bool is_hex(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// Bytes that RFC 3986 never allows raw in a URL (besides '%' and '#', which
// callers deal with).
bool must_encode(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return true;
  switch (c) {
    case '"':
    case '<':
    case '>':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return true;
    default:
      return false;
  }
}

void append_encoded(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 15]);
}

// WHATWG URL preprocessing: strip leading/trailing C0 controls and spaces,
// remove tabs and newlines anywhere.
std::string clean(std::string_view in) {
  size_t b = 0, e = in.size();
  while (b < e && static_cast<unsigned char>(in[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(in[e - 1]) <= 0x20) --e;
  std::string out;
  out.reserve(e - b);
  for (size_t i = b; i < e; ++i) {
    if (in[i] != '\t' && in[i] != '\n' && in[i] != '\r') out.push_back(in[i]);
  }
  return out;
}

// Does `s` start with an http or https scheme ("HTTP:" too)? Returns the
// length of "scheme:" or 0.
size_t http_scheme_length(std::string_view s) {
  auto starts = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      char c = s[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != p[i]) return false;
    }
    return true;
  };
  if (starts("http:")) return 5;
  if (starts("https:")) return 6;
  return 0;
}

// Does `s` start with some other scheme ("mailto:", "javascript:")?
bool has_other_scheme(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return false;
  for (size_t i = 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ':') return http_scheme_length(s) == 0;
    if (!is_unreserved(c) && c != '+') return false;
    if (c == '~' || c == '_') return false;
  }
  return false;
}

// Prepares a cleaned URL or reference for curl: drops the fragment, reads
// "\" as "/" before the query (WHATWG, for http(s)), and percent-encodes the
// bytes curl would otherwise pass through or encode differently (curl turns a
// space in the query into '+', which is not what a browser sends). The
// authority (after "//") is left to curl.
std::string prepare(std::string_view s) {
  if (has_other_scheme(s)) return std::string(s);  // rejected later, by name
  std::string out;
  out.reserve(s.size() + 16);
  size_t i = http_scheme_length(s);
  out.append(s.substr(0, i));
  // The authority, when the reference has one ("//host", "\\host", "/\host").
  if (i + 1 < s.size() && (s[i] == '/' || s[i] == '\\') &&
      (s[i + 1] == '/' || s[i + 1] == '\\')) {
    out.append("//");
    i += 2;
    while (i < s.size() && s[i] != '/' && s[i] != '\\' && s[i] != '?' &&
           s[i] != '#') {
      out.push_back(s[i++]);
    }
  }
  bool in_query = false;
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '#') break;
    if (c == '?') in_query = true;
    if (c == '\\' && !in_query) {
      out.push_back('/');
    } else if (must_encode(c)) {
      append_encoded(out, c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../" || in == "/..") {
      if (in == "/..") {
        in = "/";
      } else {
        in.remove_prefix(3);
      }
      size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

// Splits a URL as produced by normalize_url: "scheme://authority" + rest.
struct Parts {
  std::string_view prefix;  // "scheme://[userinfo@]host[:port]"
  std::string_view path;    // "/..."
  std::string_view query;   // "?..." or ""
};

Parts split(std::string_view url) {
  Parts p;
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t path = url.find_first_of("/?#", start);
  if (path == std::string_view::npos) path = url.size();
  p.prefix = url.substr(0, path);
  std::string_view rest = url.substr(path);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t q = rest.find('?');
  if (q == std::string_view::npos) q = rest.size();
  p.path = rest.substr(0, q);
  p.query = rest.substr(q);
  return p;
}

// The path and query of a prepared absolute URL ("scheme://authority..."),
// as written: libcurl validates and normalises the scheme and authority, but
// its dot-segment removal differs from RFC 3986 5.2.4 on empty segments
// ("/a/..//b" is "//b", curl says "/b"), so the path is taken from here.
// False when there is no "//authority" (curl decides those, e.g. "http:x").
bool split_prepared(std::string_view s, std::string_view& path,
                    std::string_view& query) {
  size_t scheme = http_scheme_length(s);
  if (scheme == 0 || s.compare(scheme, 2, "//") != 0) return false;
  size_t start = scheme + 2;
  size_t end = s.find_first_of("/?", start);
  if (end == start) return false;
  if (end == std::string_view::npos) {
    path = {};
    query = {};
    return true;
  }
  size_t q = s.find('?', end);
  path = s.substr(end, q == std::string_view::npos ? q : q - end);
  query = q == std::string_view::npos ? std::string_view() : s.substr(q);
  return true;
}

std::string canonical_path(std::string_view path) {
  std::string out =
      remove_dot_segments(normalize_percent_encoding(remove_dot_segments(path)));
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  return out;
}

absl::StatusOr<std::string> canonical_from_normalized(
    std::string_view url, std::string_view prepared) {
  Parts p = split(url);
  std::string_view own_path, own_query;
  if (split_prepared(prepared, own_path, own_query)) {
    p.path = own_path;
    p.query = own_query;
  }
  std::string out(p.prefix);
  std::string path = canonical_path(p.path);
  out += path;
  if (p.query.size() > 1) out += normalize_percent_encoding(p.query);
  return out;
}

// A valid RFC 3986 scheme followed by ':' at the start of `s`: its length
// (without ':'), or 0.
size_t scheme_length(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return i;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return 0;
  }
  return 0;
}

}  // namespace

std::string normalize_percent_encoding(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() &&
        is_hex(static_cast<unsigned char>(s[i + 1])) &&
        is_hex(static_cast<unsigned char>(s[i + 2]))) {
      unsigned char v = static_cast<unsigned char>(
          hex_value(static_cast<unsigned char>(s[i + 1])) * 16 +
          hex_value(static_cast<unsigned char>(s[i + 2])));
      if (is_unreserved(v)) {
        out.push_back(static_cast<char>(v));
      } else {
        append_encoded(out, v);
      }
      i += 2;
    } else if (must_encode(c)) {
      append_encoded(out, c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

absl::StatusOr<std::string> canonicalize(std::string_view absolute_url) {
  std::string prepared = prepare(clean(absolute_url));
  absl::StatusOr<std::string> normalized = http::normalize_url(prepared);
  if (!normalized.ok()) return normalized.status();
  return canonical_from_normalized(*normalized, prepared);
}

absl::StatusOr<std::string> resolve_link(std::string_view base,
                                         std::string_view href) {
  absl::StatusOr<LinkResolver> r = LinkResolver::create(base);
  if (!r.ok()) return r.status();
  return r->resolve(href);
}

absl::StatusOr<LinkResolver> LinkResolver::create(std::string_view base) {
  absl::StatusOr<std::string> canonical = canonicalize(base);
  if (!canonical.ok()) return canonical.status();
  LinkResolver r;
  r.base_ = *std::move(canonical);
  size_t authority = r.base_.find("://") + 3;
  r.path_start_ = r.base_.find('/', authority);
  r.query_start_ = r.base_.find('?', r.path_start_);
  if (r.query_start_ == std::string::npos) r.query_start_ = r.base_.size();
  return r;
}

absl::StatusOr<std::string> LinkResolver::resolve(std::string_view href) const {
  std::string ref = prepare(clean(href));
  std::string_view base(base_);
  std::string_view base_scheme = base.substr(0, base.find(':'));
  if (size_t n = scheme_length(ref); n > 0) {
    std::string scheme = ref.substr(0, n);
    for (char& c : scheme) c = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
    std::string_view rest = std::string_view(ref).substr(n + 1);
    if (scheme != "http" && scheme != "https") {
      // Not followed; //net's urljoin words the error (kUnsupportedProtocol).
      absl::StatusOr<std::string> e = http::urljoin(base_, ref);
      if (e.ok()) return absl::InvalidArgumentError("unsupported URL: " + ref);
      return e.status();
    }
    if (scheme == base_scheme && rest.substr(0, 2) != "//") {
      // "http:g" against an http base is "g" (RFC 3986 5.4.2's
      // backward-compatible reading, as WHATWG and Python do).
      ref = std::string(rest);
    } else if (scheme == base_scheme && same_authority(rest)) {
      // "http://<the base's own authority>/x": the path-absolute reference
      // "/x" (no need to have libcurl parse an authority already canonical).
      return join_path_absolute(rest.substr(2 + authority_size()));
    } else {
      return canonicalize(ref);
    }
  } else if (ref.compare(0, 2, "//") == 0) {
    // A network-path reference: the base's scheme, the reference's authority.
    if (same_authority(ref)) {
      return join_path_absolute(std::string_view(ref).substr(2 + authority_size()));
    }
    return canonicalize(std::string(base_scheme) + ":" + ref);
  }
  return join(ref);
}

size_t LinkResolver::authority_size() const {
  return path_start_ - (base_.find("://") + 3);
}

bool LinkResolver::same_authority(std::string_view ref) const {
  // `ref` is "//authority..." as prepare() left it: the authority ends at
  // '/', '?' or the end; a byte-for-byte match with the canonical base's
  // authority (lower case, no default port) is that authority.
  size_t n = authority_size();
  std::string_view authority =
      std::string_view(base_).substr(path_start_ - n, n);
  if (ref.size() < 2 + n || ref.compare(0, 2, "//") != 0 ||
      ref.compare(2, n, authority) != 0) {
    return false;
  }
  return ref.size() == 2 + n || ref[2 + n] == '/' || ref[2 + n] == '?';
}

absl::StatusOr<std::string> LinkResolver::join_path_absolute(
    std::string_view rest) const {
  // What follows the authority: "" or "?q" are the path "/" (as libcurl and
  // canonicalize read "http://host" and "http://host?q").
  if (rest.empty() || rest[0] == '?') return join("/" + std::string(rest));
  return join(rest);
}

absl::StatusOr<std::string> LinkResolver::join(std::string_view ref) const {
  std::string_view base(base_);
  // RFC 3986 5.2.2 for a path or query reference.
  std::string_view base_path =
      base.substr(path_start_, query_start_ - path_start_);
  std::string_view ref_view(ref);
  size_t q = ref_view.find('?');
  std::string_view ref_path = ref_view.substr(0, q);
  std::string_view ref_query =
      q == std::string_view::npos ? std::string_view() : ref_view.substr(q);
  std::string merged;
  // RFC 3986 5.2.2 (the base always has an authority and a path).
  if (ref_view.empty()) {
    return base_;
  } else if (ref_path.empty()) {
    merged = base_path;
  } else if (ref_path[0] == '/') {
    merged = ref_path;
  } else {
    merged = base_path.substr(0, base_path.rfind('/') + 1);  // 5.2.3
    merged += ref_path;
  }
  std::string out(base.substr(0, path_start_));
  out += canonical_path(merged);
  if (ref_query.size() > 1) out += normalize_percent_encoding(ref_query);
  return out;
}

std::string origin(std::string_view canonical_url) {
  size_t start = canonical_url.find("://");
  if (start == std::string_view::npos) return {};
  size_t end = canonical_url.find_first_of("/?#", start + 3);
  if (end == std::string_view::npos) end = canonical_url.size();
  std::string_view authority = canonical_url.substr(start + 3, end - start - 3);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  return std::string(canonical_url.substr(0, start + 3)) + std::string(authority);
}

std::string host_of(std::string_view canonical_url) {
  std::string o = origin(canonical_url);
  size_t start = o.find("://");
  if (start == std::string::npos) return {};
  std::string_view hostport = std::string_view(o).substr(start + 3);
  if (!hostport.empty() && hostport[0] == '[') {
    size_t close = hostport.find(']');
    return std::string(close == std::string_view::npos
                           ? hostport
                           : hostport.substr(0, close + 1));
  }
  size_t colon = hostport.rfind(':');
  return std::string(hostport.substr(0, colon));
}

std::string path_and_query(std::string_view canonical_url) {
  size_t start = canonical_url.find("://");
  if (start == std::string_view::npos) return {};
  size_t path = canonical_url.find_first_of("/?#", start + 3);
  if (path == std::string_view::npos) return "/";
  std::string_view rest = canonical_url.substr(path);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (rest.empty() || rest[0] != '/') return "/" + std::string(rest);
  return std::string(rest);
}

}  // namespace aio::crawler
