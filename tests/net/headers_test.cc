// Tests of aio::http::Headers (net/headers.h).
#include "net/headers.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace aio::http {
namespace {

TEST(HeadersTest, LookUpIsCaseInsensitiveAndKeepsOrder) {
  Headers h = {{"Content-Type", "text/html"},
               {"Set-Cookie", "a=1"},
               {"set-cookie", "b=2"}};
  EXPECT_EQ(h.get("content-type"), "text/html");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "text/html");
  EXPECT_EQ(h.get("Set-Cookie"), "a=1");  // the first
  EXPECT_EQ(h.get_all("SET-COOKIE"),
            (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_FALSE(h.get("Content-Length").has_value());
  EXPECT_EQ(h.get_or("Content-Length", "none"), "none");
  EXPECT_FALSE(h.contains("X"));
  std::vector<std::string> order;
  for (const auto& [name, value] : h)
    order.push_back(std::string(name) + "=" + std::string(value));
  EXPECT_EQ(order,
            (std::vector<std::string>{"Content-Type=text/html",
                                      "Set-Cookie=a=1", "set-cookie=b=2"}));
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].second, "a=1");
}

TEST(HeadersTest, SetReplacesEveryFieldOfThatName) {
  Headers h = {{"A", "1"}, {"b", "2"}, {"a", "3"}};
  h.set("A", "4");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get_all("a"), (std::vector<std::string_view>{"4"}));
  EXPECT_EQ(h[0].first, "b");  // the others keep their order
  EXPECT_EQ(h.remove("B"), 1u);
  EXPECT_EQ(h.remove("B"), 0u);
  EXPECT_EQ(h.size(), 1u);
}

TEST(HeadersTest, SetAcceptsViewsIntoItself) {
  Headers h = {
      {"X-Long-Header-Name", "a value long enough to live on the heap"}};
  // Both arguments point into h's own buffer, which set() rewrites.
  h.set(h[0].first, h[0].second);
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.get("x-long-header-name"),
            "a value long enough to live on the heap");
}

TEST(HeadersTest, LineFoldingAppendsToTheLastValue) {
  Headers h;
  h.append_to_last_value("ignored");  // nothing to fold into
  EXPECT_TRUE(h.empty());
  h.add("X-Folded", "first");
  h.add("X-Other", "value");
  h.append_to_last_value("second");
  EXPECT_EQ(h.get("x-other"), "value second");
  EXPECT_EQ(h.get("x-folded"), "first");
}

TEST(HeadersTest, ClearKeepsWorking) {
  Headers h = {{"A", "1"}};
  h.clear();
  EXPECT_TRUE(h.empty());
  h.reserve(8, 256);
  h.add("B", "2");
  EXPECT_EQ(h.get("b"), "2");
  Headers copy = h;
  h.set("B", "3");
  EXPECT_EQ(copy.get("b"), "2");  // a value type
}

// Regression (issue 10, item 1): each fold copied the whole value, so N
// folds cost O(N^2) (a 156 KB head took 2 GiB). 200,000 folds of a 100-byte
// piece are 20 MB appended; quadratically, terabytes of copying.
TEST(HeadersTest, FoldingIsAppendedInPlace) {
  Headers h;
  h.add("X-Fold", "a");
  h.add("X-Last", "b");
  const std::string piece(100, 'p');
  for (int i = 0; i < 200000; ++i) h.append_to_last_value(piece);
  EXPECT_EQ(h.get("X-Fold"), "a");
  std::string_view last = *h.get("X-Last");
  EXPECT_EQ(last.size(), 1 + 200000u * 101);
  EXPECT_EQ(last.substr(0, 104), "b " + piece + " p");
  // A value that views the Headers' own buffer is copied first.
  Headers self = {{"A", "xy"}};
  self.append_to_last_value(*self.get("A"));
  EXPECT_EQ(self.get("A"), "xy xy");
  // After remove() the last entry is still grown correctly.
  Headers r = {{"A", "1"}, {"B", "2"}, {"C", "3"}};
  r.remove("B");
  r.append_to_last_value("4");
  EXPECT_EQ(r.get("C"), "3 4");
  EXPECT_EQ(r.get("A"), "1");
  Headers none;
  none.append_to_last_value("ignored");
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace aio::http
