// The options structs take C++20 designated initializers that name only the
// fields they change — the README's `aio::run(main(), {.virtual_time = true})`
// — without a warning under -Wall -Wextra, and the fields left out keep their
// documented defaults.
//
// GCC's -Wmissing-field-initializers (part of -Wextra) warns when a
// designated initializer leaves out a member that has no default member
// initializer, even a std::string or std::optional that is default-
// constructible. So every member of these structs has one (`{}` at least).
// This file is compiled with that warning as an error (see BUILD.bazel): a
// new member without an initializer fails the build here.
#include <chrono>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "loop/loop.h"
#include "net/net.h"

namespace {

using namespace std::chrono_literals;

TEST(OptionsInitTest, EventLoopOptionsNamingOneFieldKeepsTheOtherDefaults) {
  aio::EventLoop::Options o{.virtual_time = true};
  EXPECT_TRUE(o.virtual_time);
  EXPECT_EQ(o.name, "");
  EXPECT_EQ(o.spin_before_block, 20us);
  aio::EventLoop::Options named{.name = "x"};
  EXPECT_FALSE(named.virtual_time);
  EXPECT_EQ(named.name, "x");
}

aio::Coro<bool> virtual_time_is_on() {
  co_await aio::sleep(1h);  // instant on the virtual clock
  co_return aio::get_running_loop().virtual_time();
}

TEST(OptionsInitTest, ReadmeIdiomRunsOnVirtualTime) {
  EXPECT_TRUE(aio::run(virtual_time_is_on(), {.virtual_time = true}));
}

TEST(OptionsInitTest, ClientOptionsNamingTwoFieldsKeepsTheOtherDefaults) {
  aio::http::ClientOptions o{.max_connections_per_host = 8,
                             .timeout = std::chrono::seconds(10)};
  EXPECT_EQ(o.max_connections_per_host, 8);
  EXPECT_EQ(o.timeout, std::chrono::seconds(10));
  EXPECT_EQ(o.max_connections, 100);
  EXPECT_TRUE(o.verify_tls);
  EXPECT_EQ(o.ca_file, "");
  EXPECT_EQ(o.proxy, "");
  EXPECT_EQ(o.max_redirects, 10);
}

TEST(OptionsInitTest, RequestNamingTheUrlKeepsTheOtherDefaults) {
  aio::http::Request r{.url = "http://127.0.0.1/"};
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url, "http://127.0.0.1/");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.timeout, std::nullopt);
  EXPECT_EQ(r.max_body_size, std::nullopt);
  EXPECT_EQ(r.follow_redirects, std::nullopt);
}

TEST(OptionsInitTest, ServerOptionsNamingOneFieldKeepsTheOtherDefaults) {
  aio::net::ServerOptions o{.reuse_port = true};
  EXPECT_TRUE(o.reuse_port);
  EXPECT_EQ(o.backlog, 1024);
  EXPECT_TRUE(o.reuse_address);
}

}  // namespace
