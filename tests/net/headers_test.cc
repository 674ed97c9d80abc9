// Tests of aio::http::Headers (net/headers.h) and the error kinds
// (net/http_error.h).
#include "net/headers.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/http_error.h"

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

TEST(HttpErrorTest, KindsRoundTripWithTheirStatusCodes) {
  struct Case {
    ErrorKind kind;
    absl::StatusCode code;
  };
  for (const Case& c : std::vector<Case>{
           {ErrorKind::kDns, absl::StatusCode::kUnavailable},
           {ErrorKind::kConnectionRefused, absl::StatusCode::kUnavailable},
           {ErrorKind::kTimeout, absl::StatusCode::kDeadlineExceeded},
           {ErrorKind::kTls, absl::StatusCode::kUnauthenticated},
           {ErrorKind::kTooLarge, absl::StatusCode::kResourceExhausted},
           {ErrorKind::kTruncated, absl::StatusCode::kDataLoss},
           {ErrorKind::kClientClosed, absl::StatusCode::kCancelled},
       }) {
    absl::Status s = make_error(c.kind, "what happened");
    EXPECT_EQ(s.code(), c.code) << to_string(c.kind);
    EXPECT_EQ(error_kind(s), c.kind) << to_string(c.kind);
    EXPECT_EQ(s.message(), "what happened");
  }
  EXPECT_EQ(error_kind(absl::OkStatus()), ErrorKind::kNone);
  EXPECT_TRUE(make_error(ErrorKind::kNone, "x").ok());
  // Statuses from elsewhere have no kind.
  EXPECT_EQ(error_kind(absl::UnavailableError("other")), ErrorKind::kOther);
  EXPECT_EQ(to_string(ErrorKind::kTooManyRedirects), "too_many_redirects");
}

}  // namespace
}  // namespace aio::http
