// End-to-end: the real crawler binary writing to the private MariaDB server
// (--db=), checked against the generated site's ground truth.
#include <stdlib.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "db/pool.h"
#include "gtest/gtest.h"
#include "loop/run.h"
#include "tests/crawler/crawler_process.h"
#include "tests/fixtures/http_server.h"
#include "tests/fixtures/mariadb.h"
#include "tests/fixtures/site.h"

namespace aio::crawler {
namespace {

using aio::testing::HttpServer;
using aio::testing::MariaDbServer;
using testing::CrawlerProcess;
using testing::CrawlerRun;
using testing::fresh_dir;

Coro<std::vector<std::pair<std::string, std::string>>> table(
    db::Options opts) {
  std::vector<std::pair<std::string, std::string>> out;
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
  EXPECT_TRUE(pool.ok()) << pool.status();
  if (!pool.ok()) co_return out;
  absl::StatusOr<db::ResultSet> rs =
      co_await pool->query("SELECT url, title FROM titles");
  EXPECT_TRUE(rs.ok()) << rs.status();
  if (!rs.ok()) co_return out;
  for (size_t i = 0; i < rs->size(); ++i) {
    out.emplace_back(*(*rs)[i].get<std::string>(0),
                     *(*rs)[i].get<std::string>(1));
  }
  std::sort(out.begin(), out.end());
  co_return out;
}

TEST(CrawlerMariaDbE2eTest, CrawlIntoMariaDbMatchesTheSiteAndReRunsNeverDouble) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  std::string db_url = server.url(opts.database);
  aio::run([](std::string db_url, db::Options opts) -> Coro<void> {
    absl::StatusOr<aio::testing::Site> site =
        aio::testing::Site::create({.pages = 1500});
    HttpServer::Options so;
    so.handler = site->handler();
    auto http = co_await HttpServer::start(std::move(so));
    std::vector<std::pair<std::string, std::string>> want;
    for (size_t i = 0; i < site->size(); ++i) {
      want.emplace_back(site->url((*http)->url(""), i), site->title(i));
    }
    std::sort(want.begin(), want.end());
    for (int run = 0; run < 2; ++run) {
      std::string dir = fresh_dir("db");
      CrawlerProcess p({"--start_url=" + (*http)->url("/"), "--db=" + db_url,
                        "--select=h3.info-title.shuang", "--max_depth=-1",
                        "--progress=none"},
                       dir);
      CrawlerRun r = co_await p.wait();
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_NE(r.out.find("crawler: done: 1500 pages, 1500 records"),
                std::string::npos)
          << r.out;
      std::vector<std::pair<std::string, std::string>> got =
          co_await table(opts);
      EXPECT_EQ(got.size(), want.size()) << "run " << run;
      std::vector<std::pair<std::string, std::string>> extra, lost;
      std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                          std::back_inserter(extra));
      std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                          std::back_inserter(lost));
      for (const auto& [u, t] : extra) ADD_FAILURE() << "extra " << u << " " << t;
      for (const auto& [u, t] : lost) ADD_FAILURE() << "lost " << u << " " << t;
    }
  }(db_url, opts));
}

TEST(CrawlerMariaDbE2eTest, UnreachableDatabaseIsExit1WithTheReasonNotThePassword) {
  aio::run([]() -> Coro<void> {
    auto http = co_await HttpServer::start();
    std::string dir = fresh_dir("nodb");
    setenv("MARIADB_PASSWORD", "pw-7f3a-secret", 1);
    CrawlerProcess p({"--start_url=" + (*http)->url("/"),
                      "--db=mariadb://crawler@127.0.0.1:1/crawl"},
                     dir);
    unsetenv("MARIADB_PASSWORD");
    CrawlerRun r = co_await p.wait();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("pw-7f3a-secret"), std::string::npos) << r.err;
    EXPECT_EQ((*http)->requests().size(), 0u);  // nothing fetched
    // A password in the URL is refused as bad input (exit 2), not echoed.
    CrawlerProcess q({"--start_url=" + (*http)->url("/"),
                      "--db=mariadb://crawler:hunter2@127.0.0.1/crawl"},
                     dir);
    CrawlerRun s = co_await q.wait();
    EXPECT_EQ(s.exit_code, 2) << s.err;
    EXPECT_EQ(s.err.find("hunter2"), std::string::npos) << s.err;
  }());
}

}  // namespace
}  // namespace aio::crawler
