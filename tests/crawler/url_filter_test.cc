#include "crawler/url_filter.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

using ::testing::HasSubstr;

UrlFilter make(std::vector<std::string> allow, std::vector<std::string> deny) {
  absl::StatusOr<UrlFilter> f = UrlFilter::create(std::move(allow), std::move(deny));
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *std::move(f) : UrlFilter();
}

TEST(UrlFilterTest, EmptyAcceptsEverything) {
  EXPECT_TRUE(UrlFilter().accepts("http://a/"));
  EXPECT_TRUE(make({}, {}).accepts("http://a/x?y"));
  EXPECT_TRUE(make({}, {}).accepts(""));
}

TEST(UrlFilterTest, AllowIsAnyOf) {
  UrlFilter f = make({"/article/", "/news/"}, {});
  EXPECT_TRUE(f.accepts("http://a/article/1"));
  EXPECT_TRUE(f.accepts("http://a/news/2"));
  EXPECT_FALSE(f.accepts("http://a/about"));
}

TEST(UrlFilterTest, DenyWinsOverAllow) {
  UrlFilter f = make({"/article/"}, {"\\?print=", "/article/draft"});
  EXPECT_TRUE(f.accepts("http://a/article/1"));
  EXPECT_FALSE(f.accepts("http://a/article/1?print=1"));
  EXPECT_FALSE(f.accepts("http://a/article/draft-3"));
}

TEST(UrlFilterTest, DenyOnly) {
  UrlFilter f = make({}, {"\\.pdf$"});
  EXPECT_FALSE(f.accepts("http://a/x.pdf"));
  EXPECT_TRUE(f.accepts("http://a/x.pdf.html"));
}

TEST(UrlFilterTest, PartialMatchAgainstTheWholeCanonicalUrl) {
  EXPECT_TRUE(make({"a/b"}, {}).accepts("http://host/a/b/c"));
  EXPECT_TRUE(make({"^https://"}, {}).accepts("https://host/"));
  EXPECT_FALSE(make({"^https://"}, {}).accepts("http://host/"));
  EXPECT_TRUE(make({"host:8080"}, {}).accepts("http://host:8080/"));
  EXPECT_FALSE(make({"^http://host/$"}, {}).accepts("http://host/x"));
  EXPECT_TRUE(make({"q=1"}, {}).accepts("http://host/?q=1"));
}

TEST(UrlFilterTest, EmptyPatternMatchesEverything) {
  EXPECT_TRUE(make({""}, {}).accepts("http://a/"));
  EXPECT_FALSE(make({}, {""}).accepts("http://a/"));
}

TEST(UrlFilterTest, BadPatternNamesFlagPatternAndReason) {
  absl::StatusOr<UrlFilter> a = UrlFilter::create({"ok", "(unclosed"}, {});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(a.status().message(), HasSubstr("--allow"));
  EXPECT_THAT(a.status().message(), HasSubstr("'(unclosed'"));
  EXPECT_THAT(a.status().message(), HasSubstr("missing )"));
  absl::StatusOr<UrlFilter> d = UrlFilter::create({}, {"a**"});
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("--deny"));
  EXPECT_THAT(d.status().message(), HasSubstr("'a**'"));
}

TEST(UrlFilterTest, BackreferencesAreRejectedNotBacktracked) {
  // RE2 has no backreferences: linear time is the point.
  EXPECT_FALSE(UrlFilter::create({"(a)\\1"}, {}).ok());
}

TEST(UrlFilterTest, HostileInputIsLinear) {
  // A classic catastrophic-backtracking pattern: instant in RE2.
  UrlFilter f = make({"^(a+)+$"}, {});
  EXPECT_FALSE(f.accepts(std::string(100000, 'a') + "!"));
}

TEST(UrlFilterTest, MovedFilterStillWorks) {
  UrlFilter f = make({"x"}, {});
  UrlFilter g = std::move(f);
  EXPECT_TRUE(g.accepts("http://a/x"));
  EXPECT_FALSE(g.accepts("http://a/y"));
}

}  // namespace
}  // namespace aio::crawler
