// End-to-end (issue 13): the database dies under a --job crawl. Killed and
// restarted mid-crawl, the worker pauses (the progress display says so),
// reconnects and finishes with every page fetched once and stored once; gone
// for longer than --db_outage, the worker stops with exit 1 and the reason,
// and the same command resumes the job once the server is back.
//
// Each test has a private server (MariaDbServer::start), since it kills it.
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "tests/crawler/crawler_process.h"
#include "tests/crawler/job_harness.h"
#include "tests/fixtures/mariadb.h"

namespace aio::crawler {
namespace {

using aio::testing::MariaDbServer;
using testing::CrawlerProcess;
using testing::CrawlerRun;
using testing::expect_not_fetched_again;
using testing::expect_titles;
using testing::fresh_dir;
using testing::job_args;
using testing::JobDb;
using testing::JobSite;
using std::chrono::milliseconds;

constexpr char kJob[] = "outage";

std::unique_ptr<MariaDbServer> private_server() {
  absl::StatusOr<std::unique_ptr<MariaDbServer>> s = MariaDbServer::start({});
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

// Serves the loop for `d` (the fixture site keeps answering).
Coro<void> serve_for(Duration d) { co_await aio::sleep(d); }

Coro<void> restart_mid_crawl(MariaDbServer* server) {
  if (!server->admin("CREATE DATABASE crawl").ok()) {
    ADD_FAILURE() << "cannot create the database";
    co_return;
  }
  std::string db_url = server->url("crawl");
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = milliseconds(20)});
  if (!site) co_return;
  std::vector<std::string> args = job_args(
      kJob, db_url, site->start_url(),
      {"--concurrency=4", "--per_host=4", "--progress=log",
       "--log_interval=250ms"});
  CrawlerProcess p(args, fresh_dir("outage"));
  {
    auto db = co_await JobDb::open(server->options("crawl"));
    if (!db) co_return;
    EXPECT_TRUE(co_await testing::wait_done(*db, kJob, 60, p));
  }  // the pool is closed before its server dies
  server->kill();
  co_await serve_for(std::chrono::seconds(3));
  EXPECT_FALSE(p.exited()) << "the worker did not wait for the database\n"
                           << p.stdout_so_far() << p.stderr_so_far();
  std::string during = p.stdout_so_far() + p.stderr_so_far();
  EXPECT_NE(during.find("database unreachable since"), std::string::npos)
      << "no pause shown on the progress display:\n" << during;
  // Blocks the loop for the server's start (a second or two): the crawler
  // is paused anyway, and the site's connections wait in the backlog.
  absl::Status back = server->restart();
  EXPECT_TRUE(back.ok()) << back;
  CrawlerRun r = co_await p.wait(std::chrono::seconds(90));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("crawler: done:"), std::string::npos) << r.out;
  // Nothing lost, nothing fetched or stored twice: one worker whose leases
  // (60 s) outlived the outage has no reason to fetch anything again.
  std::map<size_t, int> counts = site->fetch_counts();
  EXPECT_EQ(counts.size(), site->pages());
  for (const auto& [page, n] : counts) {
    EXPECT_EQ(n, 1) << site->site().path(page) << " fetched " << n << " times";
  }
  auto db = co_await JobDb::open(server->options("crawl"));
  if (!db) co_return;
  co_await testing::expect_stored_titles(*db, site->truth(), "titles");
  EXPECT_EQ(co_await db->state_count(kJob, "done"),
            static_cast<int64_t>(site->pages()));
  EXPECT_EQ(co_await db->state_count(kJob, "leased"), 0);
}

TEST(JobDbOutageTest, DatabaseRestartedMidCrawlPausesTheWorkerWhichFinishesWithNothingLost) {
  std::unique_ptr<MariaDbServer> server = private_server();
  if (!server) return;
  aio::run(restart_mid_crawl(server.get()));
}

Coro<void> outage_longer_than_bound(MariaDbServer* server) {
  if (!server->admin("CREATE DATABASE crawl").ok()) {
    ADD_FAILURE() << "cannot create the database";
    co_return;
  }
  std::string db_url = server->url("crawl");
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = milliseconds(20)});
  if (!site) co_return;
  std::vector<std::string> args =
      job_args(kJob, db_url, site->start_url(),
               {"--concurrency=4", "--db_outage=2s", "--lease=2s"});
  CrawlerProcess p(args, fresh_dir("gone"));
  {
    auto db = co_await JobDb::open(server->options("crawl"));
    if (!db) co_return;
    EXPECT_TRUE(co_await testing::wait_done(*db, kJob, 60, p));
  }
  server->kill();
  auto killed_at = std::chrono::steady_clock::now();
  CrawlerRun r = co_await p.wait(std::chrono::seconds(60));
  auto took = std::chrono::steady_clock::now() - killed_at;
  EXPECT_FALSE(r.timed_out) << "the worker never gave up on the database";
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // Not before the bound: it retried for --db_outage first.
  EXPECT_GE(took, std::chrono::seconds(2));
  EXPECT_NE(r.err.find("database"), std::string::npos)
      << "no reason given:\n" << r.err;
  absl::Status back = server->restart();
  EXPECT_TRUE(back.ok()) << back;
  auto db = co_await JobDb::open(server->options("crawl"));
  if (!db) co_return;
  std::vector<std::string> stored = co_await db->urls(kJob, "done");
  EXPECT_GT(stored.size(), 0u);
  EXPECT_LT(stored.size(), site->pages());
  const size_t from = site->log().size();
  CrawlerProcess again(args, fresh_dir("again"));
  CrawlerRun r2 = co_await again.wait(std::chrono::seconds(90));
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  expect_not_fetched_again(*site, stored, from, "resumed run");
  EXPECT_EQ(site->fetch_counts().size(), site->pages());
  co_await testing::expect_stored_titles(*db, site->truth(), "titles");
  EXPECT_EQ(co_await db->state_count(kJob, "done"),
            static_cast<int64_t>(site->pages()));
}

TEST(JobDbOutageTest, DatabaseGoneLongerThanDbOutageIsExit1ThenTheJobResumes) {
  std::unique_ptr<MariaDbServer> server = private_server();
  if (!server) return;
  aio::run(outage_longer_than_bound(server.get()));
}

}  // namespace
}  // namespace aio::crawler
