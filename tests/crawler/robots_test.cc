#include "crawler/robots.h"

#include <chrono>
#include <string>

#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kUa = "aio-crawler/0.1 (+https://example.invalid/bot)";

TEST(ProductTokenTest, LeadingTokenLowerCased) {
  EXPECT_EQ(product_token(kUa), "aio-crawler");
  EXPECT_EQ(product_token("Googlebot/2.1"), "googlebot");
  EXPECT_EQ(product_token("  My_Bot"), "my_bot");
  EXPECT_EQ(product_token("/1.0"), "");
  EXPECT_EQ(product_token(""), "");
}

TEST(RobotsTest, EmptyFileAllowsEverything) {
  Robots r = Robots::parse("", kUa);
  EXPECT_TRUE(r.allowed("/"));
  EXPECT_TRUE(r.allowed("/anything?x"));
  EXPECT_FALSE(r.crawl_delay().has_value());
}

TEST(RobotsTest, StarGroupApplies) {
  Robots r = Robots::parse("User-agent: *\nDisallow: /private\n", kUa);
  EXPECT_FALSE(r.allowed("/private"));
  EXPECT_FALSE(r.allowed("/private/x"));
  EXPECT_FALSE(r.allowed("/privateer"));  // prefix match
  EXPECT_TRUE(r.allowed("/public"));
  EXPECT_TRUE(r.allowed("/"));
}

TEST(RobotsTest, OwnGroupBeatsStarAndStarRulesDoNotLeak) {
  std::string txt =
      "User-agent: *\nDisallow: /\n\n"
      "User-agent: AIO-Crawler\nDisallow: /mine-only\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_TRUE(r.allowed("/page"));
  EXPECT_FALSE(r.allowed("/mine-only"));
}

TEST(RobotsTest, OtherAgentsGroupsNeverApply) {
  std::string txt =
      "User-agent: googlebot\nDisallow: /g\n\n"
      "User-agent: aio-crawler-evil\nDisallow: /e\n\n"
      "User-agent: aio\nDisallow: /a\n\n"
      "User-agent: *\nDisallow: /star\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_TRUE(r.allowed("/g"));
  EXPECT_TRUE(r.allowed("/e"));
  EXPECT_TRUE(r.allowed("/a"));
  EXPECT_FALSE(r.allowed("/star"));
}

TEST(RobotsTest, UserAgentLineWithVersionMatchesByToken) {
  Robots r = Robots::parse("User-agent: aio-crawler/9.9\nDisallow: /x\n", kUa);
  EXPECT_FALSE(r.allowed("/x"));
}

TEST(RobotsTest, NoMatchingGroupAllowsAll) {
  Robots r = Robots::parse("User-agent: googlebot\nDisallow: /\n", kUa);
  EXPECT_TRUE(r.allowed("/"));
  EXPECT_EQ(r.rule_count(), 0u);
}

TEST(RobotsTest, SeveralUserAgentLinesShareAGroup) {
  std::string txt =
      "User-agent: googlebot\nUser-agent: aio-crawler\nDisallow: /both\n"
      "User-agent: other\nDisallow: /other\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/both"));
  EXPECT_TRUE(r.allowed("/other"));
}

TEST(RobotsTest, MatchingGroupsAreCombined) {
  std::string txt =
      "User-agent: aio-crawler\nDisallow: /a\n\n"
      "User-agent: x\nDisallow: /x\n\n"
      "user-agent: AIO-CRAWLER\nDisallow: /b\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/a"));
  EXPECT_FALSE(r.allowed("/b"));
  EXPECT_TRUE(r.allowed("/x"));
}

TEST(RobotsTest, LongestMatchWins) {
  std::string txt =
      "User-agent: *\nDisallow: /shop\nAllow: /shop/public\n"
      "Disallow: /shop/public/secret\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/shop/cart"));
  EXPECT_TRUE(r.allowed("/shop/public/item"));
  EXPECT_FALSE(r.allowed("/shop/public/secret/1"));
  // Order in the file does not matter.
  Robots r2 = Robots::parse(
      "User-agent: *\nAllow: /shop/public\nDisallow: /shop\n", kUa);
  EXPECT_TRUE(r2.allowed("/shop/public/item"));
  EXPECT_FALSE(r2.allowed("/shop/x"));
}

TEST(RobotsTest, AllowWinsTies) {
  Robots r = Robots::parse("User-agent: *\nDisallow: /page\nAllow: /page\n", kUa);
  EXPECT_TRUE(r.allowed("/page"));
  Robots r2 = Robots::parse("User-agent: *\nAllow: /p*\nDisallow: /p*\n", kUa);
  EXPECT_TRUE(r2.allowed("/page"));
}

TEST(RobotsTest, Wildcards) {
  std::string txt =
      "User-agent: *\nDisallow: /*.pdf$\nDisallow: /*/tmp/\n"
      "Disallow: /search*q=\nAllow: /exact$\nDisallow: /exact\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/docs/a.pdf"));
  EXPECT_TRUE(r.allowed("/docs/a.pdf?download=1"));
  EXPECT_TRUE(r.allowed("/docs/a.pdfx"));
  EXPECT_FALSE(r.allowed("/a/b/tmp/c"));
  EXPECT_TRUE(r.allowed("/tmp/c"));
  EXPECT_FALSE(r.allowed("/search?lang=en&q=x"));
  EXPECT_TRUE(r.allowed("/search?lang=en"));
  EXPECT_TRUE(r.allowed("/exact"));
  EXPECT_FALSE(r.allowed("/exact/more"));
}

TEST(RobotsTest, DollarOnlyAnchorsAtTheEnd) {
  Robots r = Robots::parse("User-agent: *\nDisallow: /a$b\n", kUa);
  EXPECT_FALSE(r.allowed("/a$b/c"));
  EXPECT_TRUE(r.allowed("/a"));
}

TEST(RobotsTest, PathsComparedAfterPercentDecodingUnreserved) {
  std::string txt =
      "User-agent: *\nDisallow: /%7Ejoe/\nDisallow: /foo/%62%61%7A\n"
      "Disallow: /caf\xC3\xA9\nDisallow: /a%2Fb\nDisallow: /Q%3fx\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/~joe/index.html"));
  EXPECT_FALSE(r.allowed("/%7ejoe/index.html"));
  EXPECT_FALSE(r.allowed("/foo/baz"));
  EXPECT_FALSE(r.allowed("/caf%C3%A9"));
  EXPECT_FALSE(r.allowed("/caf%c3%a9"));
  EXPECT_FALSE(r.allowed("/a%2fb"));
  EXPECT_TRUE(r.allowed("/a/b"));  // %2F is not '/'
  EXPECT_FALSE(r.allowed("/Q%3Fx"));
  EXPECT_TRUE(r.allowed("/Q?x"));
}

TEST(RobotsTest, EmptyDisallowAllowsAll) {
  Robots r = Robots::parse("User-agent: *\nDisallow:\n", kUa);
  EXPECT_TRUE(r.allowed("/anything"));
}

TEST(RobotsTest, RobotsTxtItselfIsAlwaysAllowed) {
  Robots r = Robots::parse("User-agent: *\nDisallow: /\n", kUa);
  EXPECT_FALSE(r.allowed("/"));
  EXPECT_TRUE(r.allowed("/robots.txt"));
}

TEST(RobotsTest, EmptyPathIsRoot) {
  Robots r = Robots::parse("User-agent: *\nDisallow: /$\n", kUa);
  EXPECT_FALSE(r.allowed(""));
  EXPECT_TRUE(r.allowed("/x"));
}

TEST(RobotsTest, SyntaxTolerance) {
  std::string txt =
      "\xEF\xBB\xBF# comment\r\n"
      "USER-AGENT : * # trailing comment\r"
      "disallow:/a\r\n"
      "this line has no colon\n"
      "Sitemap: http://x/sitemap.xml\n"
      "Unknown-Key: whatever\n"
      "  Disallow :   /b   \n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/a"));
  EXPECT_FALSE(r.allowed("/b"));
  EXPECT_TRUE(r.allowed("/c"));
}

TEST(RobotsTest, RulesBeforeAnyUserAgentAreIgnored) {
  Robots r = Robots::parse("Disallow: /\nUser-agent: *\nDisallow: /x\n", kUa);
  EXPECT_TRUE(r.allowed("/"));
  EXPECT_FALSE(r.allowed("/x"));
}

TEST(RobotsTest, UserAgentAfterRulesStartsANewGroup) {
  Robots r = Robots::parse(
      "User-agent: aio-crawler\nDisallow: /a\nUser-agent: other\nDisallow: /b\n",
      kUa);
  EXPECT_FALSE(r.allowed("/a"));
  EXPECT_TRUE(r.allowed("/b"));
}

TEST(RobotsTest, CrawlDelayOfTheChosenGroup) {
  std::string txt =
      "User-agent: *\nCrawl-delay: 7\n\n"
      "User-agent: aio-crawler\nCrawl-delay: 2.5\nDisallow: /x\n";
  EXPECT_EQ(Robots::parse(txt, kUa).crawl_delay(), milliseconds(2500));
  EXPECT_EQ(Robots::parse(txt, "otherbot").crawl_delay(), seconds(7));
}

TEST(RobotsTest, CrawlDelayZeroNegativeHugeNanAndJunk) {
  auto delay = [](std::string_view v) {
    return Robots::parse("User-agent: *\nCrawl-delay: " + std::string(v) + "\n",
                         kUa)
        .crawl_delay();
  };
  EXPECT_EQ(delay("0"), Duration::zero());
  EXPECT_FALSE(delay("-1").has_value());
  EXPECT_FALSE(delay("nan").has_value());
  EXPECT_FALSE(delay("soon").has_value());
  EXPECT_FALSE(delay("").has_value());
  EXPECT_EQ(delay("inf"), Robots::kMaxCrawlDelay);
  EXPECT_EQ(delay("1e300"), Robots::kMaxCrawlDelay);
  EXPECT_EQ(delay("99999999"), Robots::kMaxCrawlDelay);
}

TEST(RobotsTest, FirstCrawlDelayInAGroupCounts) {
  EXPECT_EQ(Robots::parse("User-agent: *\nCrawl-delay: 3\nCrawl-delay: 9\n", kUa)
                .crawl_delay(),
            seconds(3));
}

TEST(RobotsTest, OnlyTheFirst512KiBAreParsed) {
  std::string txt = "User-agent: *\nDisallow: /early\n";
  while (txt.size() < Robots::kMaxBytes - 10) txt += "# padding padding\n";
  txt += "Disallow: /cut-in-the-middle-of-the-line\n";
  txt += "Disallow: /late\n";
  ASSERT_GT(txt.size(), Robots::kMaxBytes);
  Robots r = Robots::parse(txt, kUa);
  EXPECT_FALSE(r.allowed("/early"));
  EXPECT_TRUE(r.allowed("/late"));
  EXPECT_TRUE(r.allowed("/cut"));  // the partial line is dropped, not "/cut"
}

TEST(RobotsTest, A500KiBFileIsFullyParsed) {
  std::string txt = "User-agent: *\n";
  while (txt.size() < 500 * 1024) txt += "# padding padding padding\n";
  txt += "Disallow: /last\n";
  EXPECT_FALSE(Robots::parse(txt, kUa).allowed("/last"));
}

TEST(RobotsTest, AllowAllAndDisallowAll) {
  EXPECT_TRUE(Robots::allow_all().allowed("/x"));
  EXPECT_FALSE(Robots::disallow_all().allowed("/x"));
  EXPECT_FALSE(Robots::disallow_all().allowed("/"));
  EXPECT_TRUE(Robots::disallow_all().allowed("/robots.txt"));
}

TEST(RobotsTest, PathologicalWildcardsStayFast) {
  std::string txt = "User-agent: *\nDisallow: /" + std::string(200, '*') + "x$\n";
  Robots r = Robots::parse(txt, kUa);
  EXPECT_TRUE(r.allowed("/" + std::string(2000, 'a')));
  EXPECT_FALSE(r.allowed("/" + std::string(2000, 'a') + "x"));
}

TEST(RobotsForStatusTest, Rfc9309Mapping) {
  EXPECT_EQ(robots_for_status(200), RobotsVerdict::kParse);
  EXPECT_EQ(robots_for_status(204), RobotsVerdict::kParse);
  EXPECT_EQ(robots_for_status(301), RobotsVerdict::kAllowAll);
  EXPECT_EQ(robots_for_status(400), RobotsVerdict::kAllowAll);
  EXPECT_EQ(robots_for_status(401), RobotsVerdict::kAllowAll);
  EXPECT_EQ(robots_for_status(403), RobotsVerdict::kAllowAll);
  EXPECT_EQ(robots_for_status(404), RobotsVerdict::kAllowAll);
  EXPECT_EQ(robots_for_status(410), RobotsVerdict::kAllowAll);
  EXPECT_EQ(robots_for_status(429), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(500), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(503), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(599), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(0), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(-1), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(100), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(600), RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(std::numeric_limits<int>::max()),
            RobotsVerdict::kDisallowForNow);
  EXPECT_EQ(robots_for_status(std::numeric_limits<int>::min()),
            RobotsVerdict::kDisallowForNow);
}

}  // namespace
}  // namespace aio::crawler
