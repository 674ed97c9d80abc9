// make_site: writes the generated site (tests/fixtures/site.h) as files for a
// static server, plus its ground truth, for the crawler benchmark.
//
//   make_site <pages> <origin> <document root> <truth.jsonl>
//
// <origin> ("http://127.0.0.1:PORT") is where the server will listen: the
// pages' absolute links point there. The truth file has one
// {"url": canonical URL, "title": expected text} line per page. Exit 0, or 2
// with a message on bad arguments, 1 if writing fails.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fixtures/site.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr,
                 "usage: %s <pages> <origin> <document root> <truth.jsonl>\n",
                 argv[0]);
    return 2;
  }
  char* end = nullptr;
  unsigned long long pages = std::strtoull(argv[1], &end, 10);
  if (end == argv[1] || *end != '\0') {
    std::fprintf(stderr, "make_site: <pages> must be a number, not '%s'\n",
                 argv[1]);
    return 2;
  }
  std::string origin = argv[2];
  if (origin.rfind("http://", 0) != 0 || origin.back() == '/') {
    std::fprintf(stderr,
                 "make_site: <origin> must look like http://127.0.0.1:8080 "
                 "(no trailing slash), not '%s'\n",
                 argv[2]);
    return 2;
  }
  aio::testing::Site::Options options;
  options.pages = pages;
  absl::StatusOr<aio::testing::Site> site = aio::testing::Site::create(options);
  if (!site.ok()) {
    std::fprintf(stderr, "make_site: %s\n", site.status().ToString().c_str());
    return 2;
  }
  absl::Status s = site->write_files(argv[3], origin);
  if (s.ok()) s = site->write_truth(argv[4], origin);
  if (!s.ok()) {
    std::fprintf(stderr, "make_site: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
