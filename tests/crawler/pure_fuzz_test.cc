// Random and adversarial bytes into every pure unit: nothing crashes, hangs
// or produces invalid UTF-8 (run under --config=asan too). Seeds are fixed so
// that a failure reproduces.
#include <random>
#include <string>
#include <vector>

#include "crawler/canonical_url.h"
#include "crawler/charset.h"
#include "crawler/html.h"
#include "crawler/links.h"
#include "crawler/robots.h"
#include "crawler/selector.h"
#include "crawler/text.h"
#include "crawler/url_filter.h"
#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

bool valid_utf8(std::string_view s) { return sanitize_utf8(s) == s; }

std::string random_bytes(std::mt19937& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Random strings over an alphabet that makes the parsers work hard.
std::string random_from(std::mt19937& rng, size_t max_len,
                        const std::vector<std::string>& pieces) {
  std::string s;
  size_t n = rng() % (max_len + 1);
  while (s.size() < n) s += pieces[rng() % pieces.size()];
  return s;
}

const std::vector<std::string> kHtmlPieces = {
    "<", ">", "</", "<a href='", "<a href=\"", "'", "\"", "<base href=",
    "<div>", "</div>", "<p>", "<table>", "<tr><td>", "<script>", "</script>",
    "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#x", "&#", ";", "&", "=",
    " ", "\n", "<svg>", "<math>", "<template>", "<textarea>", "<title>",
    "<meta charset=", "gbk", "http://x/", "../", "#", "?", "\xC3", "\xA9",
    "\xFF", "\0", "<select><option>", "<frameset>", "<h3 class='a b'>",
    "<area href=/m>", "<plaintext>", "<xmp>", "<noscript>", "<iframe>"};

TEST(PureFuzzTest, RandomBytesIntoDocumentLinksAndText) {
  std::mt19937 rng(1);
  absl::StatusOr<Selector> all = Selector::parse("*");
  ASSERT_TRUE(all.ok());
  for (int i = 0; i < 400; ++i) {
    std::string html = i % 2 ? random_bytes(rng, 2000)
                             : random_from(rng, 3000, kHtmlPieces);
    Document d = Document::parse(html);
    for (const std::string& link : extract_links(d, "http://site/a/b")) {
      ASSERT_TRUE(canonicalize(link).ok()) << link;
      ASSERT_EQ(*canonicalize(link), link);
    }
    for (const std::string& t : select_texts(d, *all)) {
      // Input bytes may be invalid UTF-8; gumbo replaces them with U+FFFD.
      ASSERT_TRUE(valid_utf8(t));
      ASSERT_EQ(collapse_whitespace(t), t);
    }
    (void)d.base_href();
  }
}

TEST(PureFuzzTest, RandomSelectorsNeverCrash) {
  std::mt19937 rng(2);
  const std::vector<std::string> pieces = {
      "a", "h3", ".", "#", "[", "]", "=", "'", "\"", " ", ">", ",", "*", ":",
      "\\", "31", "~", "|", "^", "$", "-", "_", "\n", "\xC3\xA9", "x", "i"};
  Document d = Document::parse(
      "<div class='a x'><h3 id=x class=a>t</h3><a href=/ x=1>l</a></div>");
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string css = i % 3 ? random_from(rng, 40, pieces) : random_bytes(rng, 40);
    absl::StatusOr<Selector> s = Selector::parse(css);
    if (s.ok()) {
      ++ok;
      for (const std::string& t : select_texts(d, *s)) ASSERT_TRUE(valid_utf8(t));
    } else {
      ASSERT_NE(s.status().message().find("invalid selector"), std::string::npos);
    }
  }
  EXPECT_GT(ok, 0);
}

TEST(PureFuzzTest, RandomBytesIntoCharsetDecoding) {
  std::mt19937 rng(3);
  const std::vector<std::string> labels = {
      "utf-8", "gbk", "gb18030", "big5", "shift_jis", "euc-jp", "iso-2022-jp",
      "euc-kr", "utf-16le", "utf-16be", "windows-1252", "windows-1258",
      "iso-8859-8-i", "koi8-u", "macintosh", "x-mac-cyrillic", "x-user-defined",
      "replacement", "ibm866", "windows-874", "unknown"};
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = random_bytes(rng, 400);
    const std::string& label = labels[i % labels.size()];
    ASSERT_TRUE(valid_utf8(to_utf8(bytes, label))) << label;
    std::string ct = "text/html; charset=" + label;
    ASSERT_TRUE(valid_utf8(decode_html(bytes, ct).utf8)) << label;
    ASSERT_TRUE(valid_utf8(decode_html(bytes, random_bytes(rng, 30)).utf8));
    (void)prescan_meta_charset(random_from(rng, 1200, kHtmlPieces));
  }
}

TEST(PureFuzzTest, RandomRobotsNeverCrash) {
  std::mt19937 rng(4);
  const std::vector<std::string> pieces = {
      "User-agent:", "Allow:", "Disallow:", "Crawl-delay:", " ", "*", "$",
      "/", "a", "%", "%2", "%7E", "\n", "\r", "#", "aio-crawler", "1e9", "-",
      "\xC3\xA9", ":"};
  for (int i = 0; i < 1000; ++i) {
    std::string body =
        i % 2 ? random_bytes(rng, 1000) : random_from(rng, 1000, pieces);
    Robots r = Robots::parse(body, "aio-crawler/1.0");
    for (int k = 0; k < 5; ++k) {
      (void)r.allowed(random_from(rng, 50, pieces));
    }
    if (auto d = r.crawl_delay()) {
      ASSERT_GE(*d, Duration::zero());
      ASSERT_LE(*d, Robots::kMaxCrawlDelay);
    }
  }
}

TEST(PureFuzzTest, RandomUrlsIntoCanonicalizeAndResolve) {
  std::mt19937 rng(5);
  const std::vector<std::string> pieces = {
      "http://", "https://", "HTTP://", "a", "B", ".", "..", "/", "\\", "?",
      "#", "%", "%2e", "%2F", "%7e", "%zz", " ", "\t", "\n", ":", "@", "[",
      "]", "::1", "80", "+", "&", "=", "\xC3\xA9", "\xFF", "javascript:",
      "//"};
  for (int i = 0; i < 3000; ++i) {
    std::string u = i % 4 ? random_from(rng, 60, pieces) : random_bytes(rng, 60);
    absl::StatusOr<std::string> c = canonicalize(u);
    if (c.ok()) {
      ASSERT_EQ(*canonicalize(*c), *c) << u;
      ASSERT_FALSE(origin(*c).empty()) << *c;
      ASSERT_EQ(path_and_query(*c)[0], '/') << *c;
      (void)host_of(*c);
    } else {
      ASSERT_FALSE(c.status().message().empty());
    }
    absl::StatusOr<std::string> r =
        resolve_link("http://base/x/y?z", random_from(rng, 40, pieces));
    if (r.ok()) {
      ASSERT_EQ(*canonicalize(*r), *r);
    }
    (void)origin(u);
    (void)host_of(u);
    (void)path_and_query(u);
    (void)normalize_percent_encoding(u);
  }
}

TEST(PureFuzzTest, RandomPatternsIntoUrlFilter) {
  std::mt19937 rng(6);
  const std::vector<std::string> pieces = {"(", ")", "a", "*", "+", "?", "[",
                                           "]", "\\", "|", "^", "$", "{2}", "."};
  for (int i = 0; i < 500; ++i) {
    absl::StatusOr<UrlFilter> f =
        UrlFilter::create({random_from(rng, 12, pieces)}, {random_bytes(rng, 8)});
    if (f.ok()) {
      (void)f->accepts(random_bytes(rng, 100));
    } else {
      ASSERT_NE(f.status().message().find("pattern"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace aio::crawler
