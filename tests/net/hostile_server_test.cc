// Tests of aio::http::Client (net/client.h) against servers that break HTTP
// on purpose: the regression tests of issue 10 ("//net against hostile
// servers"), each against a misbehaving route of the fixture server
// (tests/fixtures/http_server.h). One bad server must never exhaust the
// client's memory, freeze its loop, kill the client or put one page's body
// under another page's URL.
#include "net/client.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "loop/loop.h"
#include "net/http_error.h"
#include "tests/fixtures/http_server.h"
#include "tests/net/test_util.h"

namespace aio::http {
namespace {

using aio::testing::HttpServer;
using aio::testing::run_test;
using namespace std::chrono_literals;

bool contains(const absl::Status& s, std::string_view text) {
  return absl::StrContains(s.message(),
                           absl::string_view(text.data(), text.size()));
}

// Waits (a bounded number of loop turns) for a server-side condition.
Coro<bool> eventually(const HttpServer& server, uint64_t HttpServer::Stats::*field,
                      uint64_t at_least) {
  for (int i = 0; i < 500; ++i) {
    if (server.stats().*field >= at_least) co_return true;
    co_await aio::sleep(10ms);
  }
  co_return false;
}

// The client still works after what the server did to it.
Coro<void> expect_client_alive(Client& client, const HttpServer& server) {
  auto r = co_await client.get(server.url("/page/7"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "page 7");
}

// ------------------------------------------------ 1. obs-fold floods

Coro<void> obs_fold() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  // Folded lines join the field's value (RFC 9112 5.2), in linear time.
  auto r = co_await client.get((*server)->url("/fold?lines=1000"));
  CO_ASSERT_OK(r);
  std::string want = "a";
  for (int i = 0; i < 1000; ++i) want += " a";
  EXPECT_EQ(r->headers.get("X-Fold"), want);
  EXPECT_EQ(r->body, "ok");
  // 100,000 folds (a 400 KB head) pass the 256 KiB cap on a response head:
  // a protocol error, not gigabytes of copies nor an exception thrown
  // through libcurl's callback (which left the client dead for good).
  auto flood = co_await client.get((*server)->url("/fold?lines=100000"));
  CO_ASSERT_TRUE(!flood.ok());
  EXPECT_EQ(error_kind(flood.status()), ErrorKind::kProtocol) << flood.status();
  EXPECT_TRUE(contains(flood.status(), "256 KiB")) << flood.status();
  co_await expect_client_alive(client, **server);
}
TEST(HostileServerTest, ObsFoldFloodIsLinearCappedAndLeavesTheClientAlive) {
  run_test(obs_fold());
}

Coro<void> many_headers() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto fine = co_await client.get((*server)->url("/many-headers?count=200"));
  CO_ASSERT_OK(fine);
  EXPECT_EQ(fine->headers.get("X-H199"), std::string(1000, 'v'));
  // 400 fields of 1 KB: over the cap on the head.
  auto r = co_await client.get((*server)->url("/many-headers?count=400"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kProtocol) << r.status();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  // One 10 MB field: libcurl's line buffer refuses it ("Out of memory").
  auto big = co_await client.get((*server)->url("/big-header?bytes=10000000"));
  CO_ASSERT_TRUE(!big.ok());
  EXPECT_EQ(error_kind(big.status()), ErrorKind::kProtocol) << big.status();
  co_await expect_client_alive(client, **server);
}
TEST(HostileServerTest, OversizedHeadsAreProtocolErrors) {
  run_test(many_headers());
}

// ------------------------------------------------ 2. chunked trailers

Coro<void> trailers() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get((*server)->url("/trailers?count=2"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->trailers.size(), 2u);
  EXPECT_EQ(r->trailers.get("X-T0"), std::string(10, 't'));
  EXPECT_EQ(r->trailers.get("X-T1"), std::string(10, 't'));
  // Trailers are not headers.
  EXPECT_FALSE(r->headers.contains("X-T0"));
  EXPECT_EQ(r->headers.get("Transfer-Encoding"), "chunked");
  // A response without trailers has none, also on a reused handle.
  auto plain = co_await client.get((*server)->url("/"));
  CO_ASSERT_OK(plain);
  EXPECT_TRUE(plain->trailers.empty());
}
TEST(HostileServerTest, TrailersAreKeptApartFromHeaders) {
  run_test(trailers());
}

Coro<void> endless_trailers() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.low_speed_limit = 0;  // the check that would not have saved us
  Client client(opts);
  // Without end: stopped at 64 KiB of trailers.
  auto r = co_await client.get((*server)->url("/trailers?count=0&size=100"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kProtocol) << r.status();
  EXPECT_TRUE(contains(r.status(), "trailers")) << r.status();
  // The server notices that the client went away.
  EXPECT_TRUE(co_await eventually(**server, &HttpServer::Stats::aborted_responses, 1));
  // Many small fields: stopped at 128 fields.
  auto many = co_await client.get((*server)->url("/trailers?count=200&size=1"));
  CO_ASSERT_TRUE(!many.ok());
  EXPECT_EQ(error_kind(many.status()), ErrorKind::kProtocol) << many.status();
  // 128 fields are fine.
  auto ok = co_await client.get((*server)->url("/trailers?count=128&size=1"));
  CO_ASSERT_OK(ok);
  EXPECT_EQ(ok->trailers.size(), 128u);
  // One trailer line over libcurl's line limit.
  auto line = co_await client.get((*server)->url("/trailers?count=1&size=200000"));
  CO_ASSERT_TRUE(!line.ok());
  EXPECT_EQ(error_kind(line.status()), ErrorKind::kProtocol) << line.status();
  co_await expect_client_alive(client, **server);
}
TEST(HostileServerTest, EndlessTrailersAreBoundedInCountAndBytes) {
  run_test(endless_trailers());
}

// ------------------------------------------------ 4. keep-alive desync

Coro<void> extra_bytes(int ms) {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_connections_per_host = 1;  // one connection: it would be reused
  Client client(opts);
  auto first =
      co_await client.get((*server)->url("/extra?ms=" + std::to_string(ms)));
  CO_ASSERT_OK(first);
  EXPECT_EQ(first->body, "hello");
  // The unasked-for response arrives on the idle connection.
  CO_ASSERT_TRUE(
      co_await eventually(**server, &HttpServer::Stats::extra_bytes_sent, 1));
  co_await aio::sleep(50ms);
  for (int i = 0; i < 3; ++i) {
    auto r = co_await client.get((*server)->url("/page/" + std::to_string(i)));
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->body, "page " + std::to_string(i));
  }
  // The poisoned connection was closed, the next one kept.
  EXPECT_EQ((*server)->stats().connections, 2u);
  EXPECT_EQ(client.stats().connections_opened, 2u);
}
TEST(HostileServerTest, BytesAfterAResponseNeverAnswerTheNextRequest) {
  run_test(extra_bytes(20));
}

// ------------------------------------------------ 5. pool timeout

Coro<void> pool_timeout() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_connections_per_host = 1;
  opts.timeout = 0s;  // the first request has no timeout of its own
  Client client(opts);
  Request slow;
  slow.url = (*server)->url("/slow?ms=1000");
  Task<absl::StatusOr<Response>> holder = create_task(client.request(slow));
  co_await aio::sleep(50ms);
  Request queued;
  queued.url = (*server)->url("/page/1");
  queued.timeout = 200ms;
  auto r = co_await client.request(queued);
  // It failed at its own timeout, while the holder still has the slot.
  EXPECT_FALSE(holder.done());
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTimeout) << r.status();
  EXPECT_TRUE(contains(r.status(), "pool timeout")) << r.status();
  EXPECT_EQ((*server)->stats().requests, 1u);  // it never reached the server
  auto h = co_await holder;
  CO_ASSERT_OK(h);
  EXPECT_EQ(h->body, "slow");
}
TEST(HostileServerTest, RequestsQueuedForAConnectionKeepTheirTimeout) {
  run_test(pool_timeout());
}

Coro<void> reused_connection_timeout() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto warm = co_await client.get((*server)->url("/"));
  CO_ASSERT_OK(warm);
  Request r;
  r.url = (*server)->url("/slow?ms=2000");
  r.timeout = 200ms;
  auto t = co_await client.request(r);
  CO_ASSERT_TRUE(!t.ok());
  EXPECT_EQ(error_kind(t.status()), ErrorKind::kTimeout) << t.status();
  // Not "connect timeout": the connection was there (reused).
  EXPECT_FALSE(contains(t.status(), "connect timeout")) << t.status();
  EXPECT_FALSE(contains(t.status(), "pool timeout")) << t.status();
  EXPECT_EQ(client.stats().connections_opened, 1u);
}
TEST(HostileServerTest, TimeoutOnAReusedConnectionIsNotAConnectTimeout) {
  run_test(reused_connection_timeout());
}

// ------------------------------------------------ 6. 303 See Other

Coro<void> see_other() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  for (std::string method : {"PUT", "DELETE", "PATCH", "POST"}) {
    Request r;
    r.method = method;
    r.url = (*server)->url("/redirect-to?status=303&url=/echo");
    r.body = "data";
    r.headers.add("Content-Type", "text/plain");
    auto resp = co_await client.request(r);
    CO_ASSERT_OK(resp);
    EXPECT_EQ(resp->headers.get("X-Method"), "GET") << method;
    EXPECT_EQ(resp->body, "") << method;
    EXPECT_EQ(resp->redirect_count, 1) << method;
    EXPECT_EQ(resp->url, (*server)->url("/echo")) << method;
  }
  // 307 and 308 keep method and body; 301 and 302 keep PUT.
  for (int status : {301, 302, 307, 308}) {
    Request r;
    r.method = "PUT";
    r.url = (*server)->url("/redirect-to?status=" + std::to_string(status) +
                           "&url=/echo");
    r.body = "data";
    auto resp = co_await client.request(r);
    CO_ASSERT_OK(resp);
    EXPECT_EQ(resp->headers.get("X-Method"), "PUT") << status;
    EXPECT_EQ(resp->body, "data") << status;
    EXPECT_GE(resp->timings.total, resp->timings.redirect);
  }
  // The redirect limit holds for redirects the client follows itself.
  ClientOptions few;
  few.max_redirects = 3;
  Client limited(few);
  Request loop;
  loop.method = "DELETE";
  loop.url = (*server)->url("/loop");
  auto l = co_await limited.request(loop);
  CO_ASSERT_TRUE(!l.ok());
  EXPECT_EQ(error_kind(l.status()), ErrorKind::kTooManyRedirects) << l.status();
  EXPECT_EQ((*server)->stats().requests, 4u * 2u + 4u * 2u + 4u);
  // Not followed when asked not to.
  Request stay;
  stay.method = "PUT";
  stay.url = (*server)->url("/redirect-to?status=303&url=/echo");
  stay.follow_redirects = false;
  auto s = co_await client.request(stay);
  CO_ASSERT_OK(s);
  EXPECT_EQ(s->status, 303);
}
TEST(HostileServerTest, SeeOtherTurnsEveryMethodIntoGet) { run_test(see_other()); }

Coro<void> credentials_stay_home() {
  auto a = co_await HttpServer::start();
  CO_ASSERT_OK(a);
  auto b = co_await HttpServer::start();
  CO_ASSERT_OK(b);
  Client client;
  Request r;
  r.method = "PUT";
  r.url = (*a)->url("/redirect-to?status=307&url=" + (*b)->url("/headers"));
  r.headers.add("Authorization", "Bearer secret");
  r.headers.add("X-Other", "kept");
  auto resp = co_await client.request(r);
  CO_ASSERT_OK(resp);
  EXPECT_FALSE(absl::StrContains(resp->body, "secret")) << resp->body;
  EXPECT_TRUE(absl::StrContains(resp->body, "X-Other: kept")) << resp->body;
}
TEST(HostileServerTest, RedirectsToAnotherOriginDropCredentials) {
  run_test(credentials_stay_home());
}

// ------------------------------------------------ 7, 8. malformed responses

struct Broken {
  const char* path;
  ErrorKind kind;
};

Coro<void> malformed() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  const Broken cases[] = {
      {"/cut-head", ErrorKind::kTruncated},
      {"/bad-chunk?size=zz", ErrorKind::kProtocol},
      {"/bad-chunk?size=ffffffffffffffffffffff", ErrorKind::kProtocol},
      {"/garbage", ErrorKind::kProtocol},
      {"/two-lengths?a=5&b=50", ErrorKind::kProtocol},
      {"/two-lengths?a=5&b=5,%206", ErrorKind::kProtocol},
      {"/two-lengths?a=5&b=five", ErrorKind::kProtocol},
  };
  for (const Broken& c : cases) {
    auto r = co_await client.get((*server)->url(c.path));
    if (r.ok()) {
      ADD_FAILURE() << c.path << " gave a response: " << r->status;
      continue;
    }
    EXPECT_EQ(error_kind(r.status()), c.kind) << c.path << ": " << r.status();
    // What the server sent: a retry would get the same.
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << c.path;
  }
  // Repeated equal lengths are one length (RFC 9110 8.6).
  auto same = co_await client.get((*server)->url("/two-lengths?a=5&b=5"));
  CO_ASSERT_OK(same);
  EXPECT_EQ(same->body, "hello");
  co_await expect_client_alive(client, **server);
}
TEST(HostileServerTest, MalformedResponsesAreProtocolOrTruncatedErrors) {
  run_test(malformed());
}

// ------------------------------------------------ 9. max_body_size extremes

Coro<void> body_limits() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_body_size = 10;
  Client client(opts);
  auto small = co_await client.get((*server)->url("/large?bytes=100"));
  CO_ASSERT_TRUE(!small.ok());
  EXPECT_EQ(error_kind(small.status()), ErrorKind::kTooLarge);
  // SIZE_MAX on the same (pooled) handle: no limit, not the previous one.
  Request unlimited;
  unlimited.url = (*server)->url("/large?bytes=100");
  unlimited.max_body_size = SIZE_MAX;
  auto big = co_await client.request(unlimited);
  CO_ASSERT_OK(big);
  EXPECT_EQ(big->body.size(), 100u);
  // 0: only empty bodies.
  Request none;
  none.url = (*server)->url("/large?bytes=1");
  none.max_body_size = 0;
  auto one = co_await client.request(none);
  CO_ASSERT_TRUE(!one.ok());
  EXPECT_EQ(error_kind(one.status()), ErrorKind::kTooLarge) << one.status();
  none.url = (*server)->url("/large?bytes=0");
  auto empty = co_await client.request(none);
  CO_ASSERT_OK(empty);
  EXPECT_EQ(empty->body, "");
  // And back to the client's limit.
  auto again = co_await client.get((*server)->url("/large?bytes=100"));
  EXPECT_EQ(error_kind(again.status()), ErrorKind::kTooLarge);
}
TEST(HostileServerTest, MaxBodySizeZeroAndSizeMaxOnPooledHandles) {
  run_test(body_limits());
}

// ------------------------------------------------ 10. lying Content-Length

size_t vm_size_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoul(line.substr(7));
  }
  return 0;
}

Coro<absl::StatusOr<Response>> fetch(Client* c, Request r) {
  co_return co_await c->request(std::move(r));
}

Coro<void> lying_length() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  // HEAD: an announced 60 MB body never comes, and takes no memory.
  auto head = co_await client.head((*server)->url("/announce?length=60000000"));
  CO_ASSERT_OK(head);
  EXPECT_EQ(head->headers.get("Content-Length"), "60000000");
  EXPECT_EQ(head->body, "");
  EXPECT_LT(head->body.capacity(), size_t{1} << 20);
  // GET: five responses announce 60 MB each and send 10 bytes: the buffers
  // grow with what arrives (reserving the announced size took 300 MB).
  size_t before = vm_size_kb();
  std::vector<Task<absl::StatusOr<Response>>> liars;
  for (int i = 0; i < 5; ++i) {
    Request r;
    r.url = (*server)->url("/announce?length=60000000&send=10&i=" +
                           std::to_string(i));
    liars.push_back(create_task(fetch(&client, r)));
  }
  CO_ASSERT_TRUE(co_await eventually(
      **server, &HttpServer::Stats::completed_responses, 6));
  co_await aio::sleep(50ms);
  size_t during = vm_size_kb();
  EXPECT_LT(during, before + 100 * 1024) << "VmSize grew from " << before
                                         << " kB to " << during << " kB";
  for (auto& t : liars) t.cancel();
  for (auto& t : liars) {
    try {
      (void)co_await t;
    } catch (const CancelledError&) {
    }
  }
}
TEST(HostileServerTest, AnnouncedContentLengthIsNotReservedUpFront) {
  run_test(lying_length());
}

Coro<void> timeout_extremes() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  Request r;
  r.url = (*server)->url("/page/1");
  r.timeout = -1ms;
  auto negative = co_await client.request(r);
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument)
      << negative.status();
  for (Duration d : {Duration::zero(), Duration::max()}) {
    r.timeout = d;
    auto ok = co_await client.request(r);
    CO_ASSERT_OK(ok);
    EXPECT_EQ(ok->body, "page 1");
  }
  // The client's own deadline with the largest timeout does not fire.
  r.method = "PUT";  // followed by the client itself
  r.url = (*server)->url("/redirect-to?status=307&url=/echo");
  r.timeout = Duration::max();
  auto hop = co_await client.request(r);
  CO_ASSERT_OK(hop);
  EXPECT_EQ(hop->headers.get("X-Method"), "PUT");
}
TEST(HostileServerTest, RequestTimeoutZeroNegativeAndMax) {
  run_test(timeout_extremes());
}

// ------------------------------------------------ 11. NUL in a URL

Coro<void> nul_url() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  std::string url = (*server)->url("/page/1");
  url += std::string("\0/after", 7);
  auto r = co_await client.get(url);
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kInvalidUrl) << r.status();
  EXPECT_TRUE(contains(r.status(), "NUL")) << r.status();
  EXPECT_EQ((*server)->stats().requests, 0u);  // nothing was sent
  std::string in_host = "http://127.0.0.1";
  in_host += '\0';
  in_host += ".evil/";
  auto h = co_await client.get(in_host);
  EXPECT_EQ(error_kind(h.status()), ErrorKind::kInvalidUrl) << h.status();
}
TEST(HostileServerTest, UrlWithAnEmbeddedNulIsRejected) { run_test(nul_url()); }

}  // namespace
}  // namespace aio::http
