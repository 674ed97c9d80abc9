#include "crawler/progress.h"

#include <chrono>
#include <string>

#include "crawler/stats.h"
#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

TEST(ProgressTest, StatusLineCountsPagesAndRate) {
  CrawlStats before;
  CrawlStats now;
  now.pages = 50;
  now.in_flight = 3;
  now.queued = 7;
  now.records = 40;
  now.elapsed = std::chrono::seconds(10);
  EXPECT_EQ(Progress::status_text(now, before),
            "50 pages  5.0 pages/s  3 in flight  7 queued  40 records  0 errors");
}

TEST(ProgressTest, StatusLineSaysSinceWhenTheDatabaseIsUnreachable) {
  CrawlStats s;
  EXPECT_EQ(Progress::status_text(s, s).find("unreachable"), std::string::npos);
  s.paused_since = std::chrono::system_clock::now();
  std::string text = Progress::status_text(s, s);
  size_t at = text.find("  database unreachable since ");
  ASSERT_NE(at, std::string::npos) << text;
  std::string rest = text.substr(at + 29);
  // HH:MM:SS, then the promise.
  ASSERT_GE(rest.size(), 8u);
  EXPECT_EQ(rest[2], ':');
  EXPECT_EQ(rest[5], ':');
  EXPECT_EQ(rest.substr(8), ", retrying");
}

}  // namespace
}  // namespace aio::crawler
