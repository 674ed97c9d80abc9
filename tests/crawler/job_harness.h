// What the end-to-end tests of the crawler's --job mode (issue 13,
// job_*_test.cc) share: a generated site on the fixture HTTP server whose
// pages can be slowed down or stalled, the command line of a job, reads of
// the job's tables and of `titles` in the private MariaDB, and the checks
// every such test makes (titles complete, no row twice, no page fetched
// again once its records were stored).
//
// The job tables are read with the names of the agreed schema
// (crawl_jobs.name, crawl_urls.job_id/url/state/lease_owner,
// crawl_workers.worker_id/pid): they are the contract of issue 13, and this
// header is the one place that knows them.
//
// Threads: the test's loop thread only (JobSite's handler runs there, the
// pool's statements resume there). Lifetime: a JobSite outlives the
// crawler processes that fetch from it; a JobDb outlives its calls.
#ifndef AIO_TESTS_CRAWLER_JOB_HARNESS_H_
#define AIO_TESTS_CRAWLER_JOB_HARNESS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "db/pool.h"
#include "gtest/gtest.h"
#include "loop/coro.h"
#include "loop/sleep.h"
#include "tests/crawler/crawler_process.h"
#include "tests/fixtures/http_server.h"
#include "tests/fixtures/site.h"

namespace aio::crawler::testing {

using Titles = std::vector<std::pair<std::string, std::string>>;  // (url, title)
using aio::testing::HttpServer;

// ---------------------------------------------------------------- the site

// A generated site (tests/fixtures/site.h) on the fixture server. Every page
// answer waits `page_delay` (so a crawl lasts long enough to be killed in
// the middle); stall() makes the next request of one page wait longer (a
// request pending at the server while the test kills the crawler).
class JobSite {
 public:
  struct Options {
    size_t pages = 300;
    size_t links_per_page = 8;
    Duration page_delay{};
    // Served at /robots.txt as text/plain; "" = 404 (everything allowed).
    // (Trivially destructible on purpose: GCC 12 destroys a designated-
    // initializer temporary with a std::string member wrongly when it is an
    // argument in a co_await expression, `co_await start({.pages = 20})`.)
    const char* robots = "";
  };

  static Coro<std::unique_ptr<JobSite>> start(Options options) {
    std::unique_ptr<JobSite> s = create(options);
    if (!s) co_return nullptr;
    HttpServer::Options so = s->server_options();
    auto http = co_await HttpServer::start(std::move(so));
    EXPECT_TRUE(http.ok()) << http.status();
    if (!http.ok()) co_return nullptr;
    s->http_ = *std::move(http);
    co_return s;
  }

  std::string start_url() const { return http_->url("/"); }
  std::string origin() const { return http_->url(""); }
  const aio::testing::Site& site() const { return site_; }
  size_t pages() const { return site_.size(); }
  HttpServer& http() { return *http_; }
  // The next request of page i waits `d` before its answer.
  void stall(size_t page, Duration d) { state_->stalls[page] = d; }

  const std::vector<HttpServer::RecordedRequest>& log() const {
    return http_->requests();
  }
  // The page a logged request asked for (nullopt: robots.txt, not a page).
  std::optional<size_t> page_of(const HttpServer::RecordedRequest& r) const {
    return site_.find(r.target);
  }
  // How often each page was requested in log()[from, to).
  std::map<size_t, int> fetch_counts(size_t from = 0,
                                     size_t to = SIZE_MAX) const {
    std::map<size_t, int> out;
    const auto& l = log();
    for (size_t i = from; i < std::min(to, l.size()); ++i) {
      if (std::optional<size_t> p = page_of(l[i])) ++out[*p];
    }
    return out;
  }
  size_t page_requests(size_t from = 0) const {
    size_t n = 0;
    for (const auto& [p, k] : fetch_counts(from)) n += k;
    return n;
  }
  size_t requests_for(std::string_view target) const {
    size_t n = 0;
    for (const auto& r : log()) n += r.target == target;
    return n;
  }
  // The page requests of the log, in arrival order.
  std::vector<const HttpServer::RecordedRequest*> page_log() const {
    std::vector<const HttpServer::RecordedRequest*> out;
    for (const auto& r : log()) {
      if (page_of(r)) out.push_back(&r);
    }
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) {
      return a->received_at < b->received_at;
    });
    return out;
  }

  // What `titles` must hold after a complete crawl: one row per page.
  Titles truth() const {
    Titles out;
    for (size_t i = 0; i < site_.size(); ++i) {
      out.emplace_back(site_.url(origin(), i), site_.title(i));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // The page of a canonical URL of this site (as the frontier stores it).
  std::optional<size_t> page_of_url(std::string_view url) const {
    std::string o = origin();
    if (url.substr(0, o.size()) != o) return std::nullopt;
    return site_.find(url.substr(o.size()));
  }

 private:
  struct State {
    const aio::testing::Site* site = nullptr;
    Duration page_delay{};
    std::string robots;
    std::map<size_t, Duration> stalls;
  };
  // The plain parts of start(), out of the coroutine (GCC 12 mishandles
  // init-captures of lambdas made in a coroutine frame).
  static std::unique_ptr<JobSite> create(const Options& options) {
    absl::StatusOr<aio::testing::Site> site = aio::testing::Site::create(
        {.pages = options.pages, .links_per_page = options.links_per_page});
    EXPECT_TRUE(site.ok()) << site.status();
    if (!site.ok()) return nullptr;
    return std::unique_ptr<JobSite>(new JobSite(*std::move(site), options));
  }
  HttpServer::Options server_options() const {
    HttpServer::Options so;
    so.handler = [state = state_, handler = site_.handler()](
                     const HttpServer::RecordedRequest& req,
                     std::string_view base) -> std::optional<HttpServer::Reply> {
      if (req.target == "/robots.txt" && !state->robots.empty()) {
        HttpServer::Reply r;
        r.headers = {{"Content-Type", "text/plain"}};
        r.body = state->robots;
        return r;
      }
      std::optional<HttpServer::Reply> r = handler(req, base);
      if (!r) return r;
      r->delay = state->page_delay;
      std::optional<size_t> page = state->site->find(req.target);
      if (page) {
        auto it = state->stalls.find(*page);
        if (it != state->stalls.end()) {
          r->delay = it->second;
          state->stalls.erase(it);
        }
      }
      return r;
    };
    return so;
  }
  JobSite(aio::testing::Site site, const Options& o)
      : site_(std::move(site)), state_(std::make_shared<State>()) {
    state_->site = &site_;
    state_->page_delay = o.page_delay;
    state_->robots = o.robots;
  }
  aio::testing::Site site_;
  std::shared_ptr<State> state_;
  std::unique_ptr<HttpServer> http_;
};

// ---------------------------------------------------------------- the job

// The flags of a job crawl of `site` that every test shares: the site's
// titles into `titles`, no depth limit, no progress display. `extra` comes
// last (a later flag wins).
inline std::vector<std::string> job_args(const std::string& job,
                                         const std::string& db_url,
                                         const std::string& start_url,
                                         std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"--job=" + job, "--db=" + db_url,
                                "--start_url=" + start_url,
                                "--select=h3.info-title.shuang",
                                "--max_depth=-1", "--progress=none"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// "--a=1 --b=2" -> {"--a=1", "--b=2"} (split on single spaces; arguments
// with spaces are built as vectors).
inline std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    if (end > start) out.emplace_back(line.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Reads the job's tables and `titles`. Statement errors are test failures
// (and read as empty / -1), except in the *_or_zero polls, which run before
// the crawler has created its tables.
class JobDb {
 public:
  static Coro<std::unique_ptr<JobDb>> open(db::Options options) {
    options.max_connections = 2;
    absl::StatusOr<db::Pool> pool = co_await db::Pool::create(options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (!pool.ok()) co_return nullptr;
    co_return std::unique_ptr<JobDb>(new JobDb(*std::move(pool)));
  }

  // The first column of every row, as text.
  Coro<absl::StatusOr<std::vector<std::string>>> strings(std::string sql) {
    absl::StatusOr<db::ResultSet> rs = co_await pool_.query(sql);
    if (!rs.ok()) co_return rs.status();
    std::vector<std::string> out;
    for (size_t i = 0; i < rs->size(); ++i) {
      absl::StatusOr<std::string> v = (*rs)[i].get<std::string>(0);
      if (!v.ok()) co_return v.status();
      out.push_back(*std::move(v));
    }
    co_return out;
  }
  Coro<absl::StatusOr<int64_t>> scalar(std::string sql) {
    absl::StatusOr<db::ResultSet> rs = co_await pool_.query(sql);
    if (!rs.ok()) co_return rs.status();
    if (rs->size() != 1) co_return absl::InternalError("not one row: " + sql);
    co_return (*rs)[0].get<int64_t>(0);
  }
  Coro<int64_t> count(std::string sql) {
    absl::StatusOr<int64_t> n = co_await scalar(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    co_return n.ok() ? *n : -1;
  }

  // URLs of `job` in `state` (queued / leased / done / failed / skipped).
  Coro<std::vector<std::string>> urls(std::string job, std::string state) {
    absl::StatusOr<std::vector<std::string>> v = co_await strings(
        absl::StrCat("SELECT u.url FROM crawl_urls u JOIN crawl_jobs j ON "
                     "j.id = u.job_id WHERE j.name = '",
                     job, "' AND u.state = '", state, "'"));
    EXPECT_TRUE(v.ok()) << v.status();
    co_return v.ok() ? *std::move(v) : std::vector<std::string>{};
  }
  Coro<int64_t> state_count(std::string job, std::string state) {
    co_return co_await count(state_sql(job, state));
  }
  // As state_count, 0 while the tables do not exist yet.
  Coro<int64_t> state_count_or_zero(std::string job, std::string state) {
    absl::StatusOr<int64_t> n = co_await scalar(state_sql(job, state));
    co_return n.ok() ? *n : 0;
  }
  Coro<int64_t> job_rows(std::string job) {
    co_return co_await count(absl::StrCat(
        "SELECT COUNT(*) FROM crawl_urls u JOIN crawl_jobs j ON j.id = "
        "u.job_id WHERE j.name = '",
        job, "'"));
  }
  // URLs leased by the worker whose process is `pid` (a killed worker's
  // leases, read after its death).
  Coro<std::vector<std::string>> leased_by_pid(std::string job, pid_t pid) {
    absl::StatusOr<std::vector<std::string>> v = co_await strings(absl::StrCat(
        "SELECT u.url FROM crawl_urls u JOIN crawl_jobs j ON j.id = u.job_id "
        "JOIN crawl_workers w ON w.job_id = u.job_id AND w.worker_id = "
        "u.lease_owner WHERE j.name = '",
        job, "' AND u.state = 'leased' AND w.pid = ", pid));
    EXPECT_TRUE(v.ok()) << v.status();
    co_return v.ok() ? *std::move(v) : std::vector<std::string>{};
  }

  // Every row of `titles` (duplicates kept), sorted.
  Coro<Titles> titles() {
    Titles out;
    absl::StatusOr<db::ResultSet> rs =
        co_await pool_.query("SELECT url, title FROM titles");
    EXPECT_TRUE(rs.ok()) << rs.status();
    if (!rs.ok()) co_return out;
    for (size_t i = 0; i < rs->size(); ++i) {
      out.emplace_back(*(*rs)[i].get<std::string>(0),
                       *(*rs)[i].get<std::string>(1));
    }
    std::sort(out.begin(), out.end());
    co_return out;
  }

  db::Pool& pool() { return pool_; }

 private:
  explicit JobDb(db::Pool pool) : pool_(std::move(pool)) {}
  static std::string state_sql(const std::string& job,
                               const std::string& state) {
    return absl::StrCat(
        "SELECT COUNT(*) FROM crawl_urls u JOIN crawl_jobs j ON j.id = "
        "u.job_id WHERE j.name = '",
        job, "' AND u.state = '", state, "'");
  }
  db::Pool pool_;
};

// ---------------------------------------------------------------- checks

// `got` is exactly `want`: every (url, title) once, nothing else. Reports
// the first few rows lost, extra or doubled.
inline void expect_titles(const Titles& got, const Titles& want,
                          const std::string& what) {
  EXPECT_EQ(got.size(), want.size()) << what;
  Titles extra, lost;
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(lost));
  size_t shown = 0;
  for (size_t i = 0; i + 1 < got.size() && shown < 5; ++i) {
    if (got[i] == got[i + 1]) {
      ADD_FAILURE() << what << ": row twice: " << got[i].first;
      ++shown;
    }
  }
  for (size_t i = 0; i < extra.size() && i < 5; ++i) {
    ADD_FAILURE() << what << ": extra row " << extra[i].first << " '"
                  << extra[i].second << "'";
  }
  for (size_t i = 0; i < lost.size() && i < 5; ++i) {
    ADD_FAILURE() << what << ": lost " << lost[i].first << " '"
                  << lost[i].second << "'";
  }
  if (extra.size() + lost.size() > 10) {
    ADD_FAILURE() << what << ": " << extra.size() << " extra, " << lost.size()
                  << " lost in all";
  }
}

// `titles` in the database is exactly `want` (see expect_titles).
inline Coro<void> expect_stored_titles(JobDb& db, Titles want,
                                       std::string what) {
  Titles got = co_await db.titles();
  expect_titles(got, want, what);
}

// No page whose URL is in `stored` (done before the crash: its records were
// committed) was requested in site.log()[from, ...).
inline void expect_not_fetched_again(const JobSite& site,
                                     const std::vector<std::string>& stored,
                                     size_t from, const std::string& what) {
  std::set<size_t> done;
  for (const std::string& u : stored) {
    std::optional<size_t> p = site.page_of_url(u);
    EXPECT_TRUE(p.has_value()) << what << ": done URL not of the site: " << u;
    if (p) done.insert(*p);
  }
  size_t again = 0;
  for (const auto& [page, n] : site.fetch_counts(from)) {
    if (done.count(page)) {
      if (++again <= 5) {
        ADD_FAILURE() << what << ": " << site.site().path(page)
                      << " fetched again after its records were stored";
      }
    }
  }
  EXPECT_EQ(again, 0u) << what << ": pages fetched again after being stored";
}

// Serves the loop until `job` has at least `n` URLs done (or the crawler
// exits, or `limit` passes); true if reached.
inline Coro<bool> wait_done(JobDb& db, std::string job, int64_t n,
                            const CrawlerProcess& p,
                            Duration limit = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (co_await db.state_count_or_zero(job, "done") >= n) co_return true;
    if (p.exited()) co_return false;
    co_await aio::sleep(std::chrono::milliseconds(20));
  }
  co_return false;
}

// Serves the loop until the site has served at least `n` page requests (or
// `p` exits, or `limit` passes); true if reached.
inline Coro<bool> wait_requests(const JobSite& site, size_t n,
                                const CrawlerProcess& p,
                                Duration limit = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (site.page_requests() >= n) co_return true;
    if (p.exited()) co_return false;
    co_await aio::sleep(std::chrono::milliseconds(5));
  }
  co_return false;
}

// The count after `label` in a line of `text` ("12 URLs left" with label
// "URLs left" -> 12), or -1.
inline int64_t number_before(const std::string& text, const std::string& label) {
  size_t at = text.find(label);
  if (at == std::string::npos) return -1;
  size_t end = at;
  while (end > 0 && text[end - 1] == ' ') --end;
  size_t begin = end;
  while (begin > 0 && isdigit(static_cast<unsigned char>(text[begin - 1]))) {
    --begin;
  }
  if (begin == end) return -1;
  return std::stoll(text.substr(begin, end - begin));
}

}  // namespace aio::crawler::testing

#endif  // AIO_TESTS_CRAWLER_JOB_HARNESS_H_
