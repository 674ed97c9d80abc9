// End-to-end (issue 13): a --job crawl killed at every moment of a page's
// life — right after a claim committed, inside a completion transaction,
// right after it committed, while a request is pending at the server — and
// stopped by SIGINT, then resumed by the same command. Each time: `titles`
// holds every page once with its title, the job ends with every URL done,
// and the server's request log shows no page fetched again once its records
// had been stored (the job's done set read between the two runs).
#include <signal.h>

#include <ostream>
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

constexpr char kJob[] = "crash";

// The resumed run, and what every test checks after it: exit 0, every URL
// of the job done, `titles` exact, no page stored before `from` fetched
// again, no page fetched twice by the one healthy run.
Coro<void> resume_and_check(JobSite& site, JobDb& db,
                            std::vector<std::string> args,
                            std::vector<std::string> stored, size_t from) {
  CrawlerProcess p(args, fresh_dir("resume"));
  CrawlerRun r = co_await p.wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("crawler: done:"), std::string::npos) << r.out;
  expect_not_fetched_again(site, stored, from, "resumed run");
  for (const auto& [page, n] : site.fetch_counts(from)) {
    EXPECT_EQ(n, 1) << site.site().path(page)
                    << " fetched more than once by the resumed run";
  }
  // Every page was fetched, by one run or the other.
  EXPECT_EQ(site.fetch_counts().size(), site.pages());
  EXPECT_EQ(co_await db.state_count(kJob, "done"),
            static_cast<int64_t>(site.pages()));
  EXPECT_EQ(co_await db.state_count(kJob, "queued"), 0);
  EXPECT_EQ(co_await db.state_count(kJob, "leased"), 0);
  co_await testing::expect_stored_titles(db, site.truth(), "titles after resume");
}

// ---------------------------------------------------------------- crash points

struct CrashPoint {
  const char* spec;  // AIO_CRAWLER_CRASH
  const char* name;
  friend void PrintTo(const CrashPoint& p, std::ostream* os) { *os << p.spec; }
};

class JobCrashPointTest : public ::testing::TestWithParam<CrashPoint> {};

Coro<void> crash_then_resume(std::string spec, std::string db_url,
                             db::Options opts) {
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = std::chrono::milliseconds(5)});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  std::vector<std::string> args =
      job_args(kJob, db_url, site->start_url(),
               {"--lease=2s", "--concurrency=8", "--per_host=8"});
  CrawlerProcess first(args, fresh_dir("crash"),
                       {.env = {{"AIO_CRAWLER_CRASH", spec}}});
  CrawlerRun r = co_await first.wait();
  // The process killed itself at the crash point: it did not finish.
  EXPECT_EQ(r.term_signal, SIGKILL)
      << "AIO_CRAWLER_CRASH=" << spec << " never fired; exit " << r.exit_code
      << "\n" << r.out << r.err;
  std::vector<std::string> stored = co_await db->urls(kJob, "done");
  int64_t leased = co_await db->state_count(kJob, "leased");
  const size_t from = site->log().size();
  // Killed in the middle: some of the site is still to do.
  EXPECT_LT(stored.size(), site->pages()) << "the crash came after the end";
  std::string point = spec.substr(0, spec.find(':'));
  if (point == "claim") {
    // The claim committed: its leases are in the table, owned by a dead
    // worker, and must be taken over once they expire.
    EXPECT_GT(leased, 0) << "no lease left by a crash right after a claim";
  } else if (point == "commit") {
    // The batch being committed was lost whole: its pages are still leased
    // (not done), so they are fetched again — and nothing of them stored.
    EXPECT_GT(leased, 0) << "no lease left by a crash inside a commit";
  } else if (point == "committed") {
    // The batch was committed: its pages are done and never fetched again.
    EXPECT_GT(stored.size(), 0u) << "nothing done after a committed batch";
  }
  // Titles of pages not done are not in `titles` (records, links and done
  // mark go together): the rows so far are exactly the done pages'.
  testing::Titles partial;
  for (const std::string& u : stored) {
    std::optional<size_t> p = site->page_of_url(u);
    if (p) partial.emplace_back(u, site->site().title(*p));
  }
  std::sort(partial.begin(), partial.end());
  co_await testing::expect_stored_titles(*db, partial, "titles at the crash");
  co_await resume_and_check(*site, *db, args, std::move(stored), from);
}

TEST_P(JobCrashPointTest, KillNineThenTheSameCommandCompletesWithNothingLostOrRedone) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(crash_then_resume(GetParam().spec, server.url(opts.database), opts));
}

INSTANTIATE_TEST_SUITE_P(
    CrashPoints, JobCrashPointTest,
    ::testing::Values(CrashPoint{"claim:20", "AfterAClaimCommitted"},
                      CrashPoint{"commit:2", "InsideACompletionTransaction"},
                      CrashPoint{"committed:2", "AfterACompletionCommitted"}),
    [](const ::testing::TestParamInfo<CrashPoint>& info) {
      return std::string(info.param.name);
    });

// ---------------------------------------------------------------- mid-fetch

Coro<void> kill_mid_fetch(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = std::chrono::milliseconds(5)});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  // Page 100's first answer stalls: its request is pending at the server
  // when the crawler is killed.
  const size_t stalled = 100;
  const std::string target = site->site().path(stalled);
  site->stall(stalled, std::chrono::seconds(30));
  std::vector<std::string> args = job_args(
      kJob, db_url, site->start_url(), {"--lease=2s", "--concurrency=8"});
  CrawlerProcess first(args, fresh_dir("midfetch"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (site->requests_for(target) == 0 && !first.exited() &&
         std::chrono::steady_clock::now() < deadline) {
    co_await aio::sleep(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(site->requests_for(target), 1u) << "page 100 never requested";
  if (site->requests_for(target) != 1) co_return;
  // Let the rest of the crawl go on for a while with that request pending.
  co_await testing::wait_done(*db, kJob, 150, first, std::chrono::seconds(30));
  first.signal(SIGKILL);
  CrawlerRun r = co_await first.wait();
  EXPECT_EQ(r.term_signal, SIGKILL) << r.out << r.err;
  std::vector<std::string> stored = co_await db->urls(kJob, "done");
  const size_t from = site->log().size();
  std::vector<std::string> leased = co_await db->urls(kJob, "leased");
  EXPECT_NE(std::find(leased.begin(), leased.end(),
                      site->site().url(site->origin(), stalled)),
            leased.end())
      << "the pending page is not leased at the kill";
  co_await resume_and_check(*site, *db, args, std::move(stored), from);
  // Asked once by the killed worker, once (with an answer) after resume.
  EXPECT_EQ(site->requests_for(target), 2u);
}

TEST(JobCrashTest, KillNineWhileARequestIsPendingThenResumeFetchesItAgain) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(kill_mid_fetch(server.url(opts.database), opts));
}

// ---------------------------------------------------------------- SIGINT

Coro<void> sigint_then_resume(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = std::chrono::milliseconds(20)});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  // A default (long) lease: leases not handed back at SIGINT would keep
  // their URLs from the resumed run for a minute; the table must show none.
  std::vector<std::string> args =
      job_args(kJob, db_url, site->start_url(), {"--concurrency=6"});
  CrawlerProcess first(args, fresh_dir("sigint"));
  EXPECT_TRUE(co_await testing::wait_done(*db, kJob, 60, first));
  first.signal(SIGINT);
  CrawlerRun r = co_await first.wait(std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("crawler: stopped:"), std::string::npos) << r.out;
  int64_t left = testing::number_before(
      r.out, std::string(" URLs left in job ") + kJob);
  int64_t queued = co_await db->state_count(kJob, "queued");
  int64_t done = co_await db->state_count(kJob, "done");
  EXPECT_GT(left, 0) << "no \"N URLs left in job " << kJob << "\" in:\n"
                     << r.out;
  EXPECT_EQ(left, queued) << r.out;
  EXPECT_EQ(co_await db->state_count(kJob, "leased"), 0)
      << "SIGINT left leases in the job instead of handing them back";
  EXPECT_EQ(done + queued, co_await db->job_rows(kJob));
  EXPECT_LT(done, static_cast<int64_t>(site->pages()));
  // Nothing is done that was not fetched (whether requests in flight at the
  // SIGINT finish and are stored, or are handed back, they are not lost:
  // done + queued covers the job).
  EXPECT_GE(static_cast<int64_t>(site->fetch_counts().size()), done);
  std::vector<std::string> stored = co_await db->urls(kJob, "done");
  const size_t from = site->log().size();
  co_await resume_and_check(*site, *db, args, std::move(stored), from);
}

TEST(JobCrashTest, SigintHandsLeasesBackSaysWhatIsLeftAndTheSameCommandResumes) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(sigint_then_resume(server.url(opts.database), opts));
}

Coro<void> second_sigint(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start(
      {.pages = 200, .page_delay = std::chrono::milliseconds(5)});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  const size_t stalled = 50;
  site->stall(stalled, std::chrono::seconds(60));
  std::vector<std::string> args =
      job_args(kJob, db_url, site->start_url(), {"--lease=2s"});
  CrawlerProcess first(args, fresh_dir("sigint2"));
  const std::string target = site->site().path(stalled);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (site->requests_for(target) == 0 && !first.exited() &&
         std::chrono::steady_clock::now() < deadline) {
    co_await aio::sleep(std::chrono::milliseconds(5));
  }
  // The first SIGINT waits for the stalled request; the second does not.
  first.signal(SIGINT);
  co_await aio::sleep(std::chrono::milliseconds(300));
  first.signal(SIGINT);
  CrawlerRun r = co_await first.wait(std::chrono::seconds(20));
  EXPECT_FALSE(r.timed_out) << "the second SIGINT did not exit at once";
  EXPECT_EQ(r.exit_code, 130) << r.err;
  std::vector<std::string> stored = co_await db->urls(kJob, "done");
  const size_t from = site->log().size();
  co_await resume_and_check(*site, *db, args, std::move(stored), from);
}

TEST(JobCrashTest, SecondSigintExitsAtOnceAndTheJobStillResumesWhole) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(second_sigint(server.url(opts.database), opts));
}

}  // namespace
}  // namespace aio::crawler
