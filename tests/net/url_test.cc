// Tests of aio::http::urljoin / normalize_url / Url (net/url.h).
#include "net/url.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "net/http_error.h"

namespace aio::http {
namespace {

constexpr const char* kBase = "http://a/b/c/d;p?q";

std::string join(const char* ref) {
  absl::StatusOr<std::string> r = urljoin(kBase, ref);
  return r.ok() ? *r : "ERROR: " + std::string(r.status().message());
}

// RFC 3986 section 5.4.1, "Normal Examples". libcurl writes "//g" as
// "http://g/" (an empty path and "/" are equivalent for http, RFC 3986
// 6.2.3); every other result is the RFC's, character for character.
TEST(UrlJoinTest, Rfc3986NormalExamples) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const auto& [ref, want] : cases)
    EXPECT_EQ(join(ref), want) << "reference: " << ref;
}

// RFC 3986 section 5.4.2, "Abnormal Examples".
TEST(UrlJoinTest, Rfc3986AbnormalExamples) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      // The RFC allows both readings; we take the backward-compatible one
      // (as WHATWG and Python's urljoin do), not the strict "http:g".
      {"http:g", "http://a/b/c/g"},
  };
  for (const auto& [ref, want] : cases)
    EXPECT_EQ(join(ref), want) << "reference: " << ref;
}

// The RFC's very first example resolves to "g:h", which is not http(s): a
// crawler must never get such a link back as a fetchable URL.
TEST(UrlJoinTest, RejectsReferencesThatLeaveHttp) {
  for (const char* ref :
       {"g:h", "mailto:someone@example.com", "javascript:alert(1)",
        "ftp://example.com/file", "file:///etc/passwd", "data:text/plain,x"}) {
    absl::StatusOr<std::string> r = urljoin(kBase, ref);
    ASSERT_FALSE(r.ok()) << ref << " gave " << *r;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(error_kind(r.status()), ErrorKind::kUnsupportedProtocol)
        << r.status();
    EXPECT_NE(r.status().message().find("only http and https"),
              absl::string_view::npos);
  }
}

TEST(UrlJoinTest, AbsoluteReferencesReplaceTheBase) {
  EXPECT_EQ(*urljoin(kBase, "https://other.example/x?y"),
            "https://other.example/x?y");
  EXPECT_EQ(*urljoin("https://a/b", "//cdn.example/lib.js"),
            "https://cdn.example/lib.js");
}

TEST(UrlJoinTest, CleansWhitespaceLikeBrowsers) {
  EXPECT_EQ(*urljoin(kBase, "  g \n"), "http://a/b/c/g");
  EXPECT_EQ(*urljoin(kBase, "g\th"), "http://a/b/c/gh");
  EXPECT_EQ(*urljoin(kBase, "a b"), "http://a/b/c/a%20b");
}

TEST(UrlJoinTest, BadBaseIsAnError) {
  absl::StatusOr<std::string> r = urljoin("not a url", "g");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kInvalidUrl);
  r = urljoin("ftp://a/b", "g");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kUnsupportedProtocol);
}

TEST(NormalizeUrlTest, LowercasesDropsDefaultPortAndFragment) {
  EXPECT_EQ(*normalize_url("HTTP://Example.COM:80/a/../b#frag"),
            "http://example.com/b");
  EXPECT_EQ(*normalize_url("https://Example.com:443"), "https://example.com/");
  EXPECT_EQ(*normalize_url("http://example.com:8080/x?q=1#f"),
            "http://example.com:8080/x?q=1");
  EXPECT_EQ(*normalize_url("http://[::1]:80/x"), "http://[::1]/x");
  EXPECT_EQ(*normalize_url("http://example.com/a b"),
            "http://example.com/a%20b");
  // Percent-encoding is kept as written (only the host is case-folded).
  EXPECT_EQ(*normalize_url("http://example.com/%7E/A"),
            "http://example.com/%7E/A");
}

TEST(NormalizeUrlTest, EquivalentSpellingsNormaliseToOneString) {
  std::string a = *normalize_url("http://EXAMPLE.com:80/x/./y/../z#top");
  std::string b = *normalize_url("http://example.com/x/z");
  EXPECT_EQ(a, b);
}

TEST(NormalizeUrlTest, RejectsInvalidInputClearly) {
  struct Case {
    const char* url;
    ErrorKind kind;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"", ErrorKind::kInvalidUrl, "empty"},
      {"example.com/path", ErrorKind::kInvalidUrl, "no scheme"},
      {"ftp://example.com/", ErrorKind::kUnsupportedProtocol, "'ftp'"},
      {"file:///etc/passwd", ErrorKind::kUnsupportedProtocol, "'file'"},
      {"gopher://example.com/", ErrorKind::kUnsupportedProtocol, "'gopher'"},
      {"http://exa mple.com/", ErrorKind::kInvalidUrl, "invalid URL"},
      {"http://example.com:99999/", ErrorKind::kInvalidUrl, "Port number"},
      {"http://", ErrorKind::kInvalidUrl, "invalid URL"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<std::string> r = normalize_url(c.url);
    ASSERT_FALSE(r.ok()) << c.url << " gave " << *r;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.url;
    EXPECT_EQ(error_kind(r.status()), c.kind) << c.url << ": " << r.status();
    EXPECT_NE(r.status().message().find(c.says), absl::string_view::npos)
        << c.url << ": " << r.status();
  }
}

TEST(IdnaHostTest, NonAsciiHostsGetTheirPunycodeForm) {
  EXPECT_EQ(*idna_host("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(*idna_host("BÜCHER.Example"), "xn--bcher-kva.example");
  // Non-transitional UTS #46, as browsers: ß stays (not "ss").
  EXPECT_EQ(*idna_host("faß.de"), "xn--fa-hia.de");
  // Mapped: fullwidth letters are ASCII letters.
  EXPECT_EQ(*idna_host("\xEF\xBD\x85\xEF\xBD\x98.com"), "ex.com");
  EXPECT_EQ(*idna_host("\xE2\x98\x83.net"), "xn--n3h.net");  // snowman
  // ASCII hosts are only lower-cased (punycode is not re-validated).
  EXPECT_EQ(*idna_host("Xn--Bcher-Kva.Example"), "xn--bcher-kva.example");
  EXPECT_EQ(*idna_host("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(*idna_host(""), "");
}

TEST(IdnaHostTest, InvalidInternationalHostsAreClearErrors) {
  for (std::string host :
       {std::string("a\xEF\xBF\xBD" "b.example"),   // U+FFFD: disallowed
        std::string("x\xE2\x80\xAEy.example"),      // a bidi override
        std::string("a\xFF" "b.example"),            // not UTF-8
        std::string("\xD8\xA7" "a.com"),             // bidi rule
        [] {                                          // label too long
          std::string s;
          for (int i = 0; i < 70; ++i) s += "\xC3\xBC";
          return s + ".example";
        }()}) {
    absl::StatusOr<std::string> r = idna_host(host);
    ASSERT_FALSE(r.ok()) << host << " gave " << *r;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(error_kind(r.status()), ErrorKind::kInvalidUrl);
    EXPECT_NE(r.status().message().find("not a valid international domain name"),
              absl::string_view::npos)
        << r.status();
    EXPECT_NE(r.status().message().find(host), absl::string_view::npos)
        << r.status();
  }
}

// One URL, whichever way its host is spelled: raw UTF-8, percent-encoded
// UTF-8, upper case, or punycode.
TEST(NormalizeUrlTest, InternationalHostsAreInTheirIdnaForm) {
  const std::string want = "http://xn--bcher-kva.example/a?q=1";
  for (const char* url :
       {"http://bücher.example/a?q=1", "HTTP://BÜCHER.example:80/a?q=1#f",
        "http://b%C3%BCcher.example/a?q=1", "http://b%c3%bccher.example/a?q=1",
        "http://xn--bcher-kva.example/a?q=1"}) {
    absl::StatusOr<std::string> n = normalize_url(url);
    ASSERT_TRUE(n.ok()) << url << ": " << n.status();
    EXPECT_EQ(*n, want) << url;
  }
  absl::StatusOr<Url> u = Url::parse("https://Bücher.example:8443/");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host(), "xn--bcher-kva.example");
  EXPECT_EQ(u->authority(), "xn--bcher-kva.example:8443");
  EXPECT_EQ(u->str(), "https://xn--bcher-kva.example:8443/");
  Url base = *Url::parse("http://example.com/");
  EXPECT_EQ(base.resolve("//münchen.de/x")->str(), "http://xn--mnchen-3ya.de/x");
}

TEST(NormalizeUrlTest, InvalidInternationalHostNamesTheUrlAndTheReason) {
  absl::StatusOr<std::string> r =
      normalize_url("http://x\xE2\x80\xAEy.example/path");
  ASSERT_FALSE(r.ok()) << *r;
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kInvalidUrl);
  EXPECT_NE(r.status().message().find("invalid URL 'http://x"),
            absl::string_view::npos)
      << r.status();
  EXPECT_NE(r.status().message().find("disallowed character"),
            absl::string_view::npos)
      << r.status();
  EXPECT_FALSE(Url::parse("http://a\xEF\xBF\xBD" "b.example/").ok());
}

TEST(UrlTest, ExposesNormalisedParts) {
  absl::StatusOr<Url> u =
      Url::parse("HTTPS://Docs.Example.ORG:8443/a/./b?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->str(), "https://docs.example.org:8443/a/b?x=1");
  EXPECT_EQ(u->scheme(), "https");
  EXPECT_EQ(u->host(), "docs.example.org");
  EXPECT_EQ(u->port(), 8443);
  EXPECT_EQ(u->path(), "/a/b");
  EXPECT_EQ(u->query(), "x=1");
  EXPECT_EQ(u->authority(), "docs.example.org:8443");

  absl::StatusOr<Url> plain = Url::parse("http://example.com");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port(), 80);
  EXPECT_EQ(plain->path(), "/");
  EXPECT_EQ(plain->authority(), "example.com");
}

TEST(UrlTest, ResolveReturnsNormalisedUrls) {
  Url base = *Url::parse("http://example.com/dir/page.html");
  EXPECT_EQ(base.resolve("../other.html#x")->str(),
            "http://example.com/other.html");
  EXPECT_EQ(base.resolve("HTTP://Other.Example:80/")->str(),
            "http://other.example/");
  EXPECT_FALSE(base.resolve("mailto:x@y").ok());
  EXPECT_EQ(*Url::parse("http://a.com/x"), *Url::parse("HTTP://A.COM:80/x#y"));
}

}  // namespace
}  // namespace aio::http
