// Tests of host name lookups that hang: aio::http::Client (net/client.h)
// must not freeze its loop when a request whose lookup hangs is cancelled,
// times out or loses its client (issue 10, item 3), and open_connection
// (net/connection.h) must resolve on a small bounded pool, not a thread per
// lookup (item 13).
//
// The hanging resolver: this binary defines getaddrinfo. The executable
// comes first in the dynamic linker's search order, so every caller in the
// process — libcurl's threaded resolver and //net's resolver pool alike —
// calls this one (libcurl here is built with the threaded resolver, not
// c-ares, so CURLOPT_DNS_SERVERS with a fake DNS server is not available).
// Names ending in ".hang.test" block until the test releases them and then
// resolve to 127.0.0.1 (an AI_NUMERICHOST query for them fails at once, as
// glibc's does); every other name goes to the real getaddrinfo
// (dlsym(RTLD_NEXT), which under a sanitizer is its interceptor).
#include "net/client.h"

#include <dlfcn.h>
#include <netdb.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "loop/loop.h"
#include "net/connection.h"
#include "net/http_error.h"
#include "net/server.h"
#include "tests/fixtures/http_server.h"
#include "tests/common/test_util.h"

namespace {

struct HangingResolver {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;  // guarded by mu
  int inside = 0;         // calls blocked right now; guarded by mu
  int entered = 0;        // calls that blocked since reset(); guarded by mu
};

HangingResolver& resolver() {
  static HangingResolver* r = new HangingResolver;  // outlives every thread
  return *r;
}

bool hangs(const char* node) {
  if (node == nullptr) return false;
  std::string_view n(node);
  std::string_view suffix = ".hang.test";
  return n.size() >= suffix.size() &&
         n.substr(n.size() - suffix.size()) == suffix;
}

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service,
                           const addrinfo* hints, addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
  // A numeric-only query (AI_NUMERICHOST) never blocks, in glibc too.
  if (hangs(node) && !(hints && (hints->ai_flags & AI_NUMERICHOST))) {
    HangingResolver& r = resolver();
    std::unique_lock<std::mutex> lock(r.mu);
    ++r.inside;
    ++r.entered;
    r.cv.notify_all();
    r.cv.wait(lock, [&r] { return r.released; });
    --r.inside;
    r.cv.notify_all();
    lock.unlock();
    return real("127.0.0.1", service, hints, res);
  }
  return real(node, service, hints, res);
}

namespace aio::http {
namespace {

using aio::testing::HttpServer;
using aio::testing::run_test;
using namespace std::chrono_literals;

int entered() {
  std::lock_guard<std::mutex> lock(resolver().mu);
  return resolver().entered;
}
bool released() {
  std::lock_guard<std::mutex> lock(resolver().mu);
  return resolver().released;
}

// Lets every blocked lookup return and waits until they have; then the
// next lookups block again.
void release_all() {
  HangingResolver& r = resolver();
  std::unique_lock<std::mutex> lock(r.mu);
  r.released = true;
  r.cv.notify_all();
  r.cv.wait(lock, [&r] { return r.inside == 0; });
}
void reset() {
  release_all();
  std::lock_guard<std::mutex> lock(resolver().mu);
  resolver().released = false;
  resolver().entered = 0;
}

// Releases the resolver after 30 s if the test has not: a loop frozen in a
// join of the resolver thread then resumes, and the test fails instead of
// hanging.
class Watchdog {
 public:
  Watchdog() : thread_([this] {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, 30s, [this] { return done_; })) {
      fired_ = true;
      lock.unlock();
      release_all();
    }
  }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool fired() const { return fired_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

Coro<bool> until_entered(int n) {
  for (int i = 0; i < 1000 && entered() < n; ++i) co_await aio::sleep(5ms);
  co_return entered() >= n;
}

Coro<absl::StatusOr<Response>> fetch(Client* c, Request r) {
  co_return co_await c->request(std::move(r));
}

enum class End { kCancel, kTimeout, kDestroy };

// A request whose lookup hangs ends (by `how`) while the lookup still
// hangs; meanwhile and afterwards the loop runs timers and other requests.
Coro<void> hanging_lookup(End how) {
  reset();
  Watchdog watchdog;
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  auto client = std::make_unique<Client>();
  Request r;
  r.url = "http://slow.hang.test:" + std::to_string((*server)->port()) + "/";
  if (how == End::kTimeout) r.timeout = 100ms;
  Task<absl::StatusOr<Response>> doomed = create_task(fetch(client.get(), r));
  CO_ASSERT_TRUE(co_await until_entered(1));
  // The loop is not blocked by the pending lookup.
  auto other = co_await client->get((*server)->url("/page/1"));
  CO_ASSERT_OK(other);
  switch (how) {
    case End::kCancel:
      doomed.cancel();
      break;
    case End::kTimeout:
      break;
    case End::kDestroy:
      client.reset();
      break;
  }
  bool cancelled = false;
  absl::StatusOr<Response> result = absl::UnknownError("not set");
  try {
    result = co_await doomed;
  } catch (const CancelledError&) {
    cancelled = true;
  }
  // The request ended while the lookup still hangs: nothing joined the
  // resolver thread (which would have waited for the watchdog).
  EXPECT_FALSE(released());
  EXPECT_FALSE(watchdog.fired());
  switch (how) {
    case End::kCancel:
      EXPECT_TRUE(cancelled);
      break;
    case End::kTimeout:
      EXPECT_FALSE(cancelled);
      EXPECT_EQ(error_kind(result.status()), ErrorKind::kTimeout)
          << result.status();
      break;
    case End::kDestroy:
      EXPECT_FALSE(cancelled);
      EXPECT_EQ(error_kind(result.status()), ErrorKind::kClientClosed)
          << result.status();
      break;
  }
  co_await aio::sleep(1ms);  // timers still run
  if (client) {
    auto after = co_await client->get((*server)->url("/page/2"));
    CO_ASSERT_OK(after);
    EXPECT_EQ(after->body, "page 2");
  }
  release_all();
  // libcurl's detached resolver thread frees its state once its lookup
  // returns; give it a moment before the next test (or LeakSanitizer).
  co_await aio::sleep(50ms);
}

TEST(SlowDnsTest, CancellingARequestWithAHangingLookupDoesNotFreezeTheLoop) {
  run_test(hanging_lookup(End::kCancel));
}
TEST(SlowDnsTest, TimeoutDuringAHangingLookupDoesNotFreezeTheLoop) {
  run_test(hanging_lookup(End::kTimeout));
}
TEST(SlowDnsTest, DestroyingTheClientDuringAHangingLookupDoesNotFreezeTheLoop) {
  run_test(hanging_lookup(End::kDestroy));
}

// ------------------------------------------------ open_connection

size_t thread_count() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    (void)e;
    ++n;
  }
  return n;
}

Coro<void> echo(net::StreamReader r, net::StreamWriter w) {
  auto line = co_await r.readline();
  if (line.ok()) (void)w.write(*line);
  (void)co_await w.drain();
  w.close();
}

Coro<void> connect_and_echo(uint16_t port, int* ok) {
  auto c = co_await net::open_connection("many.hang.test", port);
  if (!c.ok()) co_return;
  auto& [reader, writer] = *c;
  if (!writer.write("hi\n").ok()) co_return;
  auto line = co_await reader.readline();
  if (line.ok() && *line == "hi\n") ++*ok;
  writer.close();
}

Coro<void> bounded_lookups() {
  reset();
  Watchdog watchdog;
  auto server = co_await net::start_server(echo, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  const size_t threads_before = thread_count();
  constexpr int kCalls = 200;
  int ok = 0;
  std::vector<Task<void>> calls;
  for (int i = 0; i < kCalls; ++i)
    calls.push_back(create_task(connect_and_echo(server->port(), &ok)));
  CO_ASSERT_TRUE(co_await until_entered(1));
  co_await aio::sleep(100ms);
  // A few lookups run at once; the others wait in the pool's queue, and
  // no thread per lookup was started.
  EXPECT_GE(entered(), 1);
  EXPECT_LE(entered(), 4);
  EXPECT_LE(thread_count(), threads_before + 4);
  release_all();
  for (auto& t : calls) co_await t;
  EXPECT_EQ(ok, kCalls);
  EXPECT_FALSE(watchdog.fired());
}
TEST(SlowDnsTest, OpenConnectionLookupsRunOnABoundedPool) {
  run_test(bounded_lookups());
}

Coro<void> cancelled_lookup() {
  reset();
  Watchdog watchdog;
  auto server = co_await net::start_server(echo, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  Task<absl::StatusOr<net::Connection>> c =
      create_task(net::open_connection("cancel.hang.test", server->port()));
  CO_ASSERT_TRUE(co_await until_entered(1));
  c.cancel();
  bool cancelled = false;
  try {
    (void)co_await c;
  } catch (const CancelledError&) {
    cancelled = true;
  }
  EXPECT_TRUE(cancelled);
  EXPECT_FALSE(released());  // it did not wait for the lookup
  release_all();
  // The pool is free again: a name that resolves at once connects.
  auto now = co_await net::open_connection("localhost", server->port());
  CO_ASSERT_OK(now);
  EXPECT_FALSE(watchdog.fired());
}
TEST(SlowDnsTest, CancellingOpenConnectionDuringAHangingLookupReturnsAtOnce) {
  run_test(cancelled_lookup());
}

}  // namespace
}  // namespace aio::http
