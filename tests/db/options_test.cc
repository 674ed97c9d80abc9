#include "db/options.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <string>

#include "db/error.h"

namespace aio::db {
namespace {

using namespace std::chrono_literals;

std::string message(const absl::Status& s) { return std::string(s.message()); }

TEST(OptionsFromUrl, ParsesEveryPart) {
  auto o = Options::from_url(
      "mariadb://crawler@db.example:3307/crawl?max_connections=16&"
      "min_connections=2&acquire_timeout=250ms&connect_timeout=5s&"
      "read_timeout=2m&write_timeout=7&autocommit=false&tls_ca=%2Fetc%2Fca."
      "pem&tls_verify=0&option_file=/etc/x.cnf&option_group=crawler&"
      "statement_cache_size=8&isolation=read-committed");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->isolation, Isolation::kReadCommitted);
  EXPECT_EQ(o->user, "crawler");
  EXPECT_EQ(o->host, "db.example");
  EXPECT_EQ(o->port, 3307);
  EXPECT_EQ(o->database, "crawl");
  EXPECT_EQ(o->max_connections, 16u);
  EXPECT_EQ(o->min_connections, 2u);
  EXPECT_EQ(o->acquire_timeout, 250ms);
  EXPECT_EQ(o->connect_timeout, 5s);
  EXPECT_EQ(o->read_timeout, 2min);
  EXPECT_EQ(o->write_timeout, 7s);
  EXPECT_FALSE(o->autocommit);
  EXPECT_TRUE(o->tls.enabled);
  EXPECT_EQ(o->tls.ca_file, "/etc/ca.pem");
  EXPECT_FALSE(o->tls.verify_server_cert);
  EXPECT_EQ(o->option_file, "/etc/x.cnf");
  EXPECT_EQ(o->option_group, "crawler");
  EXPECT_EQ(o->statement_cache_size, 8u);
}

TEST(OptionsFromUrl, SocketFormAndDefaults) {
  auto o = Options::from_url("mariadb://root@/titles?socket=/tmp/a%20b/sock");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->socket, "/tmp/a b/sock");
  EXPECT_EQ(o->database, "titles");
  EXPECT_EQ(o->user, "root");
  EXPECT_EQ(o->port, 3306);
  auto bare = Options::from_url("mariadb://localhost");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->host, "localhost");
  EXPECT_EQ(bare->database, "");
  auto v6 = Options::from_url("mariadb://u@[::1]:3310/d");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3310);
}

TEST(OptionsFromUrl, BadUrlsNameTheWrongPart) {
  struct Case {
    const char* url;
    const char* says;
  } cases[] = {
      {"mysql://h/d", "scheme 'mysql'"},
      {"h/d", "must start with mariadb://"},
      {"mariadb://h:0/d", "port '0'"},
      {"mariadb://h:70000/d", "port '70000'"},
      {"mariadb://h:abc/d", "port 'abc'"},
      {"mariadb://h:/d", "port ''"},
      {"mariadb://h/a/b", "database name 'a/b'"},
      {"mariadb://h/d?frobnicate=1", "unknown parameter 'frobnicate'"},
      {"mariadb://h/d?max_connections=-1", "max_connections=-1"},
      {"mariadb://h/d?max_connections=0", "max_connections must be at least 1"},
      {"mariadb://h/d?min_connections=5&max_connections=2", "min_connections"},
      {"mariadb://h/d?acquire_timeout=-1s", "acquire_timeout=-1s"},
      {"mariadb://h/d?acquire_timeout=nan", "acquire_timeout=nan"},
      {"mariadb://h/d?acquire_timeout=inf", "acquire_timeout=inf"},
      {"mariadb://h/d?read_timeout=-1", "read_timeout=-1"},
      {"mariadb://h/d?connect_timeout=nan", "connect_timeout=nan"},
      {"mariadb://h/d?write_timeout=-inf", "write_timeout=-inf"},
      {"mariadb://h/d?max_connections=18446744073709551616",
       "max_connections=18446744073709551616"},
      {"mariadb://h/d?statement_cache_size=0", "statement_cache_size"},
      {"mariadb://h/d?statement_cache_size=-5", "statement_cache_size=-5"},
      {"mariadb://h/d?autocommit=maybe", "autocommit=maybe"},
      {"mariadb://h/d?isolation=snapshot", "unknown isolation level 'snapshot'"},
      {"mariadb://h/d?isolation=", "unknown isolation level ''"},
      {"mariadb://h/d?socket", "has no '=value'"},
      {"mariadb://h/d%2", "percent-escape"},
      {"mariadb://@h/d", "user name"},
      {"mariadb://[::1/d", "closing ']'"},
  };
  for (const Case& c : cases) {
    auto o = Options::from_url(c.url);
    ASSERT_FALSE(o.ok()) << c.url;
    EXPECT_EQ(error_kind(o.status()), ErrorKind::kInvalidArgument) << c.url;
    EXPECT_NE(message(o.status()).find(c.says), std::string::npos)
        << c.url << " -> " << o.status();
  }
}

TEST(OptionsFromUrl, RefusesPasswordsAndNeverEchoesThem) {
  for (const char* url : {"mariadb://root:hunter2@h/d",
                          "mariadb://h/d?password=hunter2"}) {
    auto o = Options::from_url(url);
    ASSERT_FALSE(o.ok()) << url;
    EXPECT_NE(message(o.status()).find("MARIADB_PASSWORD"), std::string::npos);
    EXPECT_EQ(message(o.status()).find("hunter2"), std::string::npos);
  }
}

TEST(Options, ToStringHidesThePassword) {
  Options o;
  o.user = "u";
  o.password = "s3cret-Pa55";
  o.database = "d";
  std::string s = o.to_string();
  EXPECT_EQ(s.find("s3cret-Pa55"), std::string::npos) << s;
  EXPECT_NE(s.find("password=<set>"), std::string::npos) << s;
  auto back = Options::from_url("mariadb://u@localhost:3306/d");
  ASSERT_TRUE(back.ok());
}

TEST(Isolation, ParsesEveryLevelInEverySpellingAndRoundTrips) {
  for (Isolation i : {Isolation::kReadUncommitted, Isolation::kReadCommitted,
                      Isolation::kRepeatableRead, Isolation::kSerializable}) {
    std::string sql(to_string(i));  // "READ COMMITTED"
    std::string dashed = sql, lower;
    for (char& c : dashed) c = c == ' ' ? '-' : c;
    for (char c : dashed) lower += static_cast<char>(std::tolower(c));
    EXPECT_EQ(parse_isolation(sql).value_or(Isolation::kSerializable), i);
    EXPECT_EQ(parse_isolation(lower).value_or(Isolation::kSerializable), i);
    Options o;
    o.isolation = i;
    auto back = Options::from_url(o.to_string());
    ASSERT_TRUE(back.ok()) << o.to_string() << ": " << back.status();
    EXPECT_EQ(back->isolation, i) << o.to_string();
  }
  EXPECT_EQ(parse_isolation("Read_Committed").value_or(Isolation::kSerializable),
            Isolation::kReadCommitted);
  EXPECT_EQ(error_kind(parse_isolation("read  committed").status()),
            ErrorKind::kInvalidArgument);
  EXPECT_FALSE(Options().isolation.has_value());  // the server's default
  EXPECT_EQ(Options().to_string().find("isolation"), std::string::npos);
}

TEST(Options, ValidateDurationsAndCounts) {
  Options o;
  EXPECT_TRUE(o.validate().ok());
  o.acquire_timeout = Duration::zero();  // 0: do not wait, valid
  EXPECT_TRUE(o.validate().ok());
  o.acquire_timeout = Duration::max();  // forever, valid
  EXPECT_TRUE(o.validate().ok());
  o.acquire_timeout = -1ns;
  EXPECT_EQ(error_kind(o.validate()), ErrorKind::kInvalidArgument);
  o = Options();
  o.connect_timeout = Duration::max();
  o.read_timeout = Duration::zero();
  o.write_timeout = Duration::max();
  EXPECT_TRUE(o.validate().ok());
  for (Duration Options::*field :
       {&Options::connect_timeout, &Options::read_timeout,
        &Options::write_timeout}) {
    Options bad;
    bad.*field = -1s;
    EXPECT_EQ(error_kind(bad.validate()), ErrorKind::kInvalidArgument);
  }
  o = Options();
  o.max_connections = 0;
  EXPECT_FALSE(o.validate().ok());
  o.max_connections = static_cast<size_t>(-1);  // max count: valid
  EXPECT_TRUE(o.validate().ok());
  o = Options();
  o.min_connections = 0;  // open only what is used (create opens one)
  EXPECT_TRUE(o.validate().ok());
  o.min_connections = o.max_connections + 1;
  EXPECT_EQ(error_kind(o.validate()), ErrorKind::kInvalidArgument);
  o = Options();
  o.connect_timeout = Duration::zero();  // 0: none
  o.write_timeout = Duration::zero();
  o.read_timeout = Duration::max();
  EXPECT_TRUE(o.validate().ok());
  o = Options();
  o.statement_cache_size = 0;
  EXPECT_FALSE(o.validate().ok());
  o.statement_cache_size = static_cast<size_t>(-1);  // max count: valid
  EXPECT_TRUE(o.validate().ok());
  o = Options();
  o.socket = std::string(200, 'x');
  EXPECT_NE(message(o.validate()).find("under 108"), std::string::npos);
}

TEST(OptionsFromUrl, DurationForms) {
  auto o = Options::from_url(
      "mariadb://h/d?acquire_timeout=0&connect_timeout=1.5s&read_timeout=1h");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->acquire_timeout, Duration::zero());
  EXPECT_EQ(o->connect_timeout, 1500ms);
  EXPECT_EQ(o->read_timeout, 1h);
  auto huge = Options::from_url("mariadb://h/d?acquire_timeout=1e300s");
  ASSERT_TRUE(huge.ok()) << huge.status();
  EXPECT_EQ(huge->acquire_timeout, Duration::max());
}

}  // namespace
}  // namespace aio::db
