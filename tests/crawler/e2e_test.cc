// End-to-end: the real crawler binary against fixture sites on 127.0.0.1
// (tests/fixtures/http_server), checked from its output, exit code and the
// server's request log.
#include <signal.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "net/client.h"
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

Reply html(std::string body, int status = 200,
           std::string type = "text/html; charset=utf-8") {
  Reply r;
  r.status = status;
  r.headers = {{"Content-Type", std::move(type)}};
  r.body = std::move(body);
  return r;
}

std::string links_html(const std::vector<std::string>& links) {
  std::string out;
  for (const std::string& l : links) absl::StrAppend(&out, "<a href=\"", l, "\">", l, "</a>\n");
  return out;
}

// The most requests the server was answering at one instant, from the
// request log's arrival and finish times.
size_t max_in_flight(const std::vector<Request>& log) {
  std::vector<std::pair<TimePoint, int>> events;
  for (const Request& r : log) {
    events.emplace_back(r.received_at, +1);
    events.emplace_back(r.finished_at, -1);
  }
  // At equal times, a finish comes before an arrival.
  std::sort(events.begin(), events.end());
  size_t now = 0, max = 0;
  for (const auto& [t, d] : events) {
    now += d;
    max = std::max(max, now);
  }
  return max;
}

std::map<std::string, int> counts(const HttpServer& s) {
  std::map<std::string, int> out;
  for (const Request& r : s.requests()) ++out[r.target];
  return out;
}

// Parses the JSON Lines the crawler wrote into (url, title) pairs; fails
// the test on a line that is not one whole object of the expected shape.
std::vector<std::pair<std::string, std::string>> parse_jsonl(
    const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!text.empty()) {
    EXPECT_EQ(text.back(), '\n') << "half a line at the end";
  }
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    // {"url":"...","title":"..."} with JSON escapes.
    auto field = [&](absl::string_view key, size_t& pos) -> std::string {
      std::string want = absl::StrCat("\"", key, "\":\"");
      size_t at = line.find(want, pos);
      EXPECT_NE(at, absl::string_view::npos) << line;
      if (at == absl::string_view::npos) return "";
      size_t i = at + want.size();
      std::string v;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          switch (line[i]) {
            case 'n': v += '\n'; break;
            case 't': v += '\t'; break;
            case 'r': v += '\r'; break;
            case 'u': {
              int cp = std::stoi(std::string(line.substr(i + 1, 4)), nullptr, 16);
              v += static_cast<char>(cp);
              i += 4;
              break;
            }
            default: v += line[i];
          }
        } else {
          v += line[i];
        }
      }
      pos = i;
      return v;
    };
    EXPECT_TRUE(absl::StartsWith(line, "{\"url\":\"")) << line;
    EXPECT_TRUE(absl::EndsWith(line, "\"}")) << line;
    size_t pos = 0;
    std::string url = field("url", pos);
    std::string title = field("title", pos);
    out.emplace_back(std::move(url), std::move(title));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// ---------------------------------------------------------------------------
// The trap site

std::optional<Reply> trap_site(const Request& req, const std::string& offsite) {
  const std::string& t = req.target;
  if (t == "/robots.txt") {
    return html("User-agent: *\nDisallow: /private/\n", 200, "text/plain");
  }
  if (t == "/") {
    std::vector<std::string> links = {
        "/n/1", "n/2", "./n/3", "/x/../n/4",
        "/private/a", offsite, "/malformed", "/lying", "/gbk", "/meta-sjis",
        "/invalid-utf8", "/huge", "/bomb?enc=gzip&mb=64&chunk=65536&interval_ms=0",
        "/loop", "/loop/a", "/redirect/30", "/slow?ms=5000",
        "/trickle?bytes=100000&chunk=100&interval_ms=50", "/reset",
        "/status/503", "/status/404", "/binary", "/image.png", "/nolocation",
        "/cal/2026-01", "/error-page", "/server-error",
        "javascript:alert(1)", "mailto:a@b.c"};
    return html(absl::StrCat("<html><head><title>Home</title></head><body>"
                             "<h3 class=\"t\">Home</h3>",
                             links_html(links),
                             "<!-- <a href=\"/in-comment\">no</a> -->"
                             "<script>var a = '<a href=\"/in-script\">';</script>"
                             "</body></html>"));
  }
  if (absl::StartsWith(t, "/n/")) {
    int n = std::stoi(t.substr(3));
    return html(absl::StrCat("<h3 class=\"t\">Normal ", n, "</h3>",
                             links_html({absl::StrCat("/n/", n % 5 + 1)})));
  }
  if (t == "/private/a") return html("<h3 class=\"t\">Private</h3>");
  if (t == "/malformed") {
    return html(
        "<html><body><h3 class=\"t\">Mal<b>formed</h3><table><tr><td>"
        "<h3 class=t>Unclosed <i>tag<p></table><a href='/n/5'");
  }
  if (t == "/lying") {
    // The header says windows-1252; the bytes (and the meta) are UTF-8. The
    // header wins, as in a browser.
    return html("<meta charset=\"utf-8\"><h3 class=\"t\">caf\xC3\xA9</h3>", 200,
                "text/html; charset=windows-1252");
  }
  if (t == "/gbk") {
    return html("<h3 class=\"t\">\xD6\xD0\xCE\xC4</h3>", 200,
                "text/html; charset=gbk");
  }
  if (t == "/meta-sjis") {
    return html("<meta charset=\"shift_jis\"><h3 class=\"t\">\x93\xfa\x96\x7b</h3>",
                200, "text/html");
  }
  if (t == "/invalid-utf8") return html("<h3 class=\"t\">a\xFF" "b</h3>");
  if (t == "/huge") {
    std::string body = "<h3 class=\"t\">Huge</h3>";
    body.append(12 << 20, 'x');
    return html(std::move(body));
  }
  if (t == "/binary") {
    std::mt19937 rng(42);
    std::string body(4096, '\0');
    for (char& c : body) c = static_cast<char>(rng());
    return html(std::move(body));
  }
  if (t == "/image.png") {
    return html("<h3 class=\"t\">Not HTML</h3>", 200, "image/png");
  }
  if (t == "/nolocation") return html("", 302);
  if (absl::StartsWith(t, "/cal/")) {
    // An endless calendar: every month links to the next one.
    int y = std::stoi(t.substr(5, 4)), m = std::stoi(t.substr(10, 2));
    int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
    char next[32];
    snprintf(next, sizeof next, "/cal/%04d-%02d", ny, nm);
    return html(absl::StrCat("<h3 class=\"t\">Month ", t.substr(5), "</h3>",
                             links_html({next})));
  }
  if (t == "/error-page") return html("<h3 class=\"t\">Not found</h3>", 404);
  if (t == "/server-error") return html("<h3 class=\"t\">Oops</h3>", 500);
  return std::nullopt;  // the fixture's own routes (/loop, /slow, ...)
}

struct TrapResult {
  CrawlerRun run;
  std::map<std::string, int> counts;
  std::vector<Request> log;
  size_t offsite_requests = 0;
  std::string out, stats_json;
};

Coro<TrapResult> crawl_trap_site(std::vector<std::string> extra) {
  TrapResult res;
  auto offsite = co_await HttpServer::start();
  EXPECT_TRUE(offsite.ok());
  std::string off_url = (*offsite)->url("/x");
  HttpServer::Options so;
  so.handler = [off_url](const Request& r, std::string_view) {
    return trap_site(r, off_url);
  };
  auto server = co_await HttpServer::start(std::move(so));
  EXPECT_TRUE(server.ok());
  {
    // The fixture compresses its bomb on first use (a second of CPU that
    // would stall the server mid-crawl): do it now.
    http::ClientOptions co;
    co.max_body_size = 1024;
    http::Client warm(co);
    (void)co_await warm.get(
        (*server)->url("/bomb?enc=gzip&mb=64&chunk=65536&interval_ms=0"));
  }
  const size_t skip = (*server)->requests().size();
  std::string dir = fresh_dir("trap");
  std::vector<std::string> args = {
      "--start_url=" + (*server)->url("/"), "--select=h3.t", "--max_depth=6",
      "--timeout=1s", "--retries=1", "--backoff=10ms", "--max_redirects=5",
      "--per_host=3", "--concurrency=5", "--out=" + dir + "/out.jsonl",
      "--stats_json=" + dir + "/stats.json", "--progress=log"};
  args.insert(args.end(), extra.begin(), extra.end());
  CrawlerProcess p(args, dir);
  EXPECT_TRUE(p.started());
  res.run = co_await p.wait();
  res.log.assign((*server)->requests().begin() + skip,
                 (*server)->requests().end());
  for (const Request& q : res.log) ++res.counts[q.target];
  res.offsite_requests = (*offsite)->requests().size();
  res.out = slurp(dir + "/out.jsonl");
  res.stats_json = slurp(dir + "/stats.json");
  co_return res;
}

TEST(CrawlerE2eTest, TrapSiteGivesExactlyTheRightRecordsAndRequests) {
  TrapResult r = aio::run(crawl_trap_site({}));
  ASSERT_FALSE(r.run.timed_out) << r.run.err;
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_TRUE(valid_utf8(r.out));
  std::string base = "http://127.0.0.1:";
  auto recs = parse_jsonl(r.out);
  std::vector<std::pair<std::string, std::string>> got;
  for (auto& [url, title] : recs) {
    got.emplace_back(url.substr(url.find('/', 8)), title);  // path only
  }
  std::sort(got.begin(), got.end());
  std::vector<std::pair<std::string, std::string>> want = {
      {"/", "Home"},
      {"/cal/2026-01", "Month 2026-01"},
      {"/cal/2026-02", "Month 2026-02"},
      {"/cal/2026-03", "Month 2026-03"},
      {"/cal/2026-04", "Month 2026-04"},
      {"/cal/2026-05", "Month 2026-05"},
      {"/cal/2026-06", "Month 2026-06"},
      {"/gbk", "\xE4\xB8\xAD\xE6\x96\x87"},
      {"/invalid-utf8", "a\xEF\xBF\xBD" "b"},
      {"/lying", "caf\xC3\x83\xC2\xA9"},
      {"/malformed", "Malformed"},
      {"/malformed", "Unclosed tag"},
      {"/meta-sjis", "\xE6\x97\xA5\xE6\x9C\xAC"},
      {"/n/1", "Normal 1"},
      {"/n/2", "Normal 2"},
      {"/n/3", "Normal 3"},
      {"/n/4", "Normal 4"},
      {"/n/5", "Normal 5"},
  };
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);

  // robots.txt first, and nothing else sent before its answer.
  ASSERT_FALSE(r.log.empty());
  EXPECT_EQ(r.log[0].target, "/robots.txt");
  for (size_t i = 1; i < r.log.size(); ++i) {
    EXPECT_GE(r.log[i].received_at, r.log[0].finished_at) << r.log[i].target;
  }
  std::map<std::string, int> want_counts = {
      {"/robots.txt", 1}, {"/", 1}, {"/n/1", 1}, {"/n/2", 1}, {"/n/3", 1},
      {"/n/4", 1}, {"/n/5", 1}, {"/malformed", 1}, {"/lying", 1},
      {"/gbk", 1}, {"/meta-sjis", 1}, {"/invalid-utf8", 1}, {"/huge", 1},
      {"/bomb?enc=gzip&mb=64&chunk=65536&interval_ms=0", 1}, {"/loop", 1},
      {"/loop/a", 1}, {"/loop/b", 1}, {"/redirect/30", 1}, {"/redirect/29", 1},
      {"/redirect/28", 1}, {"/redirect/27", 1}, {"/redirect/26", 1},
      {"/redirect/25", 1},
      // Timeouts, resets and 5xx: tried --retries + 1 times; 4xx once.
      {"/slow?ms=5000", 2},
      {"/trickle?bytes=100000&chunk=100&interval_ms=50", 2}, {"/reset", 2},
      // (libcurl itself re-sends, once, a request whose reused keep-alive
      // connection dies before any response byte: /reset may show 3.)
      {"/status/503", 2}, {"/server-error", 2}, {"/status/404", 1},
      {"/error-page", 1}, {"/binary", 1}, {"/image.png", 1},
      {"/nolocation", 1},
      {"/cal/2026-01", 1}, {"/cal/2026-02", 1}, {"/cal/2026-03", 1},
      {"/cal/2026-04", 1}, {"/cal/2026-05", 1}, {"/cal/2026-06", 1},
  };
  for (const auto& [target, n] : want_counts) {
    if (target == "/reset") {
      EXPECT_GE(r.counts[target], 2) << r.stats_json;
      EXPECT_LE(r.counts[target], 3) << r.stats_json;
      continue;
    }
    EXPECT_EQ(r.counts[target], n) << target << "\n" << r.stats_json;
  }
  for (const auto& [target, n] : r.counts) {
    EXPECT_TRUE(want_counts.count(target)) << "unexpected request " << target;
  }

  EXPECT_EQ(r.offsite_requests, 0u);
  // The summary and --stats_json.
  EXPECT_NE(r.run.out.find("crawler: done:"), std::string::npos) << r.run.out;
  EXPECT_NE(r.stats_json.find("\"records\":18"), std::string::npos)
      << r.stats_json;
  EXPECT_NE(r.stats_json.find("\"too_large\":2"), std::string::npos)
      << r.stats_json;
  EXPECT_NE(r.stats_json.find("\"too_many_redirects\":1"), std::string::npos);
  EXPECT_NE(r.stats_json.find("\"robots_disallowed\":1"), std::string::npos);
}

TEST(CrawlerE2eTest, RobotsOffRequestsTheDisallowedPageButNeverRobotsTxt) {
  TrapResult r = aio::run(crawl_trap_site({"--obey_robots=false"}));
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.counts.count("/robots.txt"), 0u);
  EXPECT_EQ(r.counts["/private/a"], 1);
}

// ---------------------------------------------------------------------------
// The generated site: every page once, every title, nothing else.

TEST(CrawlerE2eTest, GeneratedSiteIsCrawledCompletelyAgainstItsGroundTruth) {
  aio::run([]() -> Coro<void> {
    absl::StatusOr<aio::testing::Site> site =
        aio::testing::Site::create({.pages = 3000});
    EXPECT_TRUE(site.ok());
    HttpServer::Options so;
    so.handler = site->handler();
    auto server = co_await HttpServer::start(std::move(so));
    std::string dir = fresh_dir("site");
    CrawlerProcess p({"--start_url=" + (*server)->url("/"),
                      "--out=" + dir + "/out.jsonl", "--progress=none",
                      "--select=h3.info-title.shuang", "--max_depth=-1",
                      "--concurrency=64", "--per_host=64"},
                     dir);
    CrawlerRun run = co_await p.wait();
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::pair<std::string, std::string>> want;
    std::string origin = (*server)->url("");
    for (size_t i = 0; i < site->size(); ++i) {
      want.emplace_back(site->url(origin, i), site->title(i));
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(parse_jsonl(slurp(dir + "/out.jsonl")), want);
    std::map<std::string, int> c = counts(**server);
    EXPECT_EQ(c.size(), site->size() + 1);  // every page, and robots.txt
    for (const auto& [target, n] : c) EXPECT_EQ(n, 1) << target;
    EXPECT_EQ((*server)->requests().at(0).target, "/robots.txt");
  }());
}

// ---------------------------------------------------------------------------
// Budgets

std::optional<Reply> tree_site(const Request& req, int pages,
                               Duration delay = Duration::zero()) {
  int n = -1;
  if (req.target == "/robots.txt") return std::nullopt;  // 404: allow all
  if (sscanf(req.target.c_str(), "/t/%d", &n) != 1 || n < 0 || n >= pages) {
    return std::nullopt;
  }
  std::vector<std::string> links;
  for (int c : {2 * n + 1, 2 * n + 2}) {
    if (c < pages) links.push_back(absl::StrCat("/t/", c));
  }
  Reply r = html(absl::StrCat("<title>T", n, "</title>", links_html(links)));
  r.delay = delay;
  return r;
}

Coro<std::pair<CrawlerRun, std::vector<Request>>> crawl_tree(
    int pages, std::vector<std::string> extra) {
  HttpServer::Options so;
  so.handler = [pages](const Request& r, std::string_view) {
    return tree_site(r, pages);
  };
  auto server = co_await HttpServer::start(std::move(so));
  EXPECT_TRUE(server.ok());
  std::string dir = fresh_dir("tree");
  std::vector<std::string> args = {"--start_url=" + (*server)->url("/t/0"),
                                   "--out=" + dir + "/out.jsonl",
                                   "--progress=none"};
  args.insert(args.end(), extra.begin(), extra.end());
  CrawlerProcess p(args, dir);
  CrawlerRun run = co_await p.wait();
  run.out = slurp(dir + "/out.jsonl");
  co_return std::make_pair(run, (*server)->requests());
}

std::set<std::string> pages_requested(const std::vector<Request>& log) {
  std::set<std::string> out;
  for (const Request& r : log) {
    if (r.target != "/robots.txt") out.insert(r.target);
  }
  return out;
}

TEST(CrawlerE2eTest, MaxPagesIsExactWith64InFlight) {
  for (int budget : {1, 7, 100}) {
    auto [run, log] = aio::run(crawl_tree(
        1000, {absl::StrCat("--max_pages=", budget), "--concurrency=64",
               "--per_host=64"}));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(pages_requested(log).size(), static_cast<size_t>(budget));
    EXPECT_EQ(log.size(), static_cast<size_t>(budget) + 1);  // + robots.txt
    EXPECT_EQ(parse_jsonl(run.out).size(), static_cast<size_t>(budget));
  }
}

TEST(CrawlerE2eTest, MaxDepthIsExact) {
  auto [run, log] = aio::run(crawl_tree(1000, {"--max_depth=3"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::set<std::string> want;
  for (int i = 0; i < 15; ++i) want.insert(absl::StrCat("/t/", i));
  EXPECT_EQ(pages_requested(log), want);
  EXPECT_EQ(log.size(), 16u);  // each once, + robots.txt
}

TEST(CrawlerE2eTest, ConcurrencyHoldsAtEveryInstantOnTheServer) {
  std::vector<Request> log;
  aio::run([](std::vector<Request>* out) -> Coro<void> {
    HttpServer::Options so;
    so.handler = [](const Request& r, std::string_view) {
      return tree_site(r, 200, std::chrono::milliseconds(20));
    };
    auto server = co_await HttpServer::start(std::move(so));
    std::string dir = fresh_dir("conc");
    CrawlerProcess p({"--start_url=" + (*server)->url("/t/0"),
                      "--out=" + dir + "/out.jsonl", "--progress=none",
                      "--concurrency=16", "--per_host=6"},
                     dir);
    CrawlerRun run = co_await p.wait();
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ((*server)->requests().size(), 201u);
    *out = (*server)->requests();
  }(&log));
  EXPECT_LE(max_in_flight(log), 6u);
  EXPECT_GE(max_in_flight(log), 4u);
}

// ---------------------------------------------------------------------------
// Ctrl-C

Coro<void> sigint_mid_crawl(bool twice) {
  HttpServer::Options so;
  so.handler = [twice](const Request& r,
                       std::string_view) -> std::optional<Reply> {
    if (r.target == "/") {
      std::vector<std::string> links;
      for (int i = 0; i < 100; ++i) links.push_back(absl::StrCat("/s/", i));
      return html(absl::StrCat("<title>root</title>", links_html(links)));
    }
    if (absl::StartsWith(r.target, "/s/")) {
      Reply rep = html(absl::StrCat("<title>slow ", r.target, "</title>"));
      rep.delay = std::chrono::milliseconds(twice ? 5000 : 300);
      return rep;
    }
    return std::nullopt;
  };
  auto server = co_await HttpServer::start(std::move(so));
  std::string dir = fresh_dir("sigint");
  std::string out = dir + "/out.jsonl";
  CrawlerProcess p({"--start_url=" + (*server)->url("/"), "--out=" + out,
                    "--progress=log", "--concurrency=4", "--per_host=4",
                    "--timeout=10s"},
                   dir);
  // Wait until a few pages are done and more are in flight.
  const size_t need = twice ? 6 : 10;
  for (int i = 0; i < 4000 && (*server)->requests().size() < need; ++i) {
    co_await aio::sleep(std::chrono::milliseconds(5));
  }
  EXPECT_GE((*server)->requests().size(), need);
  auto signalled = std::chrono::steady_clock::now();
  p.signal(SIGINT);
  if (twice) {
    co_await aio::sleep(std::chrono::milliseconds(300));
    p.signal(SIGINT);
  }
  CrawlerRun run = co_await p.wait(std::chrono::seconds(30));
  auto took = std::chrono::steady_clock::now() - signalled;
  std::string text = slurp(out);
  auto records = parse_jsonl(text);  // whole lines only
  if (twice) {
    EXPECT_EQ(run.exit_code, 130) << run.err;
    EXPECT_LT(took, std::chrono::seconds(3));  // pages take 5 s each
    co_return;
  }
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("stopped"), std::string::npos) << run.out;
  EXPECT_LT((*server)->requests().size(), 60u);  // it did stop early
  // Every request the server received was answered, and its record written
  // and flushed before the exit.
  EXPECT_EQ((*server)->stats().aborted_responses, 0u);
  size_t pages = 0;
  for (const Request& r : (*server)->requests()) {
    if (r.target != "/robots.txt") ++pages;
  }
  EXPECT_EQ(records.size(), pages);
}

TEST(CrawlerE2eTest, SigintFinishesInFlightFlushesAndExitsZero) {
  aio::run(sigint_mid_crawl(false));
}

TEST(CrawlerE2eTest, SecondSigintExitsAtOnceWithWholeLines) {
  aio::run(sigint_mid_crawl(true));
}

// ---------------------------------------------------------------------------
// Bad input

TEST(CrawlerE2eTest, BadInputIsOneLineAndExit2BeforeAnyRequest) {
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string mention;
  };
  aio::run([]() -> Coro<void> {
    auto server = co_await HttpServer::start();
    std::string start = "--start_url=" + (*server)->url("/");
    std::vector<Case> cases = {
        {{start, "--allow=(unclosed"}, 2, "unclosed"},
        {{start, "--deny=a**"}, 2, "a**"},
        {{start, "--select=h3[x"}, 2, "--select"},
        {{"--start_url=ftp://127.0.0.1/"}, 2, "--start_url"},
        {{start, "--timeout=5"}, 2, "--timeout"},
        {{start, "--concurrency=0"}, 2, "--concurrency"},
        {{start, "--bogus=1"}, 2, "--bogus"},
        {{start, "http://stray/"}, 2, "stray"},
        {{}, 2, "--start_url"},
        {{start, "--out=/nonexistent-dir/out.jsonl"}, 1, "/nonexistent-dir"},
    };
    for (const Case& c : cases) {
      std::string dir = fresh_dir("bad");
      CrawlerProcess p(c.args, dir);
      CrawlerRun run = co_await p.wait();
      EXPECT_EQ(run.exit_code, c.code) << c.mention << ": " << run.err;
      EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1)
          << run.err;
      EXPECT_NE(run.err.find(c.mention), std::string::npos) << run.err;
      EXPECT_TRUE(absl::StartsWith(run.err, "crawler: ")) << run.err;
    }
    EXPECT_EQ((*server)->requests().size(), 0u);
  }());
}

TEST(CrawlerE2eTest, HelpIsReadable) {
  aio::run([]() -> Coro<void> {
    std::string dir = fresh_dir("help");
    CrawlerProcess p({"--help"}, dir);
    CrawlerRun run = co_await p.wait();
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_NE(run.out.find("--allow"), std::string::npos);
    EXPECT_NE(run.out.find("canonical URL"), std::string::npos);
    EXPECT_NE(run.out.find("--max_pages"), std::string::npos);
  }());
}

TEST(CrawlerE2eTest, StdoutOutputKeepsProgressOnStderr) {
  aio::run([]() -> Coro<void> {
    HttpServer::Options so;
    so.handler = [](const Request& r, std::string_view) {
      return tree_site(r, 7);
    };
    auto server = co_await HttpServer::start(std::move(so));
    std::string dir = fresh_dir("stdout");
    CrawlerProcess p({"--start_url=" + (*server)->url("/t/0"), "--out=-",
                      "--progress=log", "--log_interval=10ms"},
                     dir);
    CrawlerRun run = co_await p.wait();
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(parse_jsonl(run.out).size(), 7u);  // nothing else on stdout
    EXPECT_NE(run.err.find("crawler: done: 7 pages, 7 records"),
              std::string::npos)
        << run.err;
  }());
}

}  // namespace
}  // namespace aio::crawler
