#include "crawler/job.h"

#include "absl/strings/str_cat.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crawler/mariadb_frontier.h"
#include "db/pool.h"
#include "gtest/gtest.h"
#include "loop/run.h"
#include "tests/fixtures/mariadb.h"

#define CO_ASSERT_TRUE(c) \
  do {                    \
    EXPECT_TRUE(c);       \
    if (!(c)) co_return;  \
  } while (0)

namespace aio::crawler {
namespace {

using aio::testing::MariaDbServer;

bool any(std::string_view) { return true; }

Options base() {
  Options o;
  o.start_urls = {"http://Site.test:80/a/../"};
  o.select = "h3.x";
  o.max_depth = 3;
  return o;
}

std::set<std::string> all_flags() {
  return std::set<std::string>(std::begin(kJobFlags), std::end(kJobFlags));
}

TEST(JobTest, SettingsRoundTripThroughTheirTextForm) {
  Options o = base();
  o.allow = {"a\tb", "c\\d", "new\nline"};
  o.deny = {};
  o.rate = Rate{3, std::chrono::minutes(1)};
  o.delay = std::chrono::milliseconds(1500);
  o.user_agent = "bot/1";
  JobSettings s = job_settings(o);
  EXPECT_EQ(s["start_url"], std::vector<std::string>{"http://site.test/"});
  EXPECT_EQ(s["rate"], std::vector<std::string>{"3/1m"});
  EXPECT_EQ(s["delay"], std::vector<std::string>{"1.5s"});
  std::string text = encode_settings(s);
  absl::StatusOr<JobSettings> back = decode_settings(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  // Stored values come back into Options.
  Options fresh;
  ASSERT_TRUE(apply_job_settings(*back, {}, fresh).ok());
  EXPECT_EQ(fresh.allow, o.allow);
  EXPECT_EQ(fresh.select, "h3.x");
  EXPECT_EQ(fresh.max_depth, 3);
  ASSERT_TRUE(fresh.rate.has_value());
  EXPECT_EQ(fresh.rate->count, 3);
  EXPECT_EQ(fresh.rate->period, std::chrono::minutes(1));
  EXPECT_EQ(fresh.delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(fresh.user_agent, "bot/1");
  EXPECT_EQ(fresh.start_urls, std::vector<std::string>{"http://site.test/"});
  // A damaged text is an error, not a guess.
  EXPECT_FALSE(decode_settings("select\tx\\q\n").ok());
  EXPECT_FALSE(decode_settings("nosuchflag\tx\n").ok());
}

TEST(JobTest, ResumeNamesEveryDifferingFlagWithBothValues) {
  JobSettings stored = job_settings(base());
  Options now = base();
  now.select = "title";
  now.max_depth = 7;
  now.start_urls = {"http://site.test/", "http://other.test/"};
  absl::Status s = apply_job_settings(
      stored, {"select", "max_depth", "start_url"}, now);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  std::string m(s.message());
  EXPECT_NE(m.find("--select: the job has 'h3.x', this run says 'title'"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("--max_depth: the job has '3', this run says '7'"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("--start_url: the job has 'http://site.test/', this run "
                   "says 'http://other.test/', 'http://site.test/'"),
            std::string::npos)
      << m;
  // The same flags given with the same values (start URL spelled otherwise)
  // are fine; flags not given take the stored values.
  Options again;
  again.start_urls = {"HTTP://site.test"};
  again.select = "whatever";
  absl::Status ok = apply_job_settings(stored, {"start_url"}, again);
  EXPECT_TRUE(ok.ok()) << ok;
  EXPECT_EQ(again.select, "h3.x");
  // Per-process flags are not part of a job.
  Options per_process = base();
  per_process.concurrency = 99;
  per_process.timeout = std::chrono::seconds(1);
  EXPECT_TRUE(apply_job_settings(stored, all_flags(), per_process).ok());
}

// A job over many hosts lists the kStatusHosts with the most left to do and
// sums up the rest in one line.
TEST(JobTest, StatusOfManyHostsShowsTheBusiestAndSumsTheRest) {
  JobStatus st;
  st.name = "wide";
  for (int i = 0; i < 25; ++i) {
    JobStatus::Origin o;
    o.origin = absl::StrCat("http://h", i, ".test");
    o.queued = static_cast<uint64_t>(i);  // h24 has the most
    o.leased = i == 3 ? 100 : 0;          // h3: 103 left, the most of all
    o.done = 1;
    st.origins.push_back(o);
  }
  std::string text = render_status(st);
  EXPECT_NE(text.find("http://h3.test: 3 queued, 100 leased"), std::string::npos)
      << text;
  EXPECT_NE(text.find("http://h24.test: 24 queued"), std::string::npos) << text;
  EXPECT_LT(text.find("http://h3.test:"), text.find("http://h24.test:"));
  // The five with the least left (h0, h1, h2, h4, h5) are summed up.
  EXPECT_EQ(text.find("http://h0.test:"), std::string::npos) << text;
  EXPECT_EQ(text.find("http://h5.test:"), std::string::npos) << text;
  EXPECT_NE(text.find("    ... 5 more hosts: 12 queued, 0 leased, 5 done\n"),
            std::string::npos)
      << text;
  // kStatusHosts or fewer: all of them, in the order given, no summary line.
  st.origins.resize(kStatusHosts);
  std::string all = render_status(st);
  EXPECT_NE(all.find("http://h0.test:"), std::string::npos) << all;
  EXPECT_EQ(all.find("more hosts"), std::string::npos) << all;
  EXPECT_LT(all.find("http://h0.test:"), all.find("http://h1.test:"));
}

TEST(JobTest, JobNamesAreShortAndPlain) {
  EXPECT_TRUE(valid_job_name("news-2024_v1.2").ok());
  EXPECT_TRUE(valid_job_name(std::string(64, 'a')).ok());
  for (std::string bad : {std::string(), std::string(65, 'a'),
                          std::string("a b"), std::string("a/b"),
                          std::string("j\xc3\xa9"), std::string("x;drop")}) {
    absl::Status s = valid_job_name(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("1-64"), std::string::npos);
  }
}

Coro<void> lifecycle(db::Options opts) {
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
  CO_ASSERT_TRUE(pool.ok());
  absl::Status t = co_await create_job_tables(*pool);
  CO_ASSERT_TRUE(t.ok());
  // Twice is fine (IF NOT EXISTS).
  t = co_await create_job_tables(*pool);
  EXPECT_TRUE(t.ok()) << t;
  absl::StatusOr<std::optional<Job>> none = co_await find_job(*pool, "news");
  CO_ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  absl::StatusOr<JobStatus> unknown = co_await job_status(*pool, "news");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("no job news in "),
            std::string::npos)
      << unknown.status();

  Options o = base();
  o.max_pages = 10;
  absl::StatusOr<Job> job = co_await create_job(*pool, "news", o);
  CO_ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->max_pages, 10);
  // A second worker creating it gets the same job, with the first's flags.
  Options other = base();
  other.select = "title";
  absl::StatusOr<Job> same = co_await create_job(*pool, "news", other);
  CO_ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->id, job->id);
  EXPECT_EQ(same->settings.at("select"), std::vector<std::string>{"h3.x"});
  absl::StatusOr<Job> second = co_await create_job(*pool, "other", o);
  CO_ASSERT_TRUE(second.ok());
  EXPECT_NE(second->id, job->id);

  // A little crawl state: 3 URLs, one done with a record, one leased.
  MariaDbFrontierOptions fo;
  fo.background = false;
  fo.worker_id = "w1";
  absl::StatusOr<std::unique_ptr<MariaDbFrontier>> f =
      co_await MariaDbFrontier::open(*pool, *job, fo);
  CO_ASSERT_TRUE(f.ok());
  std::vector<Link> three = {Link{"http://site.test/", 0, 0},
                             Link{"http://site.test/b", 0, 0},
                             Link{"http://site.test/c", 0, 0}};
  absl::Status a = co_await (*f)->add(std::move(three));
  EXPECT_TRUE(a.ok()) << a;
  absl::StatusOr<Claim> c = co_await (*f)->claim(2, any);
  CO_ASSERT_TRUE(c.ok());
  CO_ASSERT_TRUE(c->leases.size() == 2u);
  Completion done;
  done.records.push_back(Record{c->leases[0].link.url, "T", 0,
                                std::chrono::system_clock::now()});
  absl::Status d = co_await (*f)->complete(c->leases[0], done);
  EXPECT_TRUE(d.ok()) << d;
  d = co_await (*f)->flush();
  EXPECT_TRUE(d.ok()) << d;

  absl::StatusOr<JobStatus> st = co_await job_status(*pool, "news");
  CO_ASSERT_TRUE(st.ok());
  // The worker claimed the third URL ahead (leased, not handed out).
  EXPECT_EQ(st->queued, 0u);
  EXPECT_EQ(st->leased, 2u);
  EXPECT_EQ(st->done, 1u);
  EXPECT_EQ(st->records, 1u);
  EXPECT_EQ(st->budget_used, 3);
  CO_ASSERT_TRUE(st->origins.size() == 1u);
  EXPECT_EQ(st->origins[0].origin, "http://site.test");
  CO_ASSERT_TRUE(st->workers.size() == 1u);
  EXPECT_EQ(st->workers[0].worker_id, "w1");
  std::string text = render_status(*st);
  for (const char* want :
       {"job news (created ", "3 seen, 0 queued, 2 leased (in flight), 1 done, "
                              "0 failed, 0 skipped",
        "budget: 3 of 10 pages used", "records: 1",
        "unfinished (run the same command to resume)",
        "http://site.test: 0 queued, 2 leased, 1 done", "w1 (host ",
        "--select=h3.x", "--max_pages=10"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  absl::StatusOr<JobSize> size = co_await job_size(*pool, job->id);
  CO_ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->urls, 3u);
  EXPECT_EQ(size->done, 1u);

  // Pages that yielded nothing are counted by state and reason.
  std::vector<Link> more = {Link{"http://site.test/d", 0, 0},
                            Link{"http://site.test/e", 0, 0},
                            Link{"http://site.test/f", 0, 0},
                            Link{"http://site.test/g", 0, 0}};
  a = co_await (*f)->add(std::move(more));
  EXPECT_TRUE(a.ok()) << a;
  absl::StatusOr<Claim> c2 = co_await (*f)->claim(4, any);
  CO_ASSERT_TRUE(c2.ok());
  CO_ASSERT_TRUE(c2->leases.size() == 4u);
  const std::pair<PageOutcome, const char*> ends[] = {
      {PageOutcome::kFailed, "timeout"},
      {PageOutcome::kFailed, "timeout"},
      {PageOutcome::kFetched, "http_404"},
      {PageOutcome::kSkipped, "robots_disallowed"}};
  for (size_t i = 0; i < 4; ++i) {
    Completion end;
    end.outcome = ends[i].first;
    end.reason = ends[i].second;
    d = co_await (*f)->complete(c2->leases[i], end);
    EXPECT_TRUE(d.ok()) << d;
  }
  d = co_await (*f)->flush();
  EXPECT_TRUE(d.ok()) << d;
  absl::StatusOr<JobStatus> st2 = co_await job_status(*pool, "news");
  CO_ASSERT_TRUE(st2.ok());
  EXPECT_EQ(st2->failed, 2u);
  std::string text2 = render_status(*st2);
  for (const char* want :
       {"done, yielding nothing: http_404 1\n", "failed: timeout 2\n",
        "skipped: robots_disallowed 1\n"}) {
    EXPECT_NE(text2.find(want), std::string::npos) << want << "\n" << text2;
  }
  absl::Status closed = co_await (*f)->close();
  EXPECT_TRUE(closed.ok()) << closed;

  // --reset: the job's state goes, the other job's and the records stay.
  absl::Status r = co_await reset_job(*pool, job->id);
  EXPECT_TRUE(r.ok()) << r;
  absl::StatusOr<std::optional<Job>> gone = co_await find_job(*pool, "news");
  CO_ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  for (const char* sql :
       {"SELECT COUNT(*) FROM crawl_urls", "SELECT COUNT(*) FROM crawl_origins",
        "SELECT COUNT(*) FROM crawl_workers"}) {
    absl::StatusOr<db::ResultSet> rs = co_await pool->query(sql);
    CO_ASSERT_TRUE(rs.ok());
    EXPECT_EQ((*rs)[0].get<int64_t>(0).value_or(-1), 0) << sql;
  }
  absl::StatusOr<db::ResultSet> titles =
      co_await pool->query("SELECT COUNT(*) FROM titles");
  CO_ASSERT_TRUE(titles.ok());
  EXPECT_EQ((*titles)[0].get<int64_t>(0).value_or(-1), 1);
  absl::StatusOr<std::optional<Job>> kept = co_await find_job(*pool, "other");
  CO_ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
}

TEST(JobTest, CreateFindStatusAndResetAJob) {
  aio::run(lifecycle(MariaDbServer::shared().fresh_database()));
}

// Tables of an older layout (here: crawl_urls without `unfinished`) are not
// silently used: creating the job tables says what is wrong.
Coro<void> old_layout(db::Options opts) {
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
  CO_ASSERT_TRUE(pool.ok());
  absl::StatusOr<db::ExecResult> old = co_await pool->execute(
      "CREATE TABLE crawl_urls (job_id BIGINT UNSIGNED NOT NULL,"
      " url_hash BINARY(32) NOT NULL, url TEXT NOT NULL,"
      " origin_id BIGINT UNSIGNED NOT NULL, depth INT NOT NULL,"
      " redirects INT NOT NULL, seq BIGINT UNSIGNED NOT NULL,"
      " state ENUM('queued','leased','done','failed','skipped') NOT NULL,"
      " lease_owner VARCHAR(200) NULL, lease_token BIGINT UNSIGNED NULL,"
      " lease_expires DATETIME(6) NULL, PRIMARY KEY (job_id, url_hash))");
  CO_ASSERT_TRUE(old.ok());
  absl::Status t = co_await create_job_tables(*pool);
  EXPECT_EQ(t.code(), absl::StatusCode::kFailedPrecondition) << t;
  EXPECT_NE(t.message().find("older version"), std::string::npos) << t;
  EXPECT_NE(t.message().find("crawl_urls.unfinished"), std::string::npos)
      << t;
}

TEST(JobTest, TablesOfAnOlderLayoutAreAClearError) {
  aio::run(old_layout(MariaDbServer::shared().fresh_database()));
}

// The layouts before crawl_origins had its index `turn` (claims then sorted
// every origin of the job) and before crawl_urls had its index `fresh` (no
// read of what other workers stored): refused the same way.
Coro<void> without_index(db::Options opts, std::string table,
                         std::string index) {
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
  CO_ASSERT_TRUE(pool.ok());
  absl::Status made = co_await create_job_tables(*pool);
  CO_ASSERT_TRUE(made.ok());
  const std::string sql = "ALTER TABLE " + table + " DROP INDEX " + index;
  absl::StatusOr<db::ExecResult> drop = co_await pool->execute(sql);
  CO_ASSERT_TRUE(drop.ok());
  absl::Status t = co_await create_job_tables(*pool);
  EXPECT_EQ(t.code(), absl::StatusCode::kFailedPrecondition) << t;
  EXPECT_NE(t.message().find("index " + index), std::string::npos) << t;
}

TEST(JobTest, TablesWithoutTheTurnOrFreshIndexAreAClearError) {
  aio::run(without_index(MariaDbServer::shared().fresh_database(),
                         "crawl_origins", "turn"));
  aio::run(without_index(MariaDbServer::shared().fresh_database(),
                         "crawl_urls", "fresh"));
}

}  // namespace
}  // namespace aio::crawler
