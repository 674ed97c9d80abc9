// `bazel run //crawler:demo`: the whole crawler on a machine with no
// internet. Serves a generated site (tests/fixtures/site.h through the
// fixture HTTP server on 127.0.0.1, a free port: 2,000 pages, one
// h3.info-title.shuang title each, ~20 links per page written in every
// relative form), crawls it with the crawler's defaults into a JSON Lines
// file, then prints a few records, the summary and how complete the crawl
// was against the site's ground truth.
#include <stdio.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "crawler/engine.h"
#include "loop/run.h"
#include "tests/fixtures/http_server.h"
#include "tests/fixtures/site.h"

namespace {

constexpr size_t kPages = 2000;

aio::Coro<int> demo() {
  absl::StatusOr<aio::testing::Site> site =
      aio::testing::Site::create({.pages = kPages});
  if (!site.ok()) {
    fprintf(stderr, "demo: %s\n", std::string(site.status().message()).c_str());
    co_return 1;
  }
  aio::testing::HttpServer::Options so;
  so.handler = site->handler();
  so.log_requests = false;
  auto server = co_await aio::testing::HttpServer::start(std::move(so));
  if (!server.ok()) {
    fprintf(stderr, "demo: cannot start the site: %s\n",
            std::string(server.status().message()).c_str());
    co_return 1;
  }
  char dir_template[] = "/tmp/crawler-demo-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) {
    perror("demo: mkdtemp");
    co_return 1;
  }
  std::string out = absl::StrCat(dir, "/titles.jsonl");
  std::string start = (*server)->url("/");
  printf("demo: a generated %zu-page site is served at %s\n", kPages,
         start.c_str());
  printf("demo: crawler --start_url=%s --select='h3.info-title.shuang' "
         "--out=%s\n\n",
         start.c_str(), out.c_str());
  fflush(stdout);

  aio::crawler::Options o;
  o.start_urls = {start};
  o.select = "h3.info-title.shuang";
  o.out = out;
  int code = co_await aio::crawler::run(o);

  std::ifstream in(out);
  std::string line;
  size_t shown = 0, total = 0;
  printf("\nfirst records of %s:\n", out.c_str());
  while (std::getline(in, line)) {
    if (shown < 5) {
      printf("  %s\n", line.c_str());
      ++shown;
    }
    ++total;
  }
  printf("  ... %zu records in all; the site has %zu titles (%s)\n", total,
         kPages, total == kPages ? "complete" : "INCOMPLETE");
  co_return code != 0 ? code : (total == kPages ? 0 : 1);
}

}  // namespace

int main() { return aio::run(demo()); }
