// End-to-end (issue 13): the command line of --job. --job without --db and
// bad job names are exit 2; --status reports a real job without crawling and
// an unknown one is exit 1; --reset needs --yes off a terminal, asks on one,
// deletes only its job's state (records stay) and the same command then
// crawls anew; on resume, a crawl-defining flag that contradicts the job is
// exit 2 naming each flag and both values, and flags left out take the
// job's stored values.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
using testing::expect_titles;
using testing::fresh_dir;
using testing::job_args;
using testing::JobDb;
using testing::JobSite;
using testing::words;
using std::chrono::milliseconds;

size_t lines(const std::string& s) {
  return std::count(s.begin(), s.end(), '\n');
}

// Braced lists of arguments are never written inside a co_await expression
// in these tests: GCC 12 cannot keep an initializer_list's array in a
// coroutine frame ("array used as initializer"). words() splits a line.
// Nor do these coroutines have default arguments of class type: GCC 12
// destroys them twice.
Coro<CrawlerRun> run(std::vector<std::string> args,
                     CrawlerProcess::SpawnOptions spawn) {
  CrawlerProcess p(args, fresh_dir("cli"), spawn);
  co_return co_await p.wait(std::chrono::seconds(90));
}
Coro<CrawlerRun> run(std::vector<std::string> args) {
  CrawlerProcess p(args, fresh_dir("cli"));
  co_return co_await p.wait(std::chrono::seconds(90));
}

// A finished job `job` over `site` (every page stored).
Coro<void> crawl_job(std::string job, std::string db_url, JobSite& site,
                     std::vector<std::string> extra) {
  CrawlerRun r = co_await run(job_args(job, db_url, site.start_url(), extra));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// ---------------------------------------------------------------- bad input

Coro<void> bad_input(std::string db_url) {
  auto site = co_await JobSite::start({.pages = 20});
  if (!site) co_return;
  // --job without --db.
  CrawlerRun r = co_await run(
      words("--job=a --start_url=" + site->start_url() + " --progress=none"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("--db"), std::string::npos) << r.err;
  // Bad names: 65 characters, characters outside [A-Za-z0-9_.-].
  const std::vector<std::string> names = {std::string(65, 'a'), "a b", "a/b",
                                          "caf\xC3\xA9", "a;drop"};
  for (const std::string& name : names) {
    CrawlerRun b = co_await run(job_args(name, db_url, site->start_url()));
    EXPECT_EQ(b.exit_code, 2) << "--job='" << name << "'\n" << b.err;
    EXPECT_EQ(lines(b.err), 1u) << b.err;
    EXPECT_NE(b.err.find("--job"), std::string::npos) << b.err;
  }
  EXPECT_EQ(site->log().size(), 0u) << "bad input fetched something";
  // 64 characters of every allowed kind are a name.
  std::string longest = std::string(60, 'x') + "A_.-";
  CrawlerRun ok = co_await run(job_args(longest, db_url, site->start_url()));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(site->fetch_counts().size(), site->pages());
}

TEST(JobCliTest, JobWithoutDbAndBadJobNamesAreExit2BeforeAnythingIsFetched) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(bad_input(server.url(opts.database)));
}

// ---------------------------------------------------------------- --status

Coro<void> status(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start({.pages = 120});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  // Unknown job (no tables yet, then tables but no such job).
  CrawlerRun none = co_await run(words("--job=nope --db=" + db_url + " --status"));
  EXPECT_EQ(none.exit_code, 1) << none.out << none.err;
  EXPECT_NE((none.out + none.err).find("no job nope in"), std::string::npos)
      << none.out << none.err;
  co_await crawl_job("st", db_url, *site, words(""));
  CrawlerRun still = co_await run(words("--job=nope --db=" + db_url + " --status"));
  EXPECT_EQ(still.exit_code, 1) << still.out << still.err;
  EXPECT_NE((still.out + still.err).find("no job nope in"), std::string::npos)
      << still.out << still.err;

  const size_t served = site->log().size();
  const int64_t rows = co_await db->job_rows("st");
  CrawlerRun s = co_await run(words("--job=st --db=" + db_url + " --status"));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  // No crawling: nothing fetched, nothing changed in the job.
  EXPECT_EQ(site->log().size(), served);
  EXPECT_EQ(co_await db->job_rows("st"), rows);
  // The job's counts and its one origin.
  const std::string& text = s.out;
  EXPECT_NE(text.find("st"), std::string::npos) << text;
  EXPECT_NE(text.find(site->origin()), std::string::npos)
      << "no per-host line for " << site->origin() << ":\n" << text;
  EXPECT_NE(text.find("done"), std::string::npos) << text;
  EXPECT_NE(text.find("queued"), std::string::npos) << text;
  EXPECT_NE(text.find("leased"), std::string::npos) << text;
  EXPECT_NE(text.find("records"), std::string::npos) << text;
  EXPECT_NE(text.find("120"), std::string::npos)
      << "120 pages done, not in:\n" << text;
}

TEST(JobCliTest, StatusReportsARealJobWithoutCrawlingAndUnknownJobIsExit1) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(status(server.url(opts.database), opts));
}

// A job stopped by SIGINT in the middle shows what is left.
Coro<void> status_of_stopped(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = milliseconds(20)});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  CrawlerProcess p(job_args("half", db_url, site->start_url(),
                            {"--concurrency=4"}),
                   fresh_dir("half"));
  EXPECT_TRUE(co_await testing::wait_done(*db, "half", 40, p));
  p.signal(SIGINT);
  CrawlerRun r = co_await p.wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int64_t queued = co_await db->state_count("half", "queued");
  int64_t done = co_await db->state_count("half", "done");
  EXPECT_GT(queued, 0);
  CrawlerRun s = co_await run(words("--job=half --db=" + db_url + " --status"));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find(std::to_string(queued)), std::string::npos)
      << queued << " queued, not in:\n" << s.out;
  EXPECT_NE(s.out.find(std::to_string(done)), std::string::npos)
      << done << " done, not in:\n" << s.out;
}

TEST(JobCliTest, StatusOfAStoppedJobShowsItsQueuedAndDoneCounts) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(status_of_stopped(server.url(opts.database), opts));
}

// ---------------------------------------------------------------- --reset

Coro<void> reset(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start({.pages = 80});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  co_await crawl_job("gone", db_url, *site, words(""));
  co_await crawl_job("kept", db_url, *site, words("--max_pages=10"));
  const int64_t kept_rows = co_await db->job_rows("kept");
  EXPECT_GT(kept_rows, 0);
  testing::Titles records = co_await db->titles();

  // Not on a terminal: --yes is required.
  CrawlerRun no = co_await run(words("--job=gone --db=" + db_url + " --reset"));
  EXPECT_EQ(no.exit_code, 2) << no.err;
  EXPECT_NE(no.err.find("--yes"), std::string::npos) << no.err;
  EXPECT_EQ(co_await db->job_rows("gone"), 80);

  CrawlerRun yes =
      co_await run(words("--job=gone --db=" + db_url + " --reset --yes"));
  EXPECT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_EQ(co_await db->job_rows("gone"), 0);
  const std::vector<std::string> tables = {"crawl_urls", "crawl_origins",
                                           "crawl_workers", "crawl_host_state"};
  for (const std::string& table : tables) {
    // Only "kept" is left in every job table (that exists: crawl_host_state
    // is created only by workers that needed it).
    if (co_await db->count(absl::StrCat(
            "SELECT COUNT(*) FROM information_schema.tables WHERE "
            "table_schema = DATABASE() AND table_name = '",
            table, "'")) == 0) {
      continue;
    }
    absl::StatusOr<int64_t> other = co_await db->scalar(absl::StrCat(
        "SELECT COUNT(*) FROM ", table,
        " WHERE job_id NOT IN (SELECT id FROM crawl_jobs WHERE name = "
        "'kept')"));
    EXPECT_TRUE(other.ok()) << other.status();
    if (other.ok()) {
      EXPECT_EQ(*other, 0) << table << " keeps rows of 'gone'";
    }
  }
  EXPECT_EQ(co_await db->count("SELECT COUNT(*) FROM crawl_jobs WHERE name = "
                               "'gone'"),
            0);
  // The other job and the records are untouched.
  EXPECT_EQ(co_await db->job_rows("kept"), kept_rows);
  EXPECT_EQ(co_await db->titles(), records);
  CrawlerRun st = co_await run(words("--job=gone --db=" + db_url + " --status"));
  EXPECT_EQ(st.exit_code, 1) << st.out << st.err;
  CrawlerRun st2 = co_await run(words("--job=kept --db=" + db_url + " --status"));
  EXPECT_EQ(st2.exit_code, 0) << st2.err;
  // Resetting a job that does not exist says so.
  CrawlerRun missing =
      co_await run(words("--job=gone --db=" + db_url + " --reset --yes"));
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE((missing.out + missing.err).find("no job gone in"),
            std::string::npos)
      << missing.out << missing.err;

  // The same command again is a new crawl: every page fetched once more,
  // `titles` still one row per page.
  const size_t from = site->log().size();
  co_await crawl_job("gone", db_url, *site, words(""));
  std::map<size_t, int> again = site->fetch_counts(from);
  EXPECT_EQ(again.size(), site->pages());
  co_await testing::expect_stored_titles(*db, site->truth(), "titles after reset");
}

TEST(JobCliTest, ResetNeedsYesOffATerminalAndDeletesOnlyItsJobNotTheRecords) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(reset(server.url(opts.database), opts));
}

// A pty whose slave is the crawler's stdin, the answer typed in advance.
struct Pty {
  int master = -1;
  std::string slave;
  explicit Pty(const std::string& answer) {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return;
    slave = ptsname(master);
    (void)!write(master, answer.data(), answer.size());
  }
  ~Pty() {
    if (master >= 0) close(master);
  }
  // What the crawler wrote to the terminal (and the echo of the answer).
  std::string output() const {
    std::string out;
    char buf[4096];
    if (master < 0) return out;
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) out.append(buf, n);
    return out;
  }
};

Coro<void> reset_on_tty(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start({.pages = 30});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  co_await crawl_job("tty", db_url, *site, words(""));
  {
    Pty pty("n\n");
    EXPECT_FALSE(pty.slave.empty()) << "no pty";
    if (pty.slave.empty()) co_return;
    CrawlerProcess::SpawnOptions spawn;
    spawn.stdin_path = pty.slave;
    CrawlerRun r = co_await run(
        words("--job=tty --db=" + db_url + " --reset"), spawn);
    std::string said = r.out + r.err + pty.output();
    EXPECT_NE(said.find("reset job tty (30 URLs, 30 done)? [y/N]"),
              std::string::npos)
        << said;
    EXPECT_NE(r.exit_code, 2) << "asked, not refused: " << said;
    EXPECT_EQ(co_await db->job_rows("tty"), 30) << "answered n, yet reset";
  }
  {
    Pty pty("y\n");
    CrawlerProcess::SpawnOptions spawn;
    spawn.stdin_path = pty.slave;
    CrawlerRun r = co_await run(
        words("--job=tty --db=" + db_url + " --reset"), spawn);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(co_await db->job_rows("tty"), 0) << "answered y, not reset";
  }
}

TEST(JobCliTest, ResetOnATerminalAsksAndDoesWhatTheAnswerSays) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(reset_on_tty(server.url(opts.database), opts));
}

// ---------------------------------------------------------------- resume

Coro<void> mismatch(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start({.pages = 50});
  auto other = co_await JobSite::start({.pages = 5});
  auto db = co_await JobDb::open(opts);
  if (!site || !other || !db) co_return;
  co_await crawl_job("m", db_url, *site, words("--max_pages=20"));
  const size_t served = site->log().size();

  // Two flags that differ: one line naming each with both values.
  CrawlerRun r = co_await run(
      job_args("m", db_url, site->start_url(),
               words("--max_pages=20 --select=title --max_depth=3")));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("--select: the job has 'h3.info-title.shuang', this "
                       "run says 'title'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--max_depth"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'3'"), std::string::npos) << r.err;
  // Other start URLs.
  CrawlerRun u = co_await run(
      job_args("m", db_url, other->start_url(), words("--max_pages=20")));
  EXPECT_EQ(u.exit_code, 2) << u.err;
  EXPECT_NE(u.err.find("--start_url"), std::string::npos) << u.err;
  EXPECT_NE(u.err.find(site->start_url()), std::string::npos) << u.err;
  EXPECT_NE(u.err.find(other->start_url()), std::string::npos) << u.err;
  // Politeness that defines the crawl too.
  const std::vector<std::string> flags = {
      "--per_host=3",        "--delay=1s", "--rate=5/1s",
      "--obey_robots=false", "--deny=x",   "--user_agent=other/1.0"};
  for (const std::string& flag : flags) {
    CrawlerRun f = co_await run(job_args("m", db_url, site->start_url(),
                                         words("--max_pages=20 " + flag)));
    EXPECT_EQ(f.exit_code, 2) << flag << ": " << f.err;
    EXPECT_NE(f.err.find(flag.substr(0, flag.find('='))), std::string::npos)
        << f.err;
  }
  EXPECT_EQ(site->log().size(), served) << "a refused resume fetched";
  EXPECT_EQ(other->log().size(), 0u);

  // The same values again, and per-process flags that differ: accepted; the
  // job is finished, so nothing is fetched again.
  CrawlerRun same = co_await run(job_args(
      "m", db_url, site->start_url(),
      words("--max_pages=20 --concurrency=3 --timeout=10s --retries=0")));
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(site->page_requests(served), 0u)
      << "a finished job's re-run fetched pages";
  // --job and --db alone resume too.
  CrawlerRun bare = co_await run(words("--job=m --db=" + db_url + " --progress=none"));
  EXPECT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(site->page_requests(served), 0u);
}

TEST(JobCliTest, ResumeWithContradictingFlagsIsExit2NamingEachFlagAndBothValues) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(mismatch(server.url(opts.database), opts));
}

Coro<void> stored_settings(std::string db_url, db::Options opts) {
  auto site = co_await JobSite::start(
      {.pages = 300, .page_delay = milliseconds(20)});
  auto db = co_await JobDb::open(opts);
  if (!site || !db) co_return;
  CrawlerProcess p(job_args("s", db_url, site->start_url(), {"--concurrency=4"}),
                   fresh_dir("s"));
  EXPECT_TRUE(co_await testing::wait_done(*db, "s", 40, p));
  p.signal(SIGINT);
  CrawlerRun r = co_await p.wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(co_await db->state_count("s", "done"),
            static_cast<int64_t>(site->pages()));
  // No --start_url, no --select, no --max_depth: the job's own are used.
  // With the default --select=title every new record would be the page's
  // <title>, so the titles prove the selector came from the job.
  CrawlerRun rest = co_await run(
      words("--job=s --db=" + db_url + " --progress=none --concurrency=2"));
  EXPECT_EQ(rest.exit_code, 0) << rest.err;
  co_await testing::expect_stored_titles(*db, site->truth(), "titles");
  EXPECT_EQ(co_await db->state_count("s", "done"),
            static_cast<int64_t>(site->pages()));
}

TEST(JobCliTest, ResumeWithOnlyJobAndDbUsesTheJobsStoredSettings) {
  MariaDbServer& server = MariaDbServer::shared();
  db::Options opts = server.fresh_database();
  aio::run(stored_settings(server.url(opts.database), opts));
}

}  // namespace
}  // namespace aio::crawler
