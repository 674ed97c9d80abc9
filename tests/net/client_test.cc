// Tests of aio::http::Client (net/client.h) against the fixture server.
#include "net/client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "loop/loop.h"
#include "net/connection.h"
#include "net/http_error.h"
#include "tests/fixtures/http_server.h"
#include "tests/common/test_util.h"

namespace aio::http {
namespace {

using aio::testing::closed_port;
using aio::testing::HttpServer;
using aio::testing::run_test;
using namespace std::chrono_literals;

std::string pattern(size_t n) {
  std::string s(n, 'a');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

double seconds_since(TimePoint start) {
  return std::chrono::duration<double>(get_running_loop().time() - start)
      .count();
}

size_t open_fds() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

// ---------------------------------------------------------------- basics

Coro<void> get_basics() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get((*server)->url("/"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->http_version, 11);
  EXPECT_EQ(r->url, (*server)->url("/"));
  EXPECT_EQ(r->redirect_count, 0);
  // Case-insensitive header look-up.
  EXPECT_EQ(r->headers.get("content-length"), "5");
  EXPECT_EQ(r->headers.get("CONTENT-LENGTH"), "5");
  EXPECT_FALSE(r->headers.contains("X-Absent"));
  EXPECT_GT(r->timings.total.count(), 0);
  EXPECT_LE(r->timings.first_byte, r->timings.total);
  EXPECT_LE(r->timings.connect, r->timings.first_byte);
  EXPECT_EQ(r->timings.tls_handshake.count(), 0);
  EXPECT_EQ(client.stats().requests_succeeded, 1u);
  EXPECT_EQ(client.in_flight(), 0u);
}
TEST(ClientTest, GetReturnsStatusHeadersBodyUrlAndTimings) {
  run_test(get_basics());
}

Coro<void> error_statuses_are_responses() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  for (int code : {201, 404, 418, 500, 503}) {
    auto r =
        co_await client.get((*server)->url("/status/" + std::to_string(code)));
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->status, code);
    EXPECT_EQ(r->ok(), code < 400);
    EXPECT_EQ(r->body, "status " + std::to_string(code));
  }
}
TEST(ClientTest, HttpErrorStatusesAreResponsesNotErrors) {
  run_test(error_statuses_are_responses());
}

Coro<void> methods() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto post =
      co_await client.post((*server)->url("/echo"), "payload \x01\x02 bytes");
  CO_ASSERT_OK(post);
  EXPECT_EQ(post->body, "payload \x01\x02 bytes");
  EXPECT_EQ(post->headers.get("X-Method"), "POST");

  Request put;
  put.method = "PUT";
  put.url = (*server)->url("/echo");
  put.body = "new content";
  auto r = co_await client.request(put);
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->headers.get("X-Method"), "PUT");
  EXPECT_EQ(r->body, "new content");

  Request del;
  del.method = "DELETE";
  del.url = (*server)->url("/echo");
  r = co_await client.request(del);
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->headers.get("X-Method"), "DELETE");
  EXPECT_EQ(r->body, "");

  auto head = co_await client.head((*server)->url("/large?bytes=1000"));
  CO_ASSERT_OK(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->headers.get("Content-Length"), "1000");

  // A GET after POST/HEAD on the same pooled handle is a plain GET again.
  auto get = co_await client.get((*server)->url("/echo"));
  CO_ASSERT_OK(get);
  EXPECT_EQ(get->headers.get("X-Method"), "GET");
  EXPECT_EQ(get->body, "");
  auto large = co_await client.get((*server)->url("/large?bytes=1000"));
  CO_ASSERT_OK(large);
  EXPECT_EQ(large->body.size(), 1000u);
}
TEST(ClientTest, PostPutDeleteHeadAndGetOnReusedHandles) {
  run_test(methods());
}

Coro<void> default_headers() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.user_agent = "test-agent/1.0";
  opts.headers = {{"X-Default", "a"}, {"X-Both", "from-client"}};
  Client client(opts);
  Headers mine = {{"X-Both", "from-request"}, {"X-Own", "b"}};
  auto r = co_await client.get((*server)->url("/headers"), mine);
  CO_ASSERT_OK(r);
  const auto& req = (*server)->requests().back();
  EXPECT_EQ(req.header("User-Agent"), "test-agent/1.0");
  EXPECT_EQ(req.header("X-Default"), "a");
  EXPECT_EQ(req.header("X-Both"), "from-request");
  EXPECT_EQ(req.header("X-Own"), "b");
  EXPECT_EQ(r->body.find("from-client"), std::string::npos) << r->body;
  // Without request headers, the defaults alone.
  r = co_await client.get((*server)->url("/headers"));
  CO_ASSERT_OK(r);
  EXPECT_EQ((*server)->requests().back().header("X-Both"), "from-client");
}
TEST(ClientTest, DefaultHeadersAndUserAgentRequestHeadersOverride) {
  run_test(default_headers());
}

Coro<void> no_user_agent() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.user_agent.clear();
  Client client(opts);
  auto r = co_await client.get((*server)->url("/headers"));
  CO_ASSERT_OK(r);
  const auto& headers = (*server)->requests().back().headers;
  for (const auto& [name, value] : headers) {
    EXPECT_FALSE(absl::EqualsIgnoreCase(name, "User-Agent")) << value;
  }
}
TEST(ClientTest, EmptyUserAgentSendsNoUserAgentHeader) {
  run_test(no_user_agent());
}

Coro<void> bad_input() {
  Client client;
  struct Case {
    Request req;
    ErrorKind kind;  // kOther: a plain InvalidArgument
  };
  std::vector<Case> cases;
  auto make = [](std::string method, std::string url, Headers h = {}) {
    Request r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers = std::move(h);
    return r;
  };
  cases.push_back(
      {make("GET", "ftp://127.0.0.1/file"), ErrorKind::kUnsupportedProtocol});
  cases.push_back(
      {make("GET", "file:///etc/passwd"), ErrorKind::kUnsupportedProtocol});
  cases.push_back({make("GET", "not a url"), ErrorKind::kInvalidUrl});
  cases.push_back({make("GET", ""), ErrorKind::kInvalidUrl});
  cases.push_back({make("GE T", "http://127.0.0.1/"), ErrorKind::kOther});
  cases.push_back({make("", "http://127.0.0.1/"), ErrorKind::kOther});
  cases.push_back(
      {make("GET", "http://127.0.0.1/", {{"X-Evil", "a\r\nInjected: 1"}}),
       ErrorKind::kOther});
  cases.push_back({make("GET", "http://127.0.0.1/", {{"Bad Name", "v"}}),
                   ErrorKind::kOther});
  for (auto& c : cases) {
    std::string what = c.req.method + " " + c.req.url;
    auto r = co_await client.request(c.req);
    CO_ASSERT_TRUE(!r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
        << what << ": " << r.status();
    EXPECT_EQ(error_kind(r.status()), c.kind) << what << ": " << r.status();
  }
  EXPECT_EQ(client.stats().requests_started, 0u);
  EXPECT_THROW(Client(ClientOptions{.max_connections = -1}),
               std::invalid_argument);
}
TEST(ClientTest, BadInputIsAnInvalidArgumentStatus) { run_test(bad_input()); }

// ---------------------------------------------------------------- encodings

Coro<void> decompression() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto h = co_await client.get((*server)->url("/headers"));
  CO_ASSERT_OK(h);
  std::string ae = (*server)->requests().back().header("Accept-Encoding");
  for (const char* enc : {"gzip", "deflate", "br"}) {
    EXPECT_NE(ae.find(enc), std::string::npos) << ae;
    auto r = co_await client.get(
        (*server)->url(std::string("/encoded?bytes=100000&enc=") + enc));
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->headers.get("Content-Encoding"), enc);
    EXPECT_EQ(r->body.size(), 100000u) << enc;
    EXPECT_TRUE(r->body == pattern(100000)) << enc;
  }
  ClientOptions raw;
  raw.decompress = false;
  Client plain(raw);
  auto r = co_await plain.get((*server)->url("/headers"));
  CO_ASSERT_OK(r);
  EXPECT_EQ((*server)->requests().back().header("Accept-Encoding"), "");
}
TEST(ClientTest, GzipDeflateAndBrotliAreDecodedTransparently) {
  run_test(decompression());
}

// ---------------------------------------------------------------- redirects

// A GET of `url` that does not follow redirects.
Request without_redirects(std::string url) {
  Request r;
  r.url = std::move(url);
  r.follow_redirects = false;
  return r;
}

Coro<void> redirects() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get((*server)->url("/redirect/3"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "redirected");
  EXPECT_EQ(r->redirect_count, 3);
  EXPECT_EQ(r->url, (*server)->url("/redirect/0"));
  EXPECT_FALSE(
      r->headers.contains("Location"));  // the final response's headers only
  r = co_await client.get((*server)->url("/redirect-abs/2"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->redirect_count, 2);
  EXPECT_EQ(r->url, (*server)->url("/redirect-abs/0"));

  r = co_await client.request(without_redirects((*server)->url("/redirect/1")));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->headers.get("Location"), "/redirect/0");
}
TEST(ClientTest, RedirectsAreFollowedAndCounted) { run_test(redirects()); }

// A pooled easy handle is only told the per-request options that changed
// since its last request: each option must still come back to the default
// after a request that set it (requests here run one at a time, so they
// share one handle).
Coro<void> pooled_handle_options() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  const std::string headers_url = (*server)->url("/headers");
  Headers once = {{"X-Once", "1"}};
  auto r = co_await client.get(headers_url, once);
  CO_ASSERT_OK(r);
  EXPECT_EQ((*server)->requests().back().header("X-Once"), "1");
  r = co_await client.get(headers_url);
  CO_ASSERT_OK(r);
  EXPECT_EQ((*server)->requests().back().header("X-Once"), "");

  const std::string body_url = (*server)->url("/large?bytes=10");
  for (int i = 0; i < 2; ++i) {
    r = co_await client.head(body_url);
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->body, "");
  }
  r = co_await client.get(body_url);
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body.size(), 10u);
  EXPECT_EQ((*server)->requests().back().method, "GET");

  r = co_await client.post((*server)->url("/echo"), "x");
  CO_ASSERT_OK(r);
  r = co_await client.get((*server)->url("/echo"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->headers.get("X-Method"), "GET");
  EXPECT_EQ(r->body, "");

  r = co_await client.request(without_redirects((*server)->url("/redirect/1")));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 302);
  r = co_await client.get((*server)->url("/redirect/1"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);

  Request small;
  small.url = (*server)->url("/large?bytes=100");
  small.max_body_size = 10;
  r = co_await client.request(small);
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTooLarge) << r.status();
  r = co_await client.get((*server)->url("/large?bytes=100"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body.size(), 100u);

  Request quick;
  quick.url = (*server)->url("/slow?ms=2000");
  quick.timeout = std::chrono::milliseconds(50);
  r = co_await client.request(quick);
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTimeout) << r.status();
  r = co_await client.get((*server)->url("/slow?ms=100"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "slow");
  EXPECT_LE(client.stats().connections_opened, 3u);  // handles were reused
}
TEST(ClientTest, PooledHandlesResetEveryPerRequestOption) {
  run_test(pooled_handle_options());
}

Coro<void> redirect_limits() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_redirects = 2;
  Client client(opts);
  auto r = co_await client.get((*server)->url("/redirect/3"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTooManyRedirects) << r.status();
  EXPECT_NE(r.status().message().find("/redirect/3"), absl::string_view::npos)
      << r.status();
  size_t before = (*server)->stats().requests;
  for (const char* loop : {"/loop", "/loop/a"}) {
    r = co_await client.get((*server)->url(loop));
    CO_ASSERT_TRUE(!r.ok());
    EXPECT_EQ(error_kind(r.status()), ErrorKind::kTooManyRedirects)
        << r.status();
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ((*server)->stats().requests - before,
            6u);  // 3 hops each, then stop
}
TEST(ClientTest, RedirectLoopsAndChainsStopAtTheLimit) {
  run_test(redirect_limits());
}

Coro<void> redirect_to_other_protocols() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  for (const char* target :
       {"file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"}) {
    auto r = co_await client.get(
        (*server)->url(std::string("/redirect-to?url=") + target));
    CO_ASSERT_TRUE(!r.ok());
    EXPECT_EQ(error_kind(r.status()), ErrorKind::kUnsupportedProtocol)
        << target << ": " << r.status();
  }
}
TEST(ClientTest, RedirectsLeaveHttpAndHttpsNever) {
  run_test(redirect_to_other_protocols());
}

// ---------------------------------------------------------------- timeouts

Coro<absl::StatusOr<Response>> fetch(Client* c, Request r) {
  co_return co_await c->request(std::move(r));
}

Coro<void> timeout_while_others_continue() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.timeout = 300ms;
  Client client(opts);
  TimePoint start = get_running_loop().time();
  Request slow;
  slow.url = (*server)->url("/slow?ms=5000");
  Task<absl::StatusOr<Response>> doomed = create_task(fetch(&client, slow));
  Request patient;
  patient.url = (*server)->url("/slow?ms=500");
  patient.timeout = 5s;  // per-request override
  Task<absl::StatusOr<Response>> survivor =
      create_task(fetch(&client, patient));
  // Quick requests meanwhile, before and after the timeout fires.
  int quick_ok = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = co_await client.get((*server)->url("/page/" + std::to_string(i)));
    if (r.ok() && r->body == "page " + std::to_string(i)) ++quick_ok;
    co_await aio::sleep(20ms);
  }
  auto d = co_await doomed;
  CO_ASSERT_TRUE(!d.ok());
  EXPECT_EQ(error_kind(d.status()), ErrorKind::kTimeout) << d.status();
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE(d.status().message().find("timeout"), absl::string_view::npos)
      << d.status();
  auto s = co_await survivor;
  CO_ASSERT_OK(s);
  EXPECT_EQ(s->body, "slow");
  EXPECT_EQ(quick_ok, 20);
  EXPECT_LT(seconds_since(start), 3.0);
}
TEST(ClientTest, TimeoutFiresWhileOtherTransfersContinue) {
  run_test(timeout_while_others_continue());
}

Coro<void> connect_timeout() {
  // A listener whose accept queue is full: the kernel drops further SYNs,
  // so a connect neither succeeds nor fails until the client gives up.
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(lfd, 0);
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(fd);
  }
  co_await aio::sleep(50ms);
  ClientOptions opts;
  opts.connect_timeout = 300ms;
  Client client(opts);
  TimePoint start = get_running_loop().time();
  auto r = co_await client.get(
      "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/");
  double took = seconds_since(start);
  for (int fd : fillers) ::close(fd);
  ::close(lfd);
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTimeout) << r.status();
  EXPECT_NE(r.status().message().find("connect timeout"),
            absl::string_view::npos)
      << r.status();
  EXPECT_GE(took, 0.25);
  EXPECT_LT(took, 2.0);
}
TEST(ClientTest, ConnectTimeout) { run_test(connect_timeout()); }

Coro<void> low_speed_timeout() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.low_speed_limit = 1000;  // bytes per second
  opts.low_speed_time = 1s;
  Client client(opts);
  TimePoint start = get_running_loop().time();
  auto r = co_await client.get(
      (*server)->url("/trickle?bytes=1000&chunk=2&interval_ms=100"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTimeout) << r.status();
  EXPECT_NE(r.status().message().find("low-speed timeout"),
            absl::string_view::npos)
      << r.status();
  EXPECT_LT(seconds_since(start), 4.0);
}
TEST(ClientTest, LowSpeedTimeout) { run_test(low_speed_timeout()); }

// ---------------------------------------------------------------- size limits

Coro<void> max_body_size() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_body_size = 100'000;
  Client client(opts);
  // Announced by Content-Length: refused before the body is read.
  auto r = co_await client.get((*server)->url("/large?bytes=200000"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTooLarge) << r.status();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("100000 bytes"), absl::string_view::npos)
      << r.status();
  // Chunked, length unknown: stops as soon as the limit is passed.
  r = co_await client.get((*server)->url("/large?bytes=5000000&chunked=1"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTooLarge) << r.status();
  EXPECT_NE(r.status().message().find("aborted after"), absl::string_view::npos)
      << r.status();
  // Exactly at the limit is fine; per-request override works both ways.
  r = co_await client.get((*server)->url("/large?bytes=100000"));
  CO_ASSERT_OK(r);
  Request big;
  big.url = (*server)->url("/large?bytes=200000");
  big.max_body_size = 300'000;
  r = co_await client.request(big);
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body.size(), 200'000u);
}
TEST(ClientTest, MaxBodySizeAbortsTransfers) { run_test(max_body_size()); }

Coro<void> compression_bomb() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_body_size = 1 << 20;
  Client client(opts);
  // 64 MiB of zeros, gzip'd to ~64 KB, sent 1 KB every 20 ms (1.3 s in all).
  // HEAD first, so that the server has compressed it before we time.
  std::string bomb =
      (*server)->url("/bomb?enc=gzip&mb=64&chunk=1024&interval_ms=20");
  CO_ASSERT_OK(co_await client.head(bomb));
  TimePoint start = get_running_loop().time();
  auto r = co_await client.get(bomb);
  double took = seconds_since(start);
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTooLarge) << r.status();
  // Decoded bytes are counted: it stopped right after the limit...
  std::string msg(r.status().message());
  size_t at = msg.find("aborted after ");
  CO_ASSERT_TRUE(at != std::string::npos);
  size_t decoded = std::stoul(msg.substr(at + 14));
  EXPECT_GT(decoded, size_t{1} << 20);
  EXPECT_LE(decoded, (size_t{1} << 20) + (256 << 10));
  EXPECT_LT(took, 0.5);
  // ...and the server saw the connection go before it could send it all.
  for (int i = 0; i < 200 && (*server)->stats().aborted_responses == 0; ++i)
    co_await aio::sleep(10ms);
  EXPECT_EQ((*server)->stats().aborted_responses, 1u);
  EXPECT_EQ((*server)->stats().completed_responses, 1u);  // only the HEAD
  // deflate and brotli bombs are caught the same way.
  for (const char* enc : {"deflate", "br"}) {
    auto b = co_await client.get((*server)->url(
        std::string("/bomb?mb=16&interval_ms=0&chunk=65536&enc=") + enc));
    CO_ASSERT_TRUE(!b.ok());
    EXPECT_EQ(error_kind(b.status()), ErrorKind::kTooLarge)
        << enc << ": " << b.status();
  }
}
TEST(ClientTest, CompressionBombStopsAtTheDecodedLimit) {
  run_test(compression_bomb());
}

// ---------------------------------------------------------------- failures

Coro<void> broken_servers() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get((*server)->url("/truncate?length=100&send=50"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTruncated) << r.status();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);

  r = co_await client.get((*server)->url("/reset"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kConnectionReset) << r.status();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);

  r = co_await client.get((*server)->url("/close"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kConnectionReset) << r.status();

  // The client is fine afterwards.
  r = co_await client.get((*server)->url("/"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(client.stats().requests_failed, 3u);
}
TEST(ClientTest, TruncatedBodiesAndResetsAreDistinctStatuses) {
  run_test(broken_servers());
}

Coro<void> refused_and_dns() {
  Client client;
  uint16_t port = closed_port();
  auto r =
      co_await client.get("http://127.0.0.1:" + std::to_string(port) + "/");
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kConnectionRefused)
      << r.status();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("connection refused"),
            absl::string_view::npos);

  // Resolved by libcurl's threaded resolver; its wake-up socket comes through
  // the socket callback like any other fd.
  r = co_await client.get("http://nonexistent.invalid/");
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kDns) << r.status();
  EXPECT_NE(r.status().message().find("nonexistent.invalid"),
            absl::string_view::npos);
  EXPECT_EQ(to_string(error_kind(r.status())), "dns");
}
TEST(ClientTest, RefusedAndDnsFailuresAreDistinctStatuses) {
  run_test(refused_and_dns());
}

// A host name that /etc/hosts maps to 127.0.0.1 (not "localhost", which
// libcurl answers itself): resolved by libcurl's threaded resolver, whose
// wake-up socket reaches us through the socket callback without
// OPENSOCKETFUNCTION, and is closed by libcurl.
std::optional<std::string> loopback_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 ||
      std::string(name) == "localhost")
    return std::nullopt;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* res = nullptr;
  if (getaddrinfo(name, nullptr, &hints, &res) != 0) return std::nullopt;
  bool loopback =
      ntohl(reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr.s_addr) >>
          24 ==
      127;
  freeaddrinfo(res);
  if (!loopback) return std::nullopt;
  return std::string(name);
}

Coro<void> threaded_resolver(std::string host) {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get("http://" + host + ":" +
                               std::to_string((*server)->port()) + "/");
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "hello");
  // The resolver's socket is closed by now and its number is free for
  // reuse: a new socket waited on by the loop must not find a stale
  // registration (the loop would throw "fd already has a reader").
  auto conn =
      co_await aio::net::open_connection("127.0.0.1", (*server)->port());
  CO_ASSERT_OK(conn);
  CO_ASSERT_OK(conn->writer.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = co_await conn->reader.read_until("\r\n\r\n");
  CO_ASSERT_OK(head);
  EXPECT_EQ(head->substr(0, 15), "HTTP/1.1 200 OK");
}
// Regression test: a failed lookup closes the resolver's socket and opens
// none; the next socket anyone opens gets its number. A registration left
// behind made the loop refuse to wait on that new socket.
Coro<void> dns_failure_then_stream() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  for (int i = 0; i < 3; ++i) {
    auto r = co_await client.get("http://nonexistent-" + std::to_string(i) +
                                 ".invalid/");
    CO_ASSERT_TRUE(!r.ok());
    EXPECT_EQ(error_kind(r.status()), ErrorKind::kDns) << r.status();
    auto conn =
        co_await aio::net::open_connection("127.0.0.1", (*server)->port());
    CO_ASSERT_OK(conn);
    CO_ASSERT_OK(conn->writer.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto head = co_await conn->reader.read_until("\r\n\r\n");
    CO_ASSERT_OK(head);
  }
}
TEST(ClientTest, FailedLookupLeavesNoStaleFdRegistration) {
  run_test(dns_failure_then_stream());
}

TEST(ClientTest, ThreadedResolverSocketIsUnregisteredBeforeItsNumberIsReused) {
  std::optional<std::string> host = loopback_host_name();
  if (!host) GTEST_SKIP() << "no host name mapped to 127.0.0.1 in /etc/hosts";
  run_test(threaded_resolver(*host));
}

// ---------------------------------------------------------------- connections

Coro<void> connection_reuse() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  for (int i = 0; i < 20; ++i) {
    auto r = co_await client.get((*server)->url("/page/" + std::to_string(i)));
    CO_ASSERT_OK(r);
  }
  EXPECT_EQ((*server)->stats().connections, 1u);
  EXPECT_EQ(client.stats().connections_opened, 1u);
}
TEST(ClientTest, KeepAliveConnectionsAreReused) {
  run_test(connection_reuse());
}

Coro<void> server_closes_keep_alive() {
  HttpServer::Options sopts;
  sopts.max_requests_per_connection = 3;  // then closes without a warning
  auto server = co_await HttpServer::start(sopts);
  CO_ASSERT_OK(server);
  Client client;
  for (int i = 0; i < 20; ++i) {
    auto r = co_await client.get((*server)->url("/page/" + std::to_string(i)));
    CO_ASSERT_OK(r);
    EXPECT_EQ(r->body, "page " + std::to_string(i));
    if (i % 5 == 4)
      co_await aio::sleep(5ms);  // sometimes the close arrives first
  }
  EXPECT_EQ((*server)->stats().connections, 7u);  // ceil(20 / 3)
  EXPECT_EQ(client.stats().requests_succeeded, 20u);
  // Every socket the server closed was closed (and unregistered) by us too.
  co_await aio::sleep(10ms);
  Client::Stats st = client.stats();
  EXPECT_LE(st.connections_opened - st.connections_closed, 1u);
}
TEST(ClientTest, ServerClosingKeepAliveConnectionsIsTransparent) {
  run_test(server_closes_keep_alive());
}

Coro<void> concurrent_fetch(Client* client, std::string url, std::string want,
                            int* ok) {
  auto r = co_await client->get(std::move(url));
  if (r.ok() && r->status == 200 && r->body == want) ++*ok;
}

Coro<void> per_host_limit() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_connections_per_host = 3;
  Client client(opts);
  int ok = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 12; ++i) {
    tasks.push_back(create_task(
        concurrent_fetch(&client, (*server)->url("/slow?ms=50"), "slow", &ok)));
  }
  for (auto& t : tasks) co_await t;
  EXPECT_EQ(ok, 12);
  EXPECT_EQ((*server)->stats().max_open_connections, 3u);
}
TEST(ClientTest, PerHostConnectionLimitHolds) { run_test(per_host_limit()); }

Coro<void> sample_open(Client* client, bool* stop, uint64_t* max_open) {
  while (!*stop) {
    Client::Stats s = client->stats();
    *max_open =
        std::max(*max_open, s.connections_opened - s.connections_closed);
    co_await aio::sleep(2ms);
  }
}

Coro<void> total_limit() {
  auto a = co_await HttpServer::start();
  auto b = co_await HttpServer::start();
  CO_ASSERT_OK(a);
  CO_ASSERT_OK(b);
  ClientOptions opts;
  opts.max_connections = 2;
  opts.max_connections_per_host = 0;
  Client client(opts);
  bool stop = false;
  uint64_t max_open = 0;
  Task<void> sampler = create_task(sample_open(&client, &stop, &max_open));
  int ok = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 6; ++i) {
    tasks.push_back(create_task(
        concurrent_fetch(&client, (*a)->url("/slow?ms=30"), "slow", &ok)));
    tasks.push_back(create_task(
        concurrent_fetch(&client, (*b)->url("/slow?ms=30"), "slow", &ok)));
  }
  for (auto& t : tasks) co_await t;
  stop = true;
  co_await sampler;
  EXPECT_EQ(ok, 12);
  EXPECT_LE(max_open, 2u);
  EXPECT_LE(
      (*a)->stats().max_open_connections + (*b)->stats().max_open_connections,
      4u);
}
TEST(ClientTest, TotalConnectionLimitHolds) { run_test(total_limit()); }

Coro<void> thousand_transfers() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  ClientOptions opts;
  opts.max_connections_per_host = 100;
  opts.max_connections = 100;
  Client client(opts);
  int ok = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 1000; ++i) {
    std::string n = std::to_string(i);
    tasks.push_back(create_task(concurrent_fetch(
        &client, (*server)->url("/page/" + n), "page " + n, &ok)));
  }
  EXPECT_EQ(client.in_flight(),
            0u);  // not started yet: tasks run on the next iteration
  co_await aio::sleep(0);
  EXPECT_EQ(client.in_flight(), 1000u);
  for (auto& t : tasks) co_await t;
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(client.stats().requests_succeeded, 1000u);
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ((*server)->stats().requests, 1000u);
  EXPECT_LE((*server)->stats().max_open_connections, 100u);
  EXPECT_GE((*server)->stats().max_open_connections, 10u);
}
TEST(ClientTest, ThousandConcurrentTransfers) {
  run_test(thousand_transfers());
}

// ---------------------------------------------------------------- cancellation

Coro<void> cancel_mid_body() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  Request slow;
  slow.url = (*server)->url("/trickle?bytes=100000&chunk=1000&interval_ms=10");
  Task<absl::StatusOr<Response>> t = create_task(fetch(&client, slow));
  co_await aio::sleep(100ms);  // headers and some body have arrived
  EXPECT_EQ(client.in_flight(), 1u);
  t.cancel();
  // Removed from libcurl at once, not on the task's next step.
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(client.stats().requests_cancelled, 1u);
  bool cancelled = false;
  try {
    (void)co_await t;
  } catch (const CancelledError&) {
    cancelled = true;
  }
  EXPECT_TRUE(cancelled);
  // The half-read connection was closed, and the server noticed.
  for (int i = 0; i < 200 && (*server)->stats().aborted_responses == 0; ++i)
    co_await aio::sleep(5ms);
  EXPECT_EQ((*server)->stats().aborted_responses, 1u);
  Client::Stats st = client.stats();
  EXPECT_EQ(st.connections_opened, st.connections_closed);
  // The client goes on.
  auto r = co_await client.get((*server)->url("/"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "hello");
}
TEST(ClientTest, CancellationMidBodyRemovesTheTransferAtOnce) {
  run_test(cancel_mid_body());
}

Coro<void> wait_for_timeout() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  bool timed_out = false;
  try {
    (void)co_await aio::wait_for(client.get((*server)->url("/slow?ms=5000")),
                                 50ms);
  } catch (const TimeoutError&) {
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(client.stats().requests_cancelled, 1u);
}
TEST(ClientTest, WaitForTimeoutCancelsTheRequest) {
  run_test(wait_for_timeout());
}

Coro<void> destructor_cancels() {
  size_t fds_before = open_fds();
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  auto client = std::make_unique<Client>();
  std::vector<Task<absl::StatusOr<Response>>> tasks;
  for (int i = 0; i < 5; ++i) {
    Request r;
    r.url = (*server)->url("/slow?ms=10000");
    tasks.push_back(create_task(fetch(client.get(), r)));
  }
  Coro<absl::StatusOr<Response>> late = client->get((*server)->url("/"));
  co_await aio::sleep(50ms);
  EXPECT_EQ(client->in_flight(), 5u);
  client.reset();
  for (auto& t : tasks) {
    auto r = co_await t;
    CO_ASSERT_TRUE(!r.ok());
    EXPECT_EQ(error_kind(r.status()), ErrorKind::kClientClosed) << r.status();
    EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  }
  auto r = co_await std::move(late);  // created before, started after
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kClientClosed) << r.status();
  // Every socket libcurl opened is closed (the server's side too, once the
  // server is gone).
  (*server)->close();
  co_await aio::sleep(10ms);
  EXPECT_EQ(open_fds(), fds_before);
}
TEST(ClientTest, DestructorAbortsEveryRequestInFlight) {
  run_test(destructor_cancels());
}

Coro<void> moved_client() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client a;
  Client b = std::move(a);
  auto r = co_await b.get((*server)->url("/"));
  CO_ASSERT_OK(r);
  auto gone =
      co_await a.get((*server)->url("/"));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(error_kind(gone.status()), ErrorKind::kClientClosed);
}
TEST(ClientTest, MovedFromClientReportsClosed) { run_test(moved_client()); }

// ---------------------------------------------------------------- cookies,
// bodies

Coro<void> cookies() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client off;
  CO_ASSERT_OK(
      co_await off.get((*server)->url("/set-cookie?name=session&value=abc")));
  auto r = co_await off.get((*server)->url("/cookies"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "");  // off by default

  ClientOptions opts;
  opts.cookies = true;
  Client on(opts);
  CO_ASSERT_OK(
      co_await on.get((*server)->url("/set-cookie?name=session&value=abc")));
  // Shared by every request of the client, on any pooled handle.
  std::vector<Task<absl::StatusOr<Response>>> tasks;
  for (int i = 0; i < 4; ++i) {
    Request c;
    c.url = (*server)->url("/cookies");
    tasks.push_back(create_task(fetch(&on, c)));
  }
  for (auto& t : tasks) {
    auto got = co_await t;
    CO_ASSERT_OK(got);
    EXPECT_EQ(got->body, "session=abc");
  }
}
TEST(ClientTest, CookiesOnlyWhenAsked) { run_test(cookies()); }

Coro<void> large_body() {
  auto server = co_await HttpServer::start();
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get((*server)->url("/large?bytes=20000000"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body.size(), 20'000'000u);
  EXPECT_TRUE(r->body == pattern(20'000'000));
  r = co_await client.get((*server)->url("/large?bytes=3000000&chunked=1"));
  CO_ASSERT_OK(r);
  EXPECT_TRUE(r->body == pattern(3'000'000));
}
TEST(ClientTest, LargeBodiesArriveIntact) { run_test(large_body()); }

Coro<void> fixture_pages(std::string dir) {
  HttpServer::Options opts;
  opts.static_dir = dir;
  opts.generator = [](std::string_view path) -> std::optional<std::string> {
    if (path.substr(0, 5) != "item-") return std::nullopt;
    return "generated " + std::string(path.substr(5));
  };
  auto server = co_await HttpServer::start(opts);
  CO_ASSERT_OK(server);
  Client client;
  auto r = co_await client.get((*server)->url("/static/index.html"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<h1>static</h1>");
  r = co_await client.get((*server)->url("/static/../etc/passwd"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 404);
  r = co_await client.get((*server)->url("/gen/item-42"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, "generated 42");
  r = co_await client.get((*server)->url("/gen/other"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->status, 404);
}
TEST(ClientTest, FixtureServesStaticFilesAndGeneratedPages) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/static-" +
                    std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/index.html") << "<h1>static</h1>";
  run_test(fixture_pages(dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aio::http
