// Tests of aio::http::Client against Debian's nginx: an independent server
// for HTTP/1.1 keep-alive, gzip, TLS verification and HTTP/2 (ALPN).
#include "tests/fixtures/nginx.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "loop/loop.h"
#include "net/client.h"
#include "net/http_error.h"
#include "tests/common/test_util.h"

namespace aio::http {
namespace {

using aio::testing::NginxServer;
using aio::testing::run_test;

constexpr int kPages = 200;

std::string page(int i) {
  std::string s = "<html><body><h1>page " + std::to_string(i) + "</h1>";
  while (s.size() < 2000)
    s += "<p>lorem ipsum " + std::to_string(i * 31 + s.size()) + "</p>";
  return s + "</body></html>";
}

// A document root with kPages pages and a large text file.
std::string make_root() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string root = std::string(tmp && *tmp ? tmp : "/tmp") + "/www-" +
                     std::to_string(getpid());
  std::filesystem::create_directories(root);
  for (int i = 0; i < kPages; ++i)
    std::ofstream(root + "/page-" + std::to_string(i) + ".html") << page(i);
  std::ofstream big(root + "/big.txt");
  for (int i = 0; i < 20000; ++i)
    big << "line " << i << " of a text that compresses well\n";
  return root;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class NginxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { root_ = new std::string(make_root()); }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*root_);
    delete root_;
  }
  std::unique_ptr<NginxServer> start(bool tls, bool gzip = false) {
    auto s = NginxServer::start({.root = *root_, .tls = tls, .gzip = gzip});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  static std::string* root_;
};
std::string* NginxTest::root_ = nullptr;

Coro<void> fetch_page(Client* c, NginxServer* nginx, int i, int* ok) {
  auto r = co_await c->get(nginx->url("/page-" + std::to_string(i) + ".html"));
  if (r.ok() && r->status == 200 && r->body == page(i)) ++*ok;
}

Coro<void> static_pages(NginxServer* nginx) {
  ClientOptions opts;
  opts.max_connections_per_host = 16;
  Client client(opts);
  int ok = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < kPages; ++i)
    tasks.push_back(create_task(fetch_page(&client, nginx, i, &ok)));
  for (auto& t : tasks) co_await t;
  EXPECT_EQ(ok, kPages);
  EXPECT_LE(client.stats().connections_opened, 16u);
  auto missing = co_await client.get(nginx->url("/no-such-page.html"));
  CO_ASSERT_OK(missing);
  EXPECT_EQ(missing->status, 404);
  auto r = co_await client.get(nginx->url("/page-7.html"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->headers.get("server").value_or("").substr(0, 5), "nginx");
  EXPECT_EQ(r->headers.get("Content-Length"), std::to_string(page(7).size()));
}
TEST_F(NginxTest, FetchesStaticPagesConcurrentlyOverKeepAlive) {
  auto nginx = start(false);
  ASSERT_TRUE(nginx);
  run_test(static_pages(nginx.get()));
}

Coro<void> gzip_from_nginx(NginxServer* nginx, std::string want) {
  Client client;
  auto r = co_await client.get(nginx->url("/big.txt"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(r->body.size(), want.size());
  EXPECT_TRUE(r->body == want);
}
TEST_F(NginxTest, DecodesNginxGzip) {
  auto nginx = start(false, true);
  ASSERT_TRUE(nginx);
  run_test(gzip_from_nginx(nginx.get(), read_file(*root_ + "/big.txt")));
}

Coro<void> tls_verification(NginxServer* nginx) {
  Client strict;  // the default: verify the certificate
  auto r = co_await strict.get(nginx->url("/page-1.html"));
  CO_ASSERT_TRUE(!r.ok());
  EXPECT_EQ(error_kind(r.status()), ErrorKind::kTls) << r.status();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("certificate"), absl::string_view::npos)
      << r.status();

  ClientOptions insecure;
  insecure.verify_tls = false;
  Client lax(insecure);
  r = co_await lax.get(nginx->url("/page-1.html"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->body, page(1));
}
TEST_F(NginxTest, TlsIsVerifiedByDefault) {
  auto nginx = start(true);
  ASSERT_TRUE(nginx);
  run_test(tls_verification(nginx.get()));
}

Coro<void> http2(NginxServer* nginx) {
  ClientOptions opts;
  opts.ca_file = nginx->ca_file();
  Client client(opts);
  auto r = co_await client.get(nginx->url("/page-2.html"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->http_version, 20);
  EXPECT_EQ(r->body, page(2));
  EXPECT_GT(r->timings.tls_handshake.count(), 0);
  // The host name is checked too: "localhost" is in the certificate.
  auto by_name = co_await client.get(
      "https://localhost:" + std::to_string(nginx->port()) + "/page-3.html");
  CO_ASSERT_OK(by_name);
  EXPECT_EQ(by_name->body, page(3));
  // Many concurrent requests share one multiplexed connection.
  Client fresh(opts);
  int ok = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 50; ++i)
    tasks.push_back(create_task(fetch_page(&fresh, nginx, i, &ok)));
  for (auto& t : tasks) co_await t;
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(fresh.stats().connections_opened, 1u);

  opts.http2 = false;
  Client h1(opts);
  r = co_await h1.get(nginx->url("/page-4.html"));
  CO_ASSERT_OK(r);
  EXPECT_EQ(r->http_version, 11);
}
TEST_F(NginxTest, Http2IsNegotiatedOverTlsAndMultiplexed) {
  auto nginx = start(true);
  ASSERT_TRUE(nginx);
  run_test(http2(nginx.get()));
}

TEST_F(NginxTest, FixtureStopsNginx) {
  auto nginx = start(false);
  ASSERT_TRUE(nginx);
  pid_t pid = nginx->pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(kill(pid, 0), 0);
  nginx.reset();
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace aio::http
