#include "net/url.h"

#include <curl/curl.h>
#include <idn2.h>

#include <charconv>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "net/http_error.h"
#include "third_party/absl_compat.h"

namespace aio::http {
namespace {


struct CurluDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using CurluPtr = std::unique_ptr<CURLU, CurluDeleter>;

struct CurlStrDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using CurlStr = std::unique_ptr<char, CurlStrDeleter>;

// Flags for every curl_url_set: parse any scheme (so that we, not libcurl,
// decide what is supported and say so clearly) and percent-encode spaces and
// non-ASCII bytes instead of rejecting them.
constexpr unsigned kSetFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;

// WHATWG URL preprocessing: strip leading/trailing C0 controls and spaces,
// remove ASCII tab and newline anywhere.
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

// A NUL inside a URL would end it early for libcurl (which takes C
// strings): "http://a/before\0after" must not become a request for
// "/before".
absl::Status reject_nul(std::string_view s, std::string_view what) {
  if (s.find('\0') == std::string_view::npos) return absl::OkStatus();
  return make_error(ErrorKind::kInvalidUrl,
                    absl::StrCat("invalid ", to_absl(what),
                                 ": contains a NUL byte"));
}

// The scheme of `s` if it starts with one (RFC 3986: ALPHA *(ALPHA / DIGIT /
// "+" / "-" / ".") ":"), lower-cased; empty if it is a relative reference.
// Only used to report unsupported schemes by name, before libcurl parses.
std::string sniff_scheme(std::string_view s) {
  if (s.empty() || !absl::ascii_isalpha(static_cast<unsigned char>(s[0])))
    return {};
  for (size_t i = 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ':') return absl::AsciiStrToLower(to_absl(s.substr(0, i)));
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

bool is_http_scheme(std::string_view scheme) {
  return scheme == "http" || scheme == "https";
}

absl::Status unsupported_scheme(std::string_view scheme, std::string_view url) {
  return make_error(ErrorKind::kUnsupportedProtocol,
                    absl::StrCat("unsupported URL scheme '", to_absl(scheme),
                                 "' in '", to_absl(url), "' (only http and https)"));
}

absl::Status invalid(std::string_view what, std::string_view url,
                     CURLUcode rc) {
  return make_error(
      ErrorKind::kInvalidUrl,
      absl::StrCat(to_absl(what), " '", to_absl(url), "': ", curl_url_strerror(rc)));
}

std::string get_part(CURLU* h, CURLUPart part, unsigned flags = 0) {
  char* p = nullptr;
  if (curl_url_get(h, part, &p, flags) != CURLUE_OK || !p) return {};
  CurlStr owned(p);
  return std::string(p);
}

// Parses an absolute http(s) URL into a new handle.
absl::StatusOr<CurluPtr> parse_absolute(std::string_view text,
                                        std::string_view what) {
  std::string s = clean(text);
  if (s.empty())
    return make_error(ErrorKind::kInvalidUrl,
                      absl::StrCat(to_absl(what), " is empty"));
  if (absl::Status nul = reject_nul(s, what); !nul.ok()) return nul;
  std::string scheme = sniff_scheme(s);
  if (scheme.empty()) {
    return make_error(
        ErrorKind::kInvalidUrl,
        absl::StrCat(to_absl(what), " '", s,
                     "' has no scheme (expected http:// or https://)"));
  }
  if (!is_http_scheme(scheme)) return unsupported_scheme(scheme, s);
  CurluPtr h(curl_url());
  if (!h) return absl::ResourceExhaustedError("curl_url: out of memory");
  CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, s.c_str(), kSetFlags);
  if (rc != CURLUE_OK)
    return invalid(absl::StrCat("invalid ", to_absl(what)), s, rc);
  if (get_part(h.get(), CURLUPART_HOST).empty()) {
    return make_error(
        ErrorKind::kInvalidUrl,
        absl::StrCat("invalid ", to_absl(what), " '", s, "': no host"));
  }
  return h;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> idna_host(std::string_view host) {
  if (is_ascii(host)) return absl::AsciiStrToLower(to_absl(host));
  // HACK: libcurl 7.88's CURLU_PUNYCODE converts through libidn2's
  // idn2_lookup_ul, which reads the host in the process's locale: in the C
  // locale (a program that never calls setlocale) every non-ASCII host fails
  // as "A memory function failed". idn2_lookup_u8 takes UTF-8 whatever the
  // locale. Flags as libcurl's: UTS #46 non-transitional ("faß.de" stays
  // "xn--fa-hia.de", as in browsers), transitional when that disallows.
  // https://github.com/curl/curl/blob/curl-7_88_1/lib/idn.c
  std::string in(host);
  uint8_t* out = nullptr;
  int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(in.c_str()), &out,
                          IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc == IDN2_DISALLOWED) {
    idn2_free(out);
    out = nullptr;
    rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(in.c_str()), &out,
                        IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
  }
  if (rc != IDN2_OK || out == nullptr) {
    idn2_free(out);
    return make_error(
        ErrorKind::kInvalidUrl,
        absl::StrCat("host '", to_absl(host),
                     "' is not a valid international domain name (IDNA): ",
                     idn2_strerror(rc)));
  }
  std::string ace(reinterpret_cast<const char*>(out));
  idn2_free(out);
  return absl::AsciiStrToLower(ace);
}

namespace {

// Lower-cases the host (in its IDNA form, see url.h), drops the fragment;
// returns the URL text without the default port.
absl::StatusOr<std::string> normalized_text(CURLU* h, std::string_view what) {
  std::string host = get_part(h, CURLUPART_HOST);
  absl::StatusOr<std::string> ascii = idna_host(host);
  if (!ascii.ok()) {
    return make_error(ErrorKind::kInvalidUrl,
                      absl::StrCat("invalid ", to_absl(what), " '",
                                   get_part(h, CURLUPART_URL), "': ",
                                   ascii.status().message()));
  }
  if (*ascii != host) {
    CURLUcode rc = curl_url_set(h, CURLUPART_HOST, ascii->c_str(), 0);
    if (rc != CURLUE_OK) {
      return invalid(absl::StrCat("invalid ", to_absl(what)), *ascii, rc);
    }
  }
  curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);
  return get_part(h, CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
}

// Resolves `reference` against the parsed base `h` in place.
absl::Status resolve_in(CURLU* h, std::string_view base_text,
                        std::string_view reference) {
  std::string ref = clean(reference);
  if (absl::Status nul = reject_nul(ref, "URL reference"); !nul.ok())
    return nul;
  if (ref.empty()) {
    // RFC 3986 5.2.2: an empty reference is the base without its fragment.
    // (libcurl 7.88 would drop the last path segment and the query.)
    curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);
    return absl::OkStatus();
  }
  if (ref[0] == '#') {
    // A fragment-only reference keeps the base's path and query (RFC 3986
    // 5.4.1 "#s"); libcurl 7.88 drops the last segment and the query.
    std::string frag = ref.substr(1);
    CURLUcode rc =
        curl_url_set(h, CURLUPART_FRAGMENT,
                     frag.empty() ? nullptr : frag.c_str(), CURLU_URLENCODE);
    if (rc != CURLUE_OK) return invalid("invalid URL reference", ref, rc);
    return absl::OkStatus();
  }
  std::string scheme = sniff_scheme(ref);
  if (!scheme.empty()) {
    std::string base_scheme = get_part(h, CURLUPART_SCHEME);
    std::string_view rest = std::string_view(ref).substr(scheme.size() + 1);
    if (scheme == base_scheme && rest.substr(0, 2) != "//") {
      // "http:g" against an http base: the backward-compatible reading of
      // RFC 3986 5.4.2, which WHATWG and Python's urljoin use.
      ref = std::string(rest);
    } else if (!is_http_scheme(scheme)) {
      return unsupported_scheme(scheme, ref);
    }
  }
  CURLUcode rc = curl_url_set(h, CURLUPART_URL, ref.c_str(), kSetFlags);
  if (rc != CURLUE_OK) {
    return make_error(
        ErrorKind::kInvalidUrl,
        absl::StrCat("invalid URL reference '", ref, "' (base '", to_absl(base_text),
                     "'): ", curl_url_strerror(rc)));
  }
  std::string result_scheme = get_part(h, CURLUPART_SCHEME);
  if (!is_http_scheme(result_scheme))
    return unsupported_scheme(result_scheme, ref);
  if (get_part(h, CURLUPART_HOST).empty()) {
    return make_error(
        ErrorKind::kInvalidUrl,
        absl::StrCat("invalid URL reference '", ref, "': no host"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Url> from_handle(CURLU* h);

}  // namespace

absl::StatusOr<std::string> urljoin(std::string_view base,
                                    std::string_view reference) {
  auto h = parse_absolute(base, "base URL");
  if (!h.ok()) return h.status();
  absl::Status s = resolve_in(h->get(), base, reference);
  if (!s.ok()) return s;
  return get_part(h->get(), CURLUPART_URL);
}

absl::StatusOr<std::string> normalize_url(std::string_view url) {
  auto h = parse_absolute(url, "URL");
  if (!h.ok()) return h.status();
  return normalized_text(h->get(), "URL");
}

namespace {
absl::StatusOr<Url> from_handle(CURLU* h) {
  absl::StatusOr<std::string> text = normalized_text(h, "URL");
  if (!text.ok()) return text.status();
  return Url::parse(*text);
}
}  // namespace

absl::StatusOr<Url> Url::parse(std::string_view text) {
  auto h = parse_absolute(text, "URL");
  if (!h.ok()) return h.status();
  Url u;
  absl::StatusOr<std::string> normalized = normalized_text(h->get(), "URL");
  if (!normalized.ok()) return normalized.status();
  u.text_ = *std::move(normalized);
  u.scheme_ = get_part(h->get(), CURLUPART_SCHEME);
  u.host_ = get_part(h->get(), CURLUPART_HOST);
  u.path_ = get_part(h->get(), CURLUPART_PATH);
  // (push_back, not = "/": GCC 12 warns -Wrestrict on that assignment, a
  // false positive, GCC bug 105329)
  if (u.path_.empty()) u.path_.push_back('/');
  u.query_ = get_part(h->get(), CURLUPART_QUERY);
  std::string port = get_part(h->get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  unsigned value = 0;
  auto [ptr, ec] =
      std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || value > 65535) {
    return make_error(ErrorKind::kInvalidUrl,
                      absl::StrCat("invalid URL '", to_absl(text), "': bad port"));
  }
  u.port_ = static_cast<uint16_t>(value);
  return u;
}

absl::StatusOr<Url> Url::resolve(std::string_view reference) const {
  auto h = parse_absolute(text_, "URL");
  if (!h.ok()) return h.status();
  absl::Status s = resolve_in(h->get(), text_, reference);
  if (!s.ok()) return s;
  return from_handle(h->get());
}

std::string Url::authority() const {
  bool default_port = (scheme_ == "http" && port_ == 80) ||
                      (scheme_ == "https" && port_ == 443);
  return default_port ? host_ : absl::StrCat(host_, ":", port_);
}

}  // namespace aio::http
