// Memory is bounded by the frontier, not by the bytes downloaded: the real
// crawler binary on a generated 100,000-page site (and a 10,000-page one for
// comparison), peak RSS from wait4().
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "loop/run.h"
#include "tests/crawler/crawler_process.h"
#include "tests/fixtures/http_server.h"
#include "tests/fixtures/site.h"

namespace aio::crawler {
namespace {

using aio::testing::HttpServer;
using testing::CrawlerProcess;
using testing::CrawlerRun;
using testing::fresh_dir;
using testing::slurp;
using Reply = HttpServer::Reply;
using Request = HttpServer::RecordedRequest;


Coro<CrawlerRun> crawl_big(size_t pages) {
  absl::StatusOr<aio::testing::Site> site =
      aio::testing::Site::create({.pages = pages});
  EXPECT_TRUE(site.ok());
  HttpServer::Options so;
  so.handler = site->handler();
  so.log_requests = false;  // the test's own memory stays small too
  auto server = co_await HttpServer::start(std::move(so));
  std::string dir = fresh_dir("big");
  CrawlerProcess p({"--start_url=" + (*server)->url("/"),
                    "--out=" + dir + "/out.jsonl", "--progress=none",
                    "--select=h3.info-title.shuang", "--max_depth=-1",
                    "--obey_robots=false", "--concurrency=64",
                    "--per_host=64"},
                   dir);
  CrawlerRun run = co_await p.wait(std::chrono::seconds(600));
  std::string text = slurp(dir + "/out.jsonl");
  run.out = std::to_string(std::count(text.begin(), text.end(), '\n'));
  EXPECT_EQ((*server)->stats().requests, pages);  // each page once
  co_return run;
}

TEST(CrawlerE2eTest, MemoryStaysFlatOnA100000PageSite) {
  CrawlerRun small = aio::run(crawl_big(10000));
  CrawlerRun big = aio::run(crawl_big(100000));
  ASSERT_EQ(big.exit_code, 0) << big.err;
  EXPECT_EQ(small.out, "10000");
  EXPECT_EQ(big.out, "100000");
  // 10x the pages (and bytes): memory grows by the frontier only (~100
  // bytes a URL), far below 10x, and under the 64 MiB target.
  EXPECT_LT(big.max_rss_kib, 64 * 1024) << big.max_rss_kib;
  EXPECT_LT(big.max_rss_kib - small.max_rss_kib, 32 * 1024)
      << small.max_rss_kib << " -> " << big.max_rss_kib;
}

}  // namespace
}  // namespace aio::crawler
