// A test site behind the crawler's Fetcher seam (crawler/fetcher.h): pages by
// URL with a status, header fields, body and latency, answered on the loop's
// clock — so engine tests run under virtual time, deterministically. Every
// request is logged with its start and end time, and the site counts requests
// in flight, in total and per origin, at every instant.
//
// Not a mock: it checks nothing itself; tests read its log afterwards.
#ifndef AIO_TESTS_CRAWLER_FAKE_SITE_H_
#define AIO_TESTS_CRAWLER_FAKE_SITE_H_

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crawler/canonical_url.h"
#include "crawler/fetcher.h"
#include "crawler/output.h"
#include "loop/event_loop.h"
#include "loop/sleep.h"
#include "net/http_error.h"

namespace aio::crawler::testing {

struct FakePage {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "text/html; charset=utf-8"}};
  std::string body;
  Duration latency = std::chrono::milliseconds(10);
  // Fail the first `fail_tries` tries with this instead (status > 0: that
  // status and `fail_headers`; 0: `fail_error`).
  int fail_tries = 0;
  int fail_status = 503;
  std::vector<std::pair<std::string, std::string>> fail_headers;
  http::ErrorKind fail_error = http::ErrorKind::kConnectionReset;
};

// "<html><head><title>T</title></head><body><a href=L1>..</a>...</body></html>"
inline std::string html_page(std::string_view title,
                             const std::vector<std::string>& links,
                             std::string_view extra = "") {
  std::string out = absl::StrCat("<!doctype html><html><head><title>",
                                 std::string(title), "</title></head><body>");
  for (const std::string& l : links) {
    absl::StrAppend(&out, "<a href=\"", l, "\">link</a>\n");
  }
  absl::StrAppend(&out, std::string(extra), "</body></html>");
  return out;
}

class FakeSite final : public Fetcher {
 public:
  struct Hit {
    std::string url;
    TimePoint start{};
    TimePoint end{};
  };

  std::map<std::string, FakePage> pages;  // by exact URL requested
  std::vector<Hit> log;
  size_t in_flight = 0;
  size_t max_in_flight = 0;
  std::map<std::string, size_t> host_in_flight;
  std::map<std::string, size_t> host_max_in_flight;

  FakePage& page(const std::string& url) { return pages[url]; }

  size_t count(const std::string& url) const {
    return std::count_if(log.begin(), log.end(),
                         [&](const Hit& h) { return h.url == url; });
  }
  std::vector<TimePoint> starts(const std::string& url) const {
    std::vector<TimePoint> out;
    for (const Hit& h : log) {
      if (h.url == url) out.push_back(h.start);
    }
    return out;
  }

  Coro<absl::StatusOr<http::Response>> fetch(http::Request req) override {
    EventLoop& loop = get_event_loop();
    std::string o = origin(req.url);
    size_t index = log.size();
    log.push_back(Hit{req.url, loop.time(), {}});
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    size_t& h = host_in_flight[o];
    ++h;
    host_max_in_flight[o] = std::max(host_max_in_flight[o], h);
    absl::StatusOr<http::Response> r = co_await answer(req, count(req.url));
    --in_flight;
    --host_in_flight[o];
    log[index].end = loop.time();
    co_return r;
  }

 private:
  Coro<absl::StatusOr<http::Response>> answer(http::Request req, size_t nth) {
    auto it = pages.find(req.url);
    FakePage p;
    if (it != pages.end()) {
      p = it->second;
    } else {
      p.status = 404;
      p.body = "<html><title>missing</title></html>";
    }
    Duration timeout = req.timeout.value_or(std::chrono::seconds(60));
    if (p.latency > timeout) {
      co_await aio::sleep(timeout);
      co_return http::make_error(http::ErrorKind::kTimeout,
                                 absl::StrCat("timeout: ", req.url));
    }
    co_await aio::sleep(p.latency);
    if (static_cast<int>(nth) <= p.fail_tries) {
      if (p.fail_status == 0) {
        co_return http::make_error(p.fail_error,
                                   absl::StrCat("failed: ", req.url));
      }
      p.status = p.fail_status;
      p.headers = p.fail_headers;
      p.body = "<html><title>error page</title></html>";
    }
    if (req.max_body_size && p.body.size() > *req.max_body_size) {
      co_return http::make_error(http::ErrorKind::kTooLarge,
                                 absl::StrCat("too large: ", req.url));
    }
    http::Response r;
    r.status = p.status;
    r.http_version = 11;
    for (const auto& [k, v] : p.headers) r.headers.add(k, v);
    r.body = p.body;
    r.url = req.url;
    co_return r;
  }
};

// An Output that keeps what it is given, page by page.
class MemoryOutput final : public Output {
 public:
  std::vector<std::vector<Record>> pages;  // one entry per write()
  int flushes = 0;
  bool closed = false;
  absl::Status fail_with;  // returned by write() when not OK

  Coro<absl::Status> write(std::vector<Record> records) override {
    if (!fail_with.ok()) co_return fail_with;
    pages.push_back(std::move(records));
    co_return absl::OkStatus();
  }
  Coro<absl::Status> flush() override {
    ++flushes;
    co_return absl::OkStatus();
  }
  Coro<absl::Status> close() override {
    closed = true;
    co_return absl::OkStatus();
  }
  std::string describe() const override { return "memory"; }

  // (url, title) of every record, sorted.
  std::vector<std::pair<std::string, std::string>> records() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& page : pages) {
      for (const Record& r : page) out.emplace_back(r.url, r.title);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace aio::crawler::testing

#endif  // AIO_TESTS_CRAWLER_FAKE_SITE_H_
