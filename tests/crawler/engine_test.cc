#include "crawler/engine.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crawler/host_state.h"
#include "crawler/memory_frontier.h"
#include "crawler/send_schedule.h"
#include "gtest/gtest.h"
#include "loop/errors.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "tests/crawler/fake_site.h"

namespace aio::crawler {
namespace {

using testing::FakeSite;
using testing::html_page;
using testing::MemoryOutput;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kA[] = "http://a.test";
constexpr char kB[] = "http://b.test";

std::string A(absl::string_view path) { return absl::StrCat(kA, path); }
std::string B(absl::string_view path) { return absl::StrCat(kB, path); }

struct Result {
  absl::Status status;
  CrawlStats stats;
  FrontierStats frontier;
};

Options base_options() {
  Options o;
  o.start_urls = {A("/")};
  o.obey_robots = false;
  o.retries = 0;
  o.progress = ProgressMode::kNone;
  o.parse_threads = 0;  // virtual time: no work on other threads
  return o;
}

Coro<Result> crawl_coro(FakeSite* site, MemoryOutput* out, Options o,
                        Duration stop_after, HostState* host_state) {
  absl::StatusOr<Config> config = prepare(o);
  EXPECT_TRUE(config.ok()) << config.status();
  MemoryFrontier frontier(FrontierLimits{o.max_depth, o.max_pages});
  Engine engine(*config, frontier, *out, *site, host_state);
  Task<void> stopper;
  if (stop_after > Duration::zero()) {
    stopper = create_task([](Engine* e, Duration d) -> Coro<void> {
      co_await aio::sleep(d);
      e->stop();
    }(&engine, stop_after));
  }
  absl::Status s = co_await engine.crawl();
  if (stopper.valid() && !stopper.done()) stopper.cancel();
  co_return Result{s, engine.stats(), frontier.stats()};
}

Result crawl(FakeSite& site, MemoryOutput& out, Options o,
             Duration stop_after = Duration::zero(),
             HostState* host_state = nullptr) {
  EventLoop::Options virtual_time;
  virtual_time.virtual_time = true;
  return aio::run(
      crawl_coro(&site, &out, std::move(o), stop_after, host_state),
      virtual_time);
}

// A site whose page /p<n> links to /p<2n+1> and /p<2n+2> (a binary tree of
// `n` pages), each titled "T<n>".
void tree_site(FakeSite& site, const std::string& base, int n) {
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> links;
    for (int c : {2 * i + 1, 2 * i + 2}) {
      if (c < n) links.push_back(absl::StrCat("/p", c));
    }
    std::string path = i == 0 ? "/" : absl::StrCat("/p", i);
    site.page(base + path).body = html_page(absl::StrCat("T", i), links);
  }
}

TEST(EngineTest, CrawlsEveryPageOfTheOriginOnceAndRecordsEachTitle) {
  FakeSite site;
  tree_site(site, kA, 31);
  // Links off the origin, to other schemes and back to seen pages.
  site.page(A("/p3")).body = html_page(
      "T3", {"/p7", "/p8", "http://b.test/x", "https://a.test/p7",
             "mailto:x@a.test", "/", "p7#frag"});
  site.page(B("/x")).body = html_page("X", {});
  MemoryOutput out;
  Result r = crawl(site, out, base_options());
  ASSERT_TRUE(r.status.ok()) << r.status;
  std::vector<std::pair<std::string, std::string>> want;
  for (int i = 0; i < 31; ++i) {
    want.emplace_back(i == 0 ? A("/") : A(absl::StrCat("/p", i)),
                      absl::StrCat("T", i));
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(out.records(), want);
  EXPECT_EQ(site.log.size(), 31u);
  std::set<std::string> urls;
  for (const auto& h : site.log) urls.insert(h.url);
  EXPECT_EQ(urls.size(), 31u);  // each once
  EXPECT_EQ(site.count(B("/x")), 0u);
  EXPECT_EQ(site.count("https://a.test/p7"), 0u);
  EXPECT_EQ(r.stats.pages, 31u);
  EXPECT_EQ(r.stats.records, 31u);
  EXPECT_EQ(r.stats.error_count(), 0u);
  EXPECT_GE(r.stats.links_off_scope, 2u);
  EXPECT_EQ(r.frontier.queued, 0u);
  EXPECT_EQ(r.frontier.in_flight, 0u);
}

TEST(EngineTest, CrawlsBreadthFirst) {
  FakeSite site;
  tree_site(site, kA, 63);
  MemoryOutput out;
  Options o = base_options();
  o.concurrency = 1;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(site.log.size(), 63u);
  // With one request at a time, the order is exactly level by level.
  for (size_t i = 1; i < site.log.size(); ++i) {
    EXPECT_EQ(site.log[i].url, A(absl::StrCat("/p", i)));
  }
}

TEST(EngineTest, MaxDepthNeverRequestsDeeperPages) {
  FakeSite site;
  tree_site(site, kA, 63);  // depths 0..5
  MemoryOutput out;
  Options o = base_options();
  o.max_depth = 2;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(site.log.size(), 7u);  // 1 + 2 + 4
  for (const auto& h : site.log) {
    int n = h.url == A("/") ? 0 : std::stoi(h.url.substr(h.url.rfind('p') + 1));
    EXPECT_LT(n, 7) << h.url;
  }
  EXPECT_EQ(r.frontier.too_deep, 8u);  // the links of the 4 depth-2 pages
}

TEST(EngineTest, MaxDepthZeroFetchesOnlyTheStartUrls) {
  FakeSite site;
  tree_site(site, kA, 7);
  MemoryOutput out;
  Options o = base_options();
  o.max_depth = 0;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(site.log.size(), 1u);
  EXPECT_EQ(site.log[0].url, A("/"));
}

TEST(EngineTest, MaxPagesIsAHardBudgetEvenWith64InFlight) {
  FakeSite site;
  // A root with 500 links: 64 could be in flight at once.
  std::vector<std::string> links;
  for (int i = 0; i < 500; ++i) links.push_back(absl::StrCat("/q", i));
  site.page(A("/")).body = html_page("root", links);
  for (int i = 0; i < 500; ++i) {
    site.page(A(absl::StrCat("/q", i))).body = html_page("q", {});
  }
  for (int budget : {1, 10, 100}) {
    site.log.clear();
    MemoryOutput out;
    Options o = base_options();
    o.concurrency = 64;
    o.per_host = 64;
    o.max_pages = budget;
    Result r = crawl(site, out, o);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(site.log.size(), static_cast<size_t>(budget));
    EXPECT_EQ(r.stats.pages, static_cast<uint64_t>(budget));
    if (budget == 100) {
      EXPECT_EQ(site.max_in_flight, 64u);
    }
  }
}

TEST(EngineTest, ConcurrencyAndPerHostHoldAtEveryInstant) {
  FakeSite site;
  // Three origins, each a root with 100 slow pages.
  std::vector<std::string> roots = {A("/"), B("/"), "http://c.test/"};
  for (const std::string& root : roots) {
    std::vector<std::string> links;
    for (int i = 0; i < 100; ++i) links.push_back(absl::StrCat("/s", i));
    site.page(root).body = html_page("root", links);
    for (int i = 0; i < 100; ++i) {
      auto& p = site.page(absl::StrCat(root, "s", i));
      p.body = html_page("s", {});
      p.latency = milliseconds(100 + i % 7);
    }
  }
  MemoryOutput out;
  Options o = base_options();
  o.start_urls = roots;
  o.concurrency = 10;
  o.per_host = 4;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(site.log.size(), 303u);
  EXPECT_EQ(site.max_in_flight, 10u);  // reached, never passed
  for (const auto& [host, max] : site.host_max_in_flight) {
    EXPECT_EQ(max, 4u) << host;
  }
  EXPECT_EQ(r.stats.max_in_flight, 10u);
}

TEST(EngineTest, RateHoldsInEveryWindowPerHost) {
  FakeSite site;
  tree_site(site, kA, 10);
  MemoryOutput out;
  Options o = base_options();
  o.rate = Rate{3, std::chrono::minutes(1)};
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(site.log.size(), 10u);
  for (size_t i = 3; i < site.log.size(); ++i) {
    EXPECT_GE(site.log[i].start - site.log[i - 3].start,
              std::chrono::minutes(1))
        << i;
  }
  // 10 requests at 3 per minute: the last one in the 4th minute.
  EXPECT_LT(site.log.back().start - site.log.front().start,
            std::chrono::minutes(3) + seconds(1));
}

TEST(EngineTest, DelaySpacesRequestStartsPerHost) {
  FakeSite site;
  tree_site(site, kA, 8);
  tree_site(site, kB, 8);
  MemoryOutput out;
  Options o = base_options();
  o.start_urls = {A("/"), B("/")};
  o.delay = seconds(2);
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(site.log.size(), 16u);
  for (const char* base : {kA, kB}) {
    std::vector<TimePoint> t;
    for (const auto& h : site.log) {
      if (h.url.rfind(base, 0) == 0) t.push_back(h.start);
    }
    for (size_t i = 1; i < t.size(); ++i) EXPECT_GE(t[i] - t[i - 1], seconds(2));
  }
  // The two hosts are independent: both finish in about 7 delays.
  EXPECT_LT(r.stats.elapsed, seconds(16));
}

TEST(EngineTest, RobotsTxtIsFetchedFirstAndNothingElseUntilItsAnswer) {
  FakeSite site;
  tree_site(site, kA, 15);
  auto& robots = site.page(A("/robots.txt"));
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nDisallow: /p2\nDisallow: /p4\n";
  robots.latency = seconds(3);
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  ASSERT_FALSE(site.log.empty());
  EXPECT_EQ(site.log[0].url, A("/robots.txt"));
  for (size_t i = 1; i < site.log.size(); ++i) {
    EXPECT_GE(site.log[i].start, site.log[0].end) << site.log[i].url;
  }
  EXPECT_EQ(site.count(A("/robots.txt")), 1u);
  EXPECT_EQ(site.count(A("/p2")), 0u);
  EXPECT_EQ(site.count(A("/p4")), 0u);
  // Allowed, but only linked from disallowed pages: never discovered.
  EXPECT_EQ(site.count(A("/p5")), 0u);
  EXPECT_EQ(site.count(A("/p9")), 0u);
  EXPECT_EQ(site.count(A("/p3")), 1u);
  EXPECT_EQ(site.log.size(), 6u);  // robots.txt, /, p1, p3, p7, p8
  EXPECT_EQ(r.stats.robots_disallowed, 2u);
  EXPECT_EQ(r.stats.robots_fetched, 1u);
}

TEST(EngineTest, RobotsGroupForAnotherAgentDoesNotApply) {
  FakeSite site;
  tree_site(site, kA, 3);
  auto& robots = site.page(A("/robots.txt"));
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n";
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.pages, 3u);
}

TEST(EngineTest, RobotsNotFoundAllowsAllAndServerErrorDisallowsAll) {
  {
    FakeSite site;
    tree_site(site, kA, 3);  // no /robots.txt: 404
    MemoryOutput out;
    Options o = base_options();
    o.obey_robots = true;
    Result r = crawl(site, out, o);
    EXPECT_EQ(r.stats.pages, 3u);
  }
  {
    FakeSite site;
    tree_site(site, kA, 3);
    site.page(A("/robots.txt")).status = 503;
    MemoryOutput out;
    Options o = base_options();
    o.obey_robots = true;
    o.retries = 2;
    o.backoff = milliseconds(100);
    Result r = crawl(site, out, o);
    EXPECT_EQ(site.count(A("/robots.txt")), 3u);  // tried retries + 1 times
    EXPECT_EQ(site.log.size(), 3u);               // and nothing else
    EXPECT_EQ(r.stats.pages, 0u);
    EXPECT_EQ(r.stats.robots_disallowed, 1u);
  }
}

TEST(EngineTest, CrawlDelayBecomesTheHostsDelay) {
  FakeSite site;
  tree_site(site, kA, 5);
  auto& robots = site.page(A("/robots.txt"));
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nCrawl-delay: 7\n";
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  o.delay = seconds(1);  // shorter: Crawl-delay wins
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(site.log.size(), 6u);
  for (size_t i = 2; i < site.log.size(); ++i) {
    EXPECT_GE(site.log[i].start - site.log[i - 1].start, seconds(7));
  }
}

TEST(EngineTest, RetriesExactlyAsConfigured) {
  for (int retries : {0, 1, 3}) {
    FakeSite site;
    site.page(A("/")).body = html_page("root", {"/e503", "/e404", "/reset",
                                                "/flaky"});
    site.page(A("/e503")).status = 503;
    site.page(A("/e404")).status = 404;
    auto& reset = site.page(A("/reset"));
    reset.fail_tries = 100;
    reset.fail_status = 0;
    auto& flaky = site.page(A("/flaky"));  // one 503, then fine
    flaky.body = html_page("flaky ok", {});
    flaky.fail_tries = 1;
    MemoryOutput out;
    Options o = base_options();
    o.retries = retries;
    o.backoff = milliseconds(200);
    Result r = crawl(site, out, o);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(site.count(A("/e503")), static_cast<size_t>(retries + 1));
    EXPECT_EQ(site.count(A("/e404")), 1u);  // never retried
    EXPECT_EQ(site.count(A("/reset")), static_cast<size_t>(retries + 1));
    EXPECT_EQ(site.count(A("/flaky")), retries > 0 ? 2u : 1u);
    EXPECT_EQ(r.stats.errors["http_503"], retries > 0 ? 1u : 2u);
    EXPECT_EQ(r.stats.errors["http_404"], 1u);
    EXPECT_EQ(r.stats.errors["connection_reset"], 1u);
    bool flaky_recorded = false;
    for (const auto& [url, title] : out.records()) {
      if (title == "flaky ok") flaky_recorded = true;
      EXPECT_NE(title, "error page");  // error pages are never records
    }
    EXPECT_EQ(flaky_recorded, retries > 0);
  }
}

TEST(EngineTest, RetryBacksOffExponentiallyAndHonoursRetryAfter) {
  FakeSite site;
  site.page(A("/")).body = html_page("root", {"/busy", "/slowdown"});
  site.page(A("/busy")).status = 503;
  auto& slow = site.page(A("/slowdown"));
  slow.body = html_page("ok", {});
  slow.fail_tries = 1;
  slow.fail_status = 429;
  slow.fail_headers = {{"Retry-After", "9"}};
  MemoryOutput out;
  Options o = base_options();
  o.retries = 3;
  o.backoff = seconds(1);
  o.max_backoff = seconds(20);
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  std::vector<TimePoint> t = site.starts(A("/busy"));
  ASSERT_EQ(t.size(), 4u);
  // Gaps grow (exponential backoff with jitter) and stay under the cap.
  for (size_t i = 1; i < t.size(); ++i) {
    EXPECT_LE(t[i] - t[i - 1], seconds(21));
  }
  EXPECT_GT(t[3] - t[2], t[1] - t[0]);
  std::vector<TimePoint> s = site.starts(A("/slowdown"));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_GE(s[1] - s[0], seconds(9));  // Retry-After honoured
  EXPECT_EQ(out.records().size(), 2u);
}

TEST(EngineTest, RedirectKeepsDepthAndIsCheckedLikeALink) {
  FakeSite site;
  site.page(A("/")).body = html_page("root", {"/moved", "/away", "/nowhere",
                                              "/chain0", "/loop1"});
  auto redirect = [&](const std::string& from, const std::string& to) {
    auto& p = site.page(from);
    p.status = 301;
    p.headers = {{"Location", to}};
    p.body = "<html><title>moved page</title></html>";
  };
  redirect(A("/moved"), "/target");
  site.page(A("/target")).body = html_page("target", {"/deeper"});
  site.page(A("/deeper")).body = html_page("deeper", {});
  redirect(A("/away"), B("/off"));  // off-origin: not followed
  site.page(A("/nowhere")).status = 302;  // no Location
  for (int i = 0; i < 30; ++i) {
    redirect(A(absl::StrCat("/chain", i)), absl::StrCat("/chain", i + 1));
  }
  redirect(A("/loop1"), "/loop2");
  redirect(A("/loop2"), "/loop1");
  MemoryOutput out;
  Options o = base_options();
  o.max_depth = 1;  // /target (a redirect of a depth-1 link) is depth 1
  o.max_redirects = 5;
  o.retries = 2;
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(site.count(A("/target")), 1u);
  EXPECT_EQ(site.count(A("/deeper")), 0u);  // depth 2
  EXPECT_EQ(site.count(B("/off")), 0u);
  EXPECT_EQ(site.count(A("/nowhere")), 1u);  // no retry
  EXPECT_EQ(r.stats.errors["redirect_without_location"], 1u);
  EXPECT_EQ(site.count(A("/chain5")), 1u);
  EXPECT_EQ(site.count(A("/chain6")), 0u);  // 5 redirects followed
  EXPECT_EQ(r.stats.errors["too_many_redirects"], 1u);
  EXPECT_EQ(site.count(A("/loop1")), 1u);
  EXPECT_EQ(site.count(A("/loop2")), 1u);
  std::vector<std::pair<std::string, std::string>> want = {
      {A("/"), "root"}, {A("/target"), "target"}};
  EXPECT_EQ(out.records(), want);  // the final URL; no "moved page"
}

TEST(EngineTest, RedirectIntoARobotsDisallowedPathIsNotFollowed) {
  FakeSite site;
  site.page(A("/")).body = html_page("root", {"/go"});
  auto& go = site.page(A("/go"));
  go.status = 302;
  go.headers = {{"Location", "/private/x"}};
  site.page(A("/private/x")).body = html_page("secret", {});
  auto& robots = site.page(A("/robots.txt"));
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nDisallow: /private/\n";
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  Result r = crawl(site, out, o);
  EXPECT_EQ(site.count(A("/go")), 1u);
  EXPECT_EQ(site.count(A("/private/x")), 0u);
  EXPECT_EQ(r.stats.robots_disallowed, 1u);
}

TEST(EngineTest, RecordsOnlyFrom2xxHtmlByContentTypeHeader) {
  FakeSite site;
  site.page(A("/")).body =
      html_page("root", {"/plain.html", "/upper", "/missing-type", "/gone",
                         "/image.png", "/server-error"});
  auto& plain = site.page(A("/plain.html"));  // .html, but text/plain
  plain.headers = {{"Content-Type", "text/plain"}};
  plain.body = html_page("plain", {"/from-plain"});
  auto& upper = site.page(A("/upper"));
  upper.headers = {{"content-type", "TEXT/HTML; Charset=UTF-8"}};
  upper.body = html_page("upper", {});
  auto& none = site.page(A("/missing-type"));
  none.headers = {};
  none.body = html_page("untyped", {});
  auto& gone = site.page(A("/gone"));
  gone.status = 404;
  gone.body = html_page("not found page", {"/from-404"});
  auto& png = site.page(A("/image.png"));  // an image served as HTML
  png.body = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + "<title>x";
  auto& err = site.page(A("/server-error"));
  err.status = 500;
  err.body = html_page("error", {});
  MemoryOutput out;
  Result r = crawl(site, out, base_options());
  ASSERT_TRUE(r.status.ok());
  std::vector<std::pair<std::string, std::string>> want = {
      {A("/"), "root"}, {A("/image.png"), "x"}, {A("/upper"), "upper"}};
  EXPECT_EQ(out.records(), want);
  EXPECT_EQ(site.count(A("/from-plain")), 0u);  // only HTML is parsed
  EXPECT_EQ(site.count(A("/from-404")), 0u);
  EXPECT_EQ(r.stats.html_pages, 2u + 1u);
}

TEST(EngineTest, SelectorRecordsEveryMatchInPageOrder) {
  FakeSite site;
  site.page(A("/")).body =
      "<html><body><h3 class='info-title shuang'>One</h3>"
      "<h3 class='shuang info-title'>Two</h3><h3 class='info-title'>No</h3>"
      "<h3 class='info-title shuang'>One</h3></body></html>";
  MemoryOutput out;
  Options o = base_options();
  o.select = "h3.info-title.shuang";
  Result r = crawl(site, out, o);
  ASSERT_EQ(out.pages.size(), 1u);
  ASSERT_EQ(out.pages[0].size(), 3u);
  EXPECT_EQ(out.pages[0][0].title, "One");
  EXPECT_EQ(out.pages[0][1].title, "Two");
  EXPECT_EQ(out.pages[0][2].title, "One");  // identical titles stay two
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out.pages[0][i].position, i);
}

TEST(EngineTest, TimeoutAndTooLargeAreErrorsAndTheCrawlGoesOn) {
  FakeSite site;
  site.page(A("/")).body = html_page("root", {"/slow", "/huge", "/fine"});
  auto& slow = site.page(A("/slow"));
  slow.latency = std::chrono::hours(1);
  site.page(A("/huge")).body = std::string(2000, 'x');
  site.page(A("/fine")).body = html_page("fine", {});
  MemoryOutput out;
  Options o = base_options();
  o.timeout = seconds(5);
  o.max_body = 1000;
  o.retries = 1;
  o.backoff = milliseconds(10);
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.errors["timeout"], 1u);
  EXPECT_EQ(r.stats.errors["too_large"], 1u);
  EXPECT_EQ(site.count(A("/slow")), 2u);  // a timeout is retried
  EXPECT_EQ(site.count(A("/huge")), 1u);  // too large is not
  EXPECT_EQ(out.records().size(), 2u);
  EXPECT_LT(r.stats.elapsed, seconds(12));
}

TEST(EngineTest, StopFinishesInFlightTakesNothingNewAndHandsTheRestBack) {
  FakeSite site;
  std::vector<std::string> links;
  for (int i = 0; i < 200; ++i) links.push_back(absl::StrCat("/s", i));
  site.page(A("/")).body = html_page("root", links);
  for (int i = 0; i < 200; ++i) {
    auto& p = site.page(A(absl::StrCat("/s", i)));
    p.body = html_page(absl::StrCat("s", i), {});
    p.latency = seconds(1);
  }
  MemoryOutput out;
  Options o = base_options();
  o.concurrency = 8;
  o.per_host = 8;
  // Stop in the middle of the 3rd wave of 8.
  Result r = crawl(site, out, o, milliseconds(10 + 2500));
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.stats.interrupted);
  // 1 root + 3 waves of 8; the third wave completes (records kept).
  EXPECT_EQ(site.log.size(), 25u);
  for (const auto& h : site.log) EXPECT_NE(h.end, TimePoint{}) << h.url;
  EXPECT_EQ(out.records().size(), 25u);
  EXPECT_EQ(r.frontier.in_flight, 0u);
  EXPECT_EQ(r.frontier.queued, 200u - 24u);  // handed back, not lost
  EXPECT_GE(out.flushes, 1);
}

TEST(EngineTest, StopWhileWaitingForTheRateLimiterReturnsAtOnce) {
  FakeSite site;
  tree_site(site, kA, 20);
  MemoryOutput out;
  Options o = base_options();
  o.rate = Rate{1, std::chrono::hours(1)};
  Result r = crawl(site, out, o, seconds(10));
  EXPECT_TRUE(r.stats.interrupted);
  EXPECT_EQ(site.log.size(), 1u);
  EXPECT_LT(r.stats.elapsed, seconds(11));
  EXPECT_EQ(r.frontier.queued, 2u);
}

// An Output whose flush takes a while, and that notes a flush cut short.
class SlowFlushOutput final : public Output {
 public:
  int started = 0;
  int finished = 0;
  int cancelled = 0;
  Coro<absl::Status> write(std::vector<Record>) override {
    co_return absl::OkStatus();
  }
  Coro<absl::Status> flush() override {
    ++started;
    try {
      co_await aio::sleep(seconds(1));
    } catch (const CancelledError&) {
      ++cancelled;
      throw;
    }
    ++finished;
    co_return absl::OkStatus();
  }
  Coro<absl::Status> close() override { co_return absl::OkStatus(); }
  std::string describe() const override { return "slow"; }
};

Coro<absl::Status> crawl_into(FakeSite* site, Output* out, Options o) {
  absl::StatusOr<Config> config = prepare(o);
  EXPECT_TRUE(config.ok()) << config.status();
  MemoryFrontier frontier(FrontierLimits{o.max_depth, o.max_pages});
  Engine engine(*config, frontier, *out, *site);
  co_return co_await engine.crawl();
}

// Regression: crawl() cancelled the periodic flush task at the end; an
// output cancelled mid-write (MariaDbOutput in executemany) lost the batch
// it had taken (e2e_mariadb_test: 1265 of 1500 rows).
TEST(EngineTest, AFlushInProgressAtTheEndFinishesInsteadOfBeingCancelled) {
  FakeSite site;
  tree_site(site, kA, 3);
  for (auto& [url, page] : site.pages) page.latency = milliseconds(300);
  SlowFlushOutput out;
  Options o = base_options();
  o.concurrency = 1;
  EventLoop::Options virtual_time;
  virtual_time.virtual_time = true;
  absl::Status s = aio::run(crawl_into(&site, &out, o), virtual_time);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(site.log.size(), 3u);
  EXPECT_GE(out.started, 2);  // the periodic one (at 200 ms) and the last
  EXPECT_EQ(out.cancelled, 0);
  EXPECT_EQ(out.finished, out.started);
}

TEST(EngineTest, OutputFailureEndsTheCrawlWithItsError) {
  FakeSite site;
  tree_site(site, kA, 31);
  MemoryOutput out;
  out.fail_with = absl::UnavailableError("disk full");
  Options o = base_options();
  o.concurrency = 1;
  Result r = crawl(site, out, o);
  EXPECT_EQ(r.status, absl::UnavailableError("disk full"));
  EXPECT_LT(site.log.size(), 31u);
  EXPECT_FALSE(r.stats.interrupted);
}

TEST(EngineTest, AllowAndDenyFilterLinksAndAllowHostWidensScope) {
  FakeSite site;
  site.page(A("/")).body = html_page(
      "root", {"/news/1", "/news/2?print=1", "/about", "http://b.test/news/3",
               "http://c.test/news/4"});
  for (const char* p : {"/news/1", "/news/2?print=1", "/about"}) {
    site.page(A(p)).body = html_page(p, {});
  }
  site.page(B("/news/3")).body = html_page("b3", {});
  site.page("http://c.test/news/4").body = html_page("c4", {});
  MemoryOutput out;
  Options o = base_options();
  o.allow = {"/news/"};
  o.deny = {"print=1"};
  o.allow_hosts = {"B.test"};
  o.start_urls = {A("/")};
  Result r = crawl(site, out, o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(site.count(A("/news/1")), 1u);
  EXPECT_EQ(site.count(A("/news/2?print=1")), 0u);
  EXPECT_EQ(site.count(A("/about")), 0u);
  EXPECT_EQ(site.count(B("/news/3")), 1u);
  EXPECT_EQ(site.count("http://c.test/news/4"), 0u);
}

// A HostState as a second worker of the same job leaves it: robots.txt
// answers already stored (or none: the engine's turn), and another worker
// that reserves a send slot on the origin before each of this engine's.
// Not a mock: it answers as a shared store would and keeps what it saw.
class OtherWorkerHostState : public HostState {
 public:
  std::vector<RobotsTurn> answers;  // handed out in order; the last repeats
  bool other_worker_sends = true;
  absl::Status fail_with;  // set: every call fails with it

  int robots_asked = 0;
  std::vector<RobotsAnswer> stored;
  std::vector<SendLimits> reserved;

  Coro<absl::StatusOr<RobotsTurn>> robots(std::string, Duration lease) override {
    EXPECT_GT(lease, Duration::zero());
    if (!fail_with.ok()) co_return fail_with;
    ++robots_asked;
    if (answers.empty()) {
      RobotsTurn yours;
      yours.token = 42;
      co_return yours;
    }
    RobotsTurn t = answers.front();
    if (answers.size() > 1) answers.erase(answers.begin());
    co_return t;
  }
  Coro<absl::StatusOr<Duration>> store_robots(std::string, uint64_t token,
                                              RobotsAnswer answer) override {
    EXPECT_EQ(token, 42u);
    stored.push_back(std::move(answer));
    co_return Duration::max();
  }
  Coro<absl::Status> abandon_robots(std::string, uint64_t) override {
    co_return absl::OkStatus();
  }
  Coro<absl::StatusOr<Duration>> reserve_send(std::string,
                                              SendLimits limits) override {
    if (!fail_with.ok()) co_return fail_with;
    reserved.push_back(limits);
    const int64_t now = get_event_loop().time().time_since_epoch().count();
    if (other_worker_sends) (void)schedule_.reserve(now, limits);
    co_return Duration(schedule_.reserve(now, limits) - now);
  }

 private:
  SendSchedule schedule_;
};

RobotsTurn stored_answer(int status, std::string body,
                         Duration valid_for = Duration::max()) {
  RobotsTurn t;
  t.answer = RobotsAnswer{status, std::move(body), std::nullopt};
  t.valid_for = valid_for;
  return t;
}

TEST(EngineHostStateTest, RobotsAnswerAndSendTurnsComeFromTheSharedState) {
  FakeSite site;
  tree_site(site, kA, 8);
  auto& robots = site.page(A("/robots.txt"));  // never asked for: stored
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nDisallow: /\n";
  OtherWorkerHostState hs;
  hs.answers = {stored_answer(200, "User-agent: *\nDisallow: /p2\n")};
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  o.delay = seconds(2);
  Result r = crawl(site, out, o, Duration::zero(), &hs);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(site.count(A("/robots.txt")), 0u);
  EXPECT_EQ(r.stats.robots_fetched, 0u);
  EXPECT_EQ(hs.robots_asked, 1);
  EXPECT_EQ(site.count(A("/p2")), 0u);  // the stored rules apply
  EXPECT_EQ(site.count(A("/p1")), 1u);
  EXPECT_EQ(r.stats.robots_disallowed, 1u);
  // Every request took a turn, with this crawl's spacing, and the other
  // worker's slots in between doubled the gaps.
  ASSERT_EQ(hs.reserved.size(), site.log.size());
  for (const SendLimits& l : hs.reserved) {
    EXPECT_EQ(l.spacing, seconds(2));
    EXPECT_FALSE(l.rate.has_value());
  }
  for (size_t i = 1; i < site.log.size(); ++i) {
    EXPECT_GE(site.log[i].start - site.log[i - 1].start, seconds(4)) << i;
  }
}

TEST(EngineHostStateTest, NoTurnIsAskedForWithoutADelayOrRate) {
  FakeSite site;
  tree_site(site, kA, 8);
  OtherWorkerHostState hs;
  MemoryOutput out;
  Result r = crawl(site, out, base_options(), Duration::zero(), &hs);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(site.log.size(), 8u);
  EXPECT_TRUE(hs.reserved.empty());
  EXPECT_EQ(hs.robots_asked, 0);  // robots.txt not obeyed here
}

TEST(EngineHostStateTest, AnExpiredAnswerIsAskedForAgain) {
  FakeSite site;
  tree_site(site, kA, 15);
  for (auto& [url, page] : site.pages) page.latency = seconds(1);
  OtherWorkerHostState hs;
  hs.answers = {stored_answer(200, "User-agent: *\nAllow: /\n", seconds(3)),
                stored_answer(200, "User-agent: *\nDisallow: /p9\n")};
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  o.concurrency = 1;
  Result r = crawl(site, out, o, Duration::zero(), &hs);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(hs.robots_asked, 2);  // once, and once after 3 s
  EXPECT_EQ(site.count(A("/p1")), 1u);
  EXPECT_EQ(site.count(A("/p9")), 0u);  // the newer answer applies
  EXPECT_EQ(site.log.size(), 14u);
}

TEST(EngineHostStateTest, TheEngineFetchesWhenItIsItsTurnAndStoresTheAnswer) {
  FakeSite site;
  tree_site(site, kA, 3);
  auto& robots = site.page(A("/robots.txt"));
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nCrawl-delay: 7\nDisallow: /p2\n";
  OtherWorkerHostState hs;
  hs.other_worker_sends = false;
  MemoryOutput out;
  Options o = base_options();
  o.obey_robots = true;
  Result r = crawl(site, out, o, Duration::zero(), &hs);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(site.count(A("/robots.txt")), 1u);
  ASSERT_EQ(hs.stored.size(), 1u);
  EXPECT_EQ(hs.stored[0].status, 200);
  EXPECT_EQ(hs.stored[0].body, robots.body);
  EXPECT_EQ(hs.stored[0].crawl_delay, seconds(7));
  // The Crawl-delay is this origin's spacing from then on, robots.txt
  // itself counted: the first page waits it too.
  ASSERT_FALSE(hs.reserved.empty());
  for (const SendLimits& l : hs.reserved) EXPECT_EQ(l.spacing, seconds(7));
  ASSERT_EQ(site.log.size(), 3u);  // robots.txt, /, /p1
  EXPECT_GE(site.log[1].start - site.log[0].start, seconds(7));
  EXPECT_GE(site.log[2].start - site.log[1].start, seconds(7));
}

TEST(EngineHostStateTest, AFailingSharedStateStopsTheCrawlAndHandsTheUrlBack) {
  for (bool robots : {false, true}) {
    FakeSite site;
    tree_site(site, kA, 3);
    OtherWorkerHostState hs;
    hs.fail_with = absl::UnavailableError("database unreachable for 2m");
    MemoryOutput out;
    Options o = base_options();
    o.obey_robots = robots;
    o.delay = seconds(1);
    Result r = crawl(site, out, o, Duration::zero(), &hs);
    EXPECT_EQ(r.status, hs.fail_with) << robots;
    EXPECT_TRUE(site.log.empty());    // nothing sent without its turn
    EXPECT_EQ(r.frontier.queued, 1u);  // the start URL: not lost, not done
    EXPECT_EQ(r.frontier.done, 0u);
    EXPECT_EQ(r.frontier.in_flight, 0u);
  }
}

TEST(EngineHostStateTest, StatsShowSinceWhenTheSharedStateIsPaused) {
  struct Paused final : OtherWorkerHostState {
    std::optional<std::chrono::system_clock::time_point> paused()
        const override {
      return std::chrono::system_clock::time_point(seconds(1000));
    }
  };
  Paused hs;
  FakeSite site;
  tree_site(site, kA, 1);
  MemoryOutput out;
  Result r = crawl(site, out, base_options(), Duration::zero(), &hs);
  ASSERT_TRUE(r.status.ok());
  ASSERT_TRUE(r.stats.paused_since.has_value());
  EXPECT_EQ(*r.stats.paused_since,
            std::chrono::system_clock::time_point(seconds(1000)));
}

TEST(PrepareTest, BadInputIsOneReadableError) {
  struct Case {
    std::function<void(Options&)> edit;
    std::string expect;
  };
  std::vector<Case> cases = {
      {[](Options& o) { o.start_urls.clear(); }, "no --start_url"},
      {[](Options& o) { o.start_urls = {"ftp://x/"}; }, "--start_url"},
      {[](Options& o) { o.start_urls = {"not a url"}; }, "--start_url"},
      {[](Options& o) { o.allow = {"(unclosed"}; }, "(unclosed"},
      {[](Options& o) { o.deny = {"a**"}; }, "a**"},
      {[](Options& o) { o.select = "h3..x"; }, "--select"},
      {[](Options& o) { o.allow_hosts = {"http://x.com/"}; }, "--allow_host"},
      {[](Options& o) { o.concurrency = 0; }, "--concurrency"},
      {[](Options& o) { o.concurrency = -1; }, "--concurrency"},
      {[](Options& o) { o.per_host = 0; }, "--per_host"},
      {[](Options& o) { o.max_pages = -1; }, "--max_pages"},
      {[](Options& o) { o.timeout = Duration::zero(); }, "--timeout"},
      {[](Options& o) { o.timeout = -seconds(1); }, "--timeout"},
      {[](Options& o) { o.delay = -seconds(1); }, "--delay"},
      {[](Options& o) { o.max_body = 0; }, "--max_body"},
      {[](Options& o) { o.retries = -1; }, "--retries"},
      {[](Options& o) { o.retries = 1000; }, "--retries"},
      {[](Options& o) { o.rate = Rate{0, seconds(1)}; }, "--rate"},
      {[](Options& o) { o.rate = Rate{-1, seconds(1)}; }, "--rate"},
      {[](Options& o) { o.rate = Rate{1, -seconds(1)}; }, "--rate"},
      {[](Options& o) { o.rate = Rate{1, Duration::zero()}; }, "--rate"},
      {[](Options& o) { o.max_redirects = -1; }, "--max_redirects"},
      {[](Options& o) { o.user_agent = "a\r\nX-Evil: 1"; }, "--user_agent"},
  };
  for (const Case& c : cases) {
    Options o = base_options();
    c.edit(o);
    absl::StatusOr<Config> config = prepare(o);
    ASSERT_FALSE(config.ok()) << c.expect;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find(c.expect), absl::string_view::npos)
        << config.status().message();
    EXPECT_EQ(config.status().message().find('\n'), absl::string_view::npos);
  }
}

TEST(PrepareTest, StartUrlsAreCanonicalAndDefineTheScope) {
  Options o = base_options();
  o.start_urls = {"HTTP://Example.COM:80/a/./b/../c#x", "http://example.com/c",
                  "https://other.test:8443"};
  absl::StatusOr<Config> c = prepare(o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->start_urls,
            (std::vector<std::string>{"http://example.com/a/c",
                                      "http://example.com/c",
                                      "https://other.test:8443/"}));
  EXPECT_TRUE(c->in_scope("http://example.com/zzz"));
  EXPECT_FALSE(c->in_scope("https://example.com/zzz"));  // other scheme
  EXPECT_FALSE(c->in_scope("http://example.com:8080/"));  // other port
  EXPECT_TRUE(c->in_scope("https://other.test:8443/q"));
  EXPECT_FALSE(c->in_scope("http://sub.example.com/"));
}

}  // namespace
}  // namespace aio::crawler
