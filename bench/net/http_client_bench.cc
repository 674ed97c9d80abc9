// http_client_bench: fetch <count> pages <base>/p/<i>.html with <concurrency>
// requests in flight on one aio::http::Client, and report the time taken.
//
// Usage: http_client_bench <base_url> <count> <concurrency> [bare]
// With "bare", the client is configured like the bare C program
// (curl_multi_bench without "defaults"): no Accept-Encoding/decoding, no
// User-Agent, no connect/total/low-speed timeouts. Same pages, same
// connections; the difference is only the work those options cause in
// libcurl and nginx.
// Prints: RESULT seconds=<s> pages=<ok> bytes=<body bytes> errors=<n>
// (time measured around the fetches only, not process start-up).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "loop/loop.h"
#include "net/client.h"

namespace {

struct Shared {
  std::string base;
  int count = 0;
  int next = 0;
  int ok = 0;
  int errors = 0;
  size_t bytes = 0;
};

aio::Coro<void> worker(aio::http::Client* client, Shared* s) {
  while (s->next < s->count) {
    int i = s->next++;
    char path[32];
    std::snprintf(path, sizeof path, "/p/%d.html", i);
    std::string url;
    url.reserve(s->base.size() + 32);
    url.append(s->base).append(path);
    auto r = co_await client->get(std::move(url));
    if (r.ok() && r->status == 200) {
      ++s->ok;
      s->bytes += r->body.size();
    } else {
      if (++s->errors <= 5) {
        std::fprintf(stderr, "page %d: %s\n", i,
                     r.ok() ? ("HTTP " + std::to_string(r->status)).c_str()
                            : std::string(r.status().message()).c_str());
      }
    }
  }
}

aio::Coro<int> amain(Shared* s, int concurrency, bool bare) {
  aio::http::ClientOptions opts;
  if (bare) {
    opts.decompress = false;
    opts.user_agent.clear();
    opts.timeout = {};
    opts.connect_timeout = {};
    opts.low_speed_limit = 0;
  }
  opts.max_connections = concurrency;
  opts.max_connections_per_host = concurrency;
  opts.max_idle_connections = concurrency;
  aio::http::Client client(opts);
  auto start = std::chrono::steady_clock::now();
  std::vector<aio::Task<void>> tasks;
  for (int i = 0; i < concurrency; ++i)
    tasks.push_back(aio::create_task(worker(&client, s)));
  for (auto& t : tasks) co_await t;
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("RESULT seconds=%.6f pages=%d bytes=%zu errors=%d\n", secs, s->ok,
              s->bytes, s->errors);
  co_return s->errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const bool bare = argc == 5 && std::string(argv[4]) == "bare";
  if (argc != 4 && !bare) {
    std::fprintf(stderr, "usage: %s <base_url> <count> <concurrency> [bare]\n",
                 argv[0]);
    return 2;
  }
  Shared s;
  s.base = argv[1];
  s.count = std::atoi(argv[2]);
  return aio::run(amain(&s, std::atoi(argv[3]), bare));
}
