#include "crawler/canonical_url.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/url.h"

namespace aio::crawler {
namespace {

std::string canon(std::string_view url) {
  absl::StatusOr<std::string> c = canonicalize(url);
  EXPECT_TRUE(c.ok()) << url << ": " << c.status();
  return c.ok() ? *c : std::string("<error>");
}

std::string join(std::string_view base, std::string_view href) {
  absl::StatusOr<std::string> c = resolve_link(base, href);
  EXPECT_TRUE(c.ok()) << base << " + " << href << ": " << c.status();
  return c.ok() ? *c : std::string("<error>");
}

constexpr std::string_view kBase = "http://a/b/c/d;p?q";

// RFC 3986 section 5.4.1 (normal examples), fragments dropped.
TEST(ResolveLinkTest, Rfc3986NormalExamples) {
  struct {
    const char* ref;
    const char* want;
  } cases[] = {
      {"g", "http://a/b/c/g"},          {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},        {"/g", "http://a/g"},
      {"//g", "http://g/"},             {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},        {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},        {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y"}, {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},           {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},            {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},         {"../..", "http://a/"},
      {"../../", "http://a/"},          {"../../g", "http://a/g"},
  };
  for (const auto& c : cases) EXPECT_EQ(join(kBase, c.ref), c.want) << c.ref;
}

// RFC 3986 section 5.4.2 (abnormal examples).
TEST(ResolveLinkTest, Rfc3986AbnormalExamples) {
  struct {
    const char* ref;
    const char* want;
  } cases[] = {
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
      {"g#s/./x", "http://a/b/c/g"},
      {"g#s/../x", "http://a/b/c/g"},
      {"http:g", "http://a/b/c/g"},
  };
  for (const auto& c : cases) EXPECT_EQ(join(kBase, c.ref), c.want) << c.ref;
}

TEST(ResolveLinkTest, NonHttpSchemesAreErrors) {
  for (const char* ref :
       {"g:h", "mailto:a@b.c", "javascript:alert(1)", "JavaScript:void(0)",
        "tel:+123", "data:text/html,hi", "file:///etc/passwd", "ftp://a/b"}) {
    absl::StatusOr<std::string> r = resolve_link(kBase, ref);
    EXPECT_FALSE(r.ok()) << ref << " -> " << *r;
  }
}

TEST(ResolveLinkTest, BadBaseIsAnError) {
  EXPECT_FALSE(resolve_link("", "g").ok());
  EXPECT_FALSE(resolve_link("not a url", "g").ok());
  EXPECT_FALSE(resolve_link("mailto:x@y", "g").ok());
}

TEST(ResolveLinkTest, HrefWhitespaceIsStrippedAndTabsRemoved) {
  EXPECT_EQ(join(kBase, "  \n g \t "), "http://a/b/c/g");
  EXPECT_EQ(join(kBase, "g\n/h\t/i"), "http://a/b/c/g/h/i");
}

TEST(ResolveLinkTest, BackslashesBeforeTheQueryAreSlashes) {
  EXPECT_EQ(join(kBase, "\\\\other\\x\\y?a\\b"), "http://other/x/y?a%5Cb");
  EXPECT_EQ(join(kBase, "..\\g"), "http://a/b/g");
}

TEST(ResolveLinkTest, SchemeRelativeAndAbsolute) {
  EXPECT_EQ(join("https://a/b", "//Other.Example:443/x"),
            "https://other.example/x");
  EXPECT_EQ(join("https://a/b", "HTTP://B/y"), "http://b/y");
}

TEST(ResolveLinkTest, ResultIsCanonical) {
  EXPECT_EQ(join("http://a/", "%7euser/%2e%2e/x y?q=a b"),
            "http://a/x%20y?q=a%20b");
}

// The oracle: libcurl's urljoin (via //net), then canonicalize.
absl::StatusOr<std::string> curl_join(std::string_view base,
                                      std::string_view ref) {
  absl::StatusOr<std::string> joined = http::urljoin(base, ref);
  if (!joined.ok()) return joined.status();
  return canonicalize(*joined);
}

// Where the oracle is not the reference: libcurl's dot-segment removal
// drops empty segments next to "..", which RFC 3986 5.2.4 keeps; libcurl
// keeps '\' where browsers read '/', writes a space in a query as '+', and
// its relative resolution loses the '/' of "../?q" ("/b/?q" by RFC 3986 and
// Python's urljoin, "/b?q" by libcurl 7.88). Each is tested on its own.
bool oracle_differs(std::string_view ref) {
  if (ref.find_first_of("\\ ") != std::string_view::npos) return true;
  if (ref.find(".?") != std::string_view::npos) return true;
  if (ref.find("./?") != std::string_view::npos) return true;
  // A ':' in the first segment is a scheme for libcurl even when what
  // precedes it is not one ("+:x"); RFC 3986 and WHATWG read a path.
  size_t colon = ref.find(':');
  if (colon != std::string_view::npos && colon < ref.find_first_of("/?#")) {
    return true;
  }
  return ref.find("//") != std::string_view::npos;
}

TEST(LinkResolverTest, ColonAfterANonSchemeIsAPath) {
  EXPECT_EQ(join(kBase, "+:x"), "http://a/b/c/+:x");
  EXPECT_EQ(join(kBase, "./a:b"), "http://a/b/c/a:b");
}

TEST(LinkResolverTest, DotSegmentBeforeAQueryKeepsTheSlash) {
  EXPECT_EQ(join(kBase, "../?x"), "http://a/b/?x");
  EXPECT_EQ(join(kBase, "..?x"), "http://a/b/?x");
  EXPECT_EQ(join(kBase, ".?x"), "http://a/b/c/?x");
}

TEST(LinkResolverTest, EmptySegmentsFollowRfc3986) {
  // RFC 3986 5.2.4 (and WHATWG): "/b/c/..//x" -> "/b//x".
  EXPECT_EQ(join(kBase, "..//x"), "http://a/b//x");
  EXPECT_EQ(canon("http://a/b/c/..//x"), "http://a/b//x");
  EXPECT_EQ(join(kBase, "x//y/../z"), "http://a/b/c/x//z");
}

TEST(LinkResolverTest, Rfc3986ExamplesMatchResolveLink) {
  absl::StatusOr<LinkResolver> r = LinkResolver::create(kBase);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->base(), "http://a/b/c/d;p?q");
  for (const char* ref :
       {"g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x",
        "g;x", "g;x?y#s", "", ".", "./", "..", "../", "../g", "../..",
        "../../", "../../g", "../../../g", "/./g", "/../g", "g.", ".g", "g..",
        "..g", "./../g", "./g/.", "g/./h", "g/../h", "g;x=1/./y",
        "g;x=1/../y", "g?y/./x", "g?y/../x", "g#s/./x", "http:g",
        "https://B/x", "mailto:x", "g:h"}) {
    absl::StatusOr<std::string> fast = r->resolve(ref);
    absl::StatusOr<std::string> slow = curl_join(kBase, ref);
    ASSERT_EQ(fast.ok(), slow.ok()) << ref;
    if (fast.ok()) {
      EXPECT_EQ(*fast, *slow) << ref;
    }
  }
}

// Absolute and scheme-relative links to the base's own authority skip
// libcurl (a string join); they must give what canonicalize gives.
TEST(LinkResolverTest, OwnAuthorityLinksMatchCanonicalize) {
  const std::vector<std::string> tails = {
      "", "/", "?", "?q", "/a", "/./", "/../", "..", "%2e", "%7e", "%2F",
      "#f", "\\", " ", "x", "/b/../c", "?a=b c", "\xC3\xA9", ":", "@", ";"};
  std::mt19937 rng(11);
  for (const char* base : {"http://h/b/c/d;p?q", "https://h:8443/x/",
                           "http://u@h:81/a%2Fb/c?z=1", "http://[::1]:8/z"}) {
    absl::StatusOr<LinkResolver> r = LinkResolver::create(base);
    ASSERT_TRUE(r.ok()) << base;
    std::string_view b(r->base());
    std::string scheme(b.substr(0, b.find(':')));
    size_t start = b.find("://") + 3;
    std::string authority(b.substr(start, b.find_first_of("/?", start) - start));
    for (int i = 0; i < 2000; ++i) {
      std::string tail;
      int n = static_cast<int>(rng() % 5);
      for (int k = 0; k < n; ++k) tail += tails[rng() % tails.size()];
      for (const std::string& prefix : std::vector<std::string>{
               scheme + "://", "//", "HTTP://", scheme + ":/\\"}) {
        std::string ref = prefix + authority + tail;
        std::string absolute =
            prefix[0] == '/' ? scheme + ":" + ref : ref;
        absl::StatusOr<std::string> fast = r->resolve(ref);
        absl::StatusOr<std::string> slow = canonicalize(absolute);
        ASSERT_EQ(fast.ok(), slow.ok()) << base << " + '" << ref << "'";
        if (fast.ok()) {
          ASSERT_EQ(*fast, *slow) << base << " + '" << ref << "'";
        }
      }
    }
  }
  // "http://host" and "http://host?q" have the path "/".
  EXPECT_EQ(join("http://h/a/b", "http://h"), "http://h/");
  EXPECT_EQ(join("http://h/a/b", "//h?q"), "http://h/?q");
  EXPECT_EQ(join("http://h/a/b", "http://h#x"), "http://h/");
}

TEST(LinkResolverTest, BadBaseIsAnError) {
  EXPECT_FALSE(LinkResolver::create("").ok());
  EXPECT_FALSE(LinkResolver::create("/relative").ok());
  EXPECT_FALSE(LinkResolver::create("ftp://a/").ok());
}

// Differential test: the string fast path agrees with libcurl's urljoin on
// random references built from the characters that matter.
TEST(LinkResolverTest, AgreesWithResolveLinkOnRandomReferences) {
  const std::vector<std::string> decoded = {
      "a", "B", "/", "//", ".", "..", "./", "../", "?", "#", "&", "=", "+",
      "%", "%2e", "%2E%2e", "%2F", "%7e", "%41", "%zz", " ", "\t", "\\",
      ";", ":", "@", "!", "$", "'", "(", "*", ",", "~", "_", "-", "\xC3\xA9",
      "\xFF", "\"", "<", "{", "|", "^", "`", "[", "]"};
  std::mt19937 rng(7);
  for (const char* base : {"http://h/b/c/d;p?q", "https://H:8443/x/%7ey/",
                           "http://h/", "http://u@h:81/a%2Fb/c?z=1"}) {
    absl::StatusOr<LinkResolver> r = LinkResolver::create(base);
    ASSERT_TRUE(r.ok()) << base;
    for (int i = 0; i < 3000; ++i) {
      std::string ref;
      int n = static_cast<int>(rng() % 8);
      for (int k = 0; k < n; ++k) ref += decoded[rng() % decoded.size()];
      if (oracle_differs(ref)) continue;
      absl::StatusOr<std::string> fast = r->resolve(ref);
      absl::StatusOr<std::string> slow = curl_join(base, ref);
      ASSERT_EQ(fast.ok(), slow.ok()) << base << " + '" << ref << "'";
      if (fast.ok()) {
        ASSERT_EQ(*fast, *slow) << base << " + '" << ref << "'";
      }
    }
  }
}

// RFC 3986 section 6.2.2 examples (with http instead of "example:").
TEST(CanonicalizeTest, Rfc3986Section622Examples) {
  EXPECT_EQ(canon("HTTP://www.Example.com/"), "http://www.example.com/");
  EXPECT_EQ(canon("http://a/b/c/%7bfoo%7d"), "http://a/b/c/%7Bfoo%7D");
  EXPECT_EQ(canon("http://a/./b/../b/%63/%7bfoo%7d"), "http://a/b/c/%7Bfoo%7D");
}

// RFC 3986 section 6.2.3: all the same.
TEST(CanonicalizeTest, Rfc3986Section623SchemeBased) {
  for (const char* u : {"http://example.com", "http://example.com/",
                        "http://example.com:/", "http://example.com:80/"}) {
    EXPECT_EQ(canon(u), "http://example.com/") << u;
  }
}

TEST(CanonicalizeTest, LowerCasesSchemeAndHostButNotPath) {
  EXPECT_EQ(canon("HtTpS://WWW.EXAMPLE.COM/Path/File.HTML?Q=X"),
            "https://www.example.com/Path/File.HTML?Q=X");
}

TEST(CanonicalizeTest, DropsDefaultPortKeepsOthers) {
  EXPECT_EQ(canon("https://a:443/x"), "https://a/x");
  EXPECT_EQ(canon("http://a:443/x"), "http://a:443/x");
  EXPECT_EQ(canon("https://a:80/x"), "https://a:80/x");
  EXPECT_EQ(canon("http://a:8080"), "http://a:8080/");
  EXPECT_EQ(canon("http://127.0.0.1:8080/x"), "http://127.0.0.1:8080/x");
  EXPECT_EQ(canon("http://[::1]:8080/x"), "http://[::1]:8080/x");
}

TEST(CanonicalizeTest, RemovesDotSegmentsInAbsoluteUrls) {
  EXPECT_EQ(canon("http://a/b/c/./../../g"), "http://a/g");
  EXPECT_EQ(canon("http://a/../../x"), "http://a/x");
  EXPECT_EQ(canon("http://a/b/."), "http://a/b/");
  EXPECT_EQ(canon("http://a/b/.."), "http://a/");
}

TEST(CanonicalizeTest, RemovesPercentEncodedDotSegments) {
  EXPECT_EQ(canon("http://a/b/%2E%2E/c"), "http://a/c");
  EXPECT_EQ(canon("http://a/b/%2e/c"), "http://a/b/c");
  EXPECT_EQ(canon("http://a/b/.%2E/c"), "http://a/c");
}

TEST(CanonicalizeTest, UpperCasesHexDigits) {
  EXPECT_EQ(canon("http://a/%c3%bc?x=%e2%82%ac"), "http://a/%C3%BC?x=%E2%82%AC");
}

TEST(CanonicalizeTest, DecodesUnreservedCharacters) {
  EXPECT_EQ(canon("http://a/%7Euser/%41%62%2D%2e%5F%30"), "http://a/~user/Ab-._0");
  EXPECT_EQ(canon("http://a/?q=%7e%41"), "http://a/?q=~A");
}

TEST(CanonicalizeTest, LeavesReservedCharactersAlone) {
  EXPECT_EQ(canon("http://a/x%2Fy"), "http://a/x%2Fy");
  EXPECT_EQ(canon("http://a/x%2fy"), "http://a/x%2Fy");
  EXPECT_NE(canon("http://a/x%2Fy"), canon("http://a/x/y"));
  EXPECT_EQ(canon("http://a/?q=a+b"), "http://a/?q=a+b");
  EXPECT_NE(canon("http://a/?q=a+b"), canon("http://a/?q=a%20b"));
  EXPECT_EQ(canon("http://a/?a=%26&b=%3D"), "http://a/?a=%26&b=%3D");
  EXPECT_EQ(canon("http://a/p;x=1,2:3@4!$'()*"), "http://a/p;x=1,2:3@4!$'()*");
}

TEST(CanonicalizeTest, EncodesRawSpacesAsPercent20) {
  EXPECT_EQ(canon("http://a/a b?c d=e f"), "http://a/a%20b?c%20d=e%20f");
}

TEST(CanonicalizeTest, EncodesNonAsciiAsUtf8) {
  EXPECT_EQ(canon("http://a/b\xC3\xBC\x63?\xE2\x82\xAC=1"),
            "http://a/b%C3%BCc?%E2%82%AC=1");
}

TEST(CanonicalizeTest, EncodesCharactersRfc3986NeverAllows) {
  EXPECT_EQ(canon("http://a/\"<>^`{|}"), "http://a/%22%3C%3E%5E%60%7B%7C%7D");
}

// One canonical URL however the host is spelled: the IDNA (punycode) form.
TEST(CanonicalizeTest, InternationalHostsTakeTheirPunycodeForm) {
  EXPECT_EQ(canon("http://Bücher.Example/ü?q=ü"),
            "http://xn--bcher-kva.example/%C3%BC?q=%C3%BC");
  EXPECT_EQ(canon("http://xn--bcher-kva.example/%C3%BC?q=%C3%BC"),
            "http://xn--bcher-kva.example/%C3%BC?q=%C3%BC");
  EXPECT_EQ(canon("http://b%C3%BCcher.example/"), "http://xn--bcher-kva.example/");
  EXPECT_EQ(join("http://xn--bcher-kva.example/a/b", "//bücher.example/c"),
            "http://xn--bcher-kva.example/c");
  EXPECT_EQ(join("http://example.com/", "https://BÜCHER.example/d"),
            "https://xn--bcher-kva.example/d");
  absl::StatusOr<LinkResolver> r = LinkResolver::create("http://bücher.example/x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->base(), "http://xn--bcher-kva.example/x");
  EXPECT_EQ(origin(r->base()), "http://xn--bcher-kva.example");
}

TEST(CanonicalizeTest, InvalidInternationalHostIsAnError) {
  absl::StatusOr<std::string> c = canonicalize("http://x\xE2\x80\xAEy.example/");
  ASSERT_FALSE(c.ok()) << *c;
  EXPECT_NE(c.status().message().find("not a valid international domain name"),
            absl::string_view::npos)
      << c.status();
  EXPECT_FALSE(resolve_link("http://a/", "//x\xE2\x80\xAEy.example/").ok());
}

TEST(CanonicalizeTest, KeepsQueryOrder) {
  EXPECT_EQ(canon("http://a/?b=2&a=1&b=1"), "http://a/?b=2&a=1&b=1");
}

TEST(CanonicalizeTest, DropsFragmentAndEmptyQuery) {
  EXPECT_EQ(canon("http://a/x#frag"), "http://a/x");
  EXPECT_EQ(canon("http://a/x?y#frag?z"), "http://a/x?y");
  EXPECT_EQ(canon("http://a/x?"), "http://a/x");
  EXPECT_EQ(canon("http://a/x?#f"), "http://a/x");
}

TEST(CanonicalizeTest, KeepsMalformedPercentAsWritten) {
  EXPECT_EQ(canon("http://a/%zz%4"), "http://a/%zz%4");
  EXPECT_EQ(canon("http://a/100%"), "http://a/100%");
}

TEST(CanonicalizeTest, KeepsUserInfo) {
  EXPECT_EQ(canon("http://u:p@A.com:80/x"), "http://u:p@a.com/x");
}

// The example in crawler/README.md.
TEST(CanonicalizeTest, ReadmeExample) {
  EXPECT_EQ(canon("HTTP://Example.COM:80/a/./b/../%7ec d?q=a+b#top"),
            "http://example.com/a/~c%20d?q=a+b");
}

TEST(CanonicalizeTest, IsIdempotent) {
  for (const char* u :
       {"http://a/%7euser/a%2fb?x=%7e&y=a+b c#f", "HTTP://A:80/./b/../%63",
        "http://a/\xC3\xBC/%zz?\"q\"", "https://[::1]:443/a b"}) {
    std::string once = canon(u);
    EXPECT_EQ(canon(once), once) << u;
  }
}

TEST(CanonicalizeTest, RejectsWhatIsNotAnHttpUrl) {
  for (const char* u : {"", "   ", "example.com/x", "/x", "mailto:a@b",
                        "javascript:x", "ftp://a/b", "file:///x", "http://",
                        "https://a:99999/", "http://a b/"}) {
    absl::StatusOr<std::string> r = canonicalize(u);
    EXPECT_FALSE(r.ok()) << "'" << u << "' -> " << *r;
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
}

// As browsers (WHATWG URL) read it: extra slashes before the host are skipped.
TEST(CanonicalizeTest, ExtraSlashesBeforeTheHostAreSkipped) {
  EXPECT_EQ(canon("http:///x/y"), "http://x/y");
}

TEST(CanonicalizeTest, ErrorNamesTheInput) {
  absl::StatusOr<std::string> r = canonicalize("gopher://x/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gopher"), std::string::npos)
      << r.status();
}

TEST(NormalizePercentEncodingTest, Rules) {
  EXPECT_EQ(normalize_percent_encoding(""), "");
  EXPECT_EQ(normalize_percent_encoding("/%7e%2f%2F%41 \xC3\xBC"),
            "/~%2F%2FA%20%C3%BC");
  EXPECT_EQ(normalize_percent_encoding("%"), "%");
  EXPECT_EQ(normalize_percent_encoding("%4"), "%4");
  EXPECT_EQ(normalize_percent_encoding("*$?&="), "*$?&=");
  std::string once = normalize_percent_encoding("/a%e2%82 b");
  EXPECT_EQ(normalize_percent_encoding(once), once);
}

TEST(OriginTest, SchemeHostAndPort) {
  EXPECT_EQ(origin("http://a.com/x?y"), "http://a.com");
  EXPECT_EQ(origin("https://a.com:8443/"), "https://a.com:8443");
  EXPECT_EQ(origin("http://u:p@a.com:81/x"), "http://a.com:81");
  EXPECT_EQ(origin("http://[::1]:8080/"), "http://[::1]:8080");
  EXPECT_EQ(origin("garbage"), "");
  EXPECT_EQ(origin(""), "");
}

TEST(HostOfTest, HostWithoutPort) {
  EXPECT_EQ(host_of("http://a.com/x"), "a.com");
  EXPECT_EQ(host_of("http://a.com:8080/x"), "a.com");
  EXPECT_EQ(host_of("http://u:p@a.com:8080/x"), "a.com");
  EXPECT_EQ(host_of("http://[::1]:8080/"), "[::1]");
  EXPECT_EQ(host_of("http://[::1]/"), "[::1]");
  EXPECT_EQ(host_of(""), "");
}

TEST(PathAndQueryTest, WhatRobotsMatches) {
  EXPECT_EQ(path_and_query("http://a.com/x/y?q=1&r"), "/x/y?q=1&r");
  EXPECT_EQ(path_and_query("http://a.com/"), "/");
  EXPECT_EQ(path_and_query("http://a.com"), "/");
  EXPECT_EQ(path_and_query("http://a.com?x"), "/?x");
  EXPECT_EQ(path_and_query("http://a.com/x#f"), "/x");
  EXPECT_EQ(path_and_query(""), "");
}

}  // namespace
}  // namespace aio::crawler
