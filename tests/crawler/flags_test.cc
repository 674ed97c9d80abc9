#include "crawler/flags.h"

#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace aio::crawler {
namespace {

absl::StatusOr<Options> parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  static std::string prog = "crawler";
  argv.push_back(prog.data());
  for (std::string& a : args) argv.push_back(a.data());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// Flags are process-wide: every test starts from the defaults it names.
std::vector<std::string> defaults() {
  return {"--select=title",  "--max_depth=50",   "--max_pages=0",
          "--concurrency=32", "--per_host=8",    "--rate=",
          "--delay=0s",       "--timeout=30s",   "--max_body=10MiB",
          "--retries=2",      "--obey_robots",   "--out=-",
          "--progress=auto",  "--user_agent=",   "--max_redirects=10",
          "--job=",           "--nostatus",      "--noreset",
          "--noyes",          "--lease=60s",     "--db_outage=120s"};
}

absl::StatusOr<Options> parse_with_defaults(std::vector<std::string> args) {
  std::vector<std::string> all = defaults();
  all.insert(all.end(), args.begin(), args.end());
  return parse(all);
}

TEST(FlagsTest, RepeatedFlagsAccumulateCommasIncluded) {
  auto o = parse_with_defaults({"--start_url=http://a/x,y", "--start_url",
                                "http://b/", "--allow=a{1,3}", "--allow=b",
                                "--deny=c", "--allow_host=cdn.a"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->start_urls,
            (std::vector<std::string>{"http://a/x,y", "http://b/"}));
  EXPECT_EQ(o->allow, (std::vector<std::string>{"a{1,3}", "b"}));
  EXPECT_EQ(o->deny, (std::vector<std::string>{"c"}));
  EXPECT_EQ(o->allow_hosts, (std::vector<std::string>{"cdn.a"}));
}

TEST(FlagsTest, BooleansDurationsSizesAndRates) {
  auto o = parse_with_defaults({"--obey_robots=false", "--timeout=500ms",
                                "--delay=1m30s", "--max_body=512K",
                                "--rate=3/1m", "--select", "h3.t"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->obey_robots);
  EXPECT_EQ(o->timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(o->delay, std::chrono::seconds(90));
  EXPECT_EQ(o->max_body, 512u * 1024);
  ASSERT_TRUE(o->rate.has_value());
  EXPECT_EQ(o->rate->count, 3);
  EXPECT_EQ(o->rate->period, std::chrono::minutes(1));
  EXPECT_EQ(o->select, "h3.t");
  auto n = parse_with_defaults({"--noobey_robots"});
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->obey_robots);
  auto y = parse_with_defaults({"--obey_robots"});
  ASSERT_TRUE(y.ok());
  EXPECT_TRUE(y->obey_robots);
}

TEST(FlagsTest, BadFlagsAreOneReadableLine) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{
           {"--no_such_flag=1"},
           {"http://a/"},
           {"--timeout=5"},
           {"--timeout=-1s"},
           {"--timeout=0s"},
           {"--timeout=inf"},
           {"--delay=-5s"},
           {"--delay=inf"},
           {"--concurrency=abc"},
           {"--concurrency=99999999999"},
           {"--obey_robots=maybe"},
           {"--max_body=10XB"},
           {"--max_body=-1"},
           {"--max_body=99999999999G"},
           {"--rate=3"},
           {"--rate=0/1m"},
           {"--rate=-1/1m"},
           {"--rate=3/0s"},
           {"--rate=3/inf"},
           {"--progress=loud"},
           {"--select"},
       }) {
    auto o = parse_with_defaults(args);
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(o.status().message().find('\n'), absl::string_view::npos);
    EXPECT_FALSE(o.status().message().empty());
  }
}

TEST(FlagsTest, ParseSizeAtTheEdges) {
  EXPECT_EQ(*parse_size("0"), 0u);
  EXPECT_EQ(*parse_size("1"), 1u);
  EXPECT_EQ(*parse_size("10MiB"), 10u << 20);
  EXPECT_EQ(*parse_size("2g"), size_t{2} << 30);
  EXPECT_FALSE(parse_size("-1").ok());
  EXPECT_FALSE(parse_size("").ok());
  EXPECT_FALSE(parse_size("MiB").ok());
  EXPECT_FALSE(parse_size("18446744073709551615").ok());  // too big
  EXPECT_FALSE(parse_size("99999999999999999999999").ok());
}

TEST(FlagsTest, ParseRateAtTheEdges) {
  auto r = parse_rate("10/s");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count, 10);
  EXPECT_EQ(r->period, std::chrono::seconds(1));
  auto big = parse_rate("9223372036854775807/1h");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->count, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(parse_rate("0/s").ok());
  EXPECT_FALSE(parse_rate("-3/s").ok());
  EXPECT_FALSE(parse_rate("3/-1s").ok());
  EXPECT_FALSE(parse_rate("3/0s").ok());
  EXPECT_FALSE(parse_rate("3/inf").ok());
  EXPECT_FALSE(parse_rate("3/nan").ok());
  EXPECT_FALSE(parse_rate("x/s").ok());
  EXPECT_FALSE(parse_rate("99999999999999999999/s").ok());
}

TEST(FlagsTest, HelpSaysWhatAllowAndDenyMatch) {
  std::string help = usage_text();
  EXPECT_NE(help.find("--allow"), std::string::npos);
  EXPECT_NE(help.find("canonical URL"), std::string::npos);
  EXPECT_NE(help.find("--start_url"), std::string::npos);
  EXPECT_NE(help.find("--obey_robots"), std::string::npos);
  EXPECT_NE(help.find("Exit status"), std::string::npos);
}

}  // namespace
}  // namespace aio::crawler

namespace aio::crawler {
namespace {

TEST(FlagsTest, JobFlagsAndWhichFlagsWereGiven) {
  auto o = parse_with_defaults({"--job=news", "--db=mariadb://u@h/db",
                                "--lease=2s", "--db_outage=5m",
                                "--start_url=http://a/"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->job, "news");
  EXPECT_EQ(o->lease, std::chrono::seconds(2));
  EXPECT_EQ(o->db_outage, std::chrono::minutes(5));
  EXPECT_FALSE(o->status);
  EXPECT_TRUE(o->given.contains("start_url"));
  EXPECT_TRUE(o->given.contains("select"));  // named by defaults()
  EXPECT_FALSE(o->given.contains("allow"));
  auto st = parse_with_defaults({"--job=news", "--status"});
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_TRUE(st->status);
  auto rs = parse_with_defaults({"--job=news", "--reset", "--yes"});
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_TRUE(rs->reset);
  EXPECT_TRUE(rs->yes);
  // Only the flags of this command line count as given.
  std::vector<std::string> just = {"--job=x"};
  auto g = parse(just);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->given, std::set<std::string>{"job"});
}

TEST(FlagsTest, JobDurationsAtTheEdgesAreRejectedClearly) {
  struct Case {
    const char* arg;
    const char* says;
  };
  for (const Case& c : {Case{"--lease=0s", "--lease: must be > 0"},
                        Case{"--lease=-5s", "--lease: must be > 0"},
                        Case{"--lease=500ms", "--lease: must be at least 1s"},
                        Case{"--lease=inf", "--lease: must be finite"},
                        Case{"--lease=9000000h", "--lease: at most a year"},
                        Case{"--db_outage=0s", "--db_outage: must be > 0"},
                        Case{"--db_outage=-1m", "--db_outage: must be > 0"},
                        Case{"--db_outage=inf", "--db_outage: must be finite"},
                        Case{"--db_outage=9000000h",
                             "--db_outage: at most a year"},
                        Case{"--lease=soon", "--lease=soon"},
                        Case{"--status", "--status needs --job"},
                        Case{"--reset", "--reset needs --job"},
                        Case{"--yes", "--yes needs --job"}}) {
    auto o = parse_with_defaults({c.arg});
    ASSERT_FALSE(o.ok()) << c.arg;
    EXPECT_NE(o.status().message().find(c.says), std::string::npos)
        << c.arg << ": " << o.status().message();
  }
  auto both = parse_with_defaults({"--job=j", "--status", "--reset"});
  EXPECT_FALSE(both.ok());
  auto huge_ok = parse_with_defaults({"--job=j", "--lease=8760h",
                                      "--db_outage=1s"});
  EXPECT_TRUE(huge_ok.ok()) << huge_ok.status();
}

TEST(FlagsTest, HelpExplainsJobsAndTheirFlags) {
  std::string help;
  for (char c : usage_text()) {  // the wrapping's line breaks as spaces
    if (c == '\n') c = ' ';
    if (c == ' ' && !help.empty() && help.back() == ' ') continue;
    help += c;
  }
  for (const char* want :
       {"Crash-safe crawls and many workers", "--job", "--status", "--reset",
        "--yes", "--lease=1m", "--db_outage=2m", "records stay in table",
        "--job=news --db="}) {
    EXPECT_NE(help.find(want), std::string::npos) << want;
  }
}

}  // namespace
}  // namespace aio::crawler
