#include "crawler/jsonl_output.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "loop/run.h"

namespace aio::crawler {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string temp_path(const char* name) {
  const char* dir = getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

Record rec(std::string url, std::string title) {
  Record r;
  r.url = std::move(url);
  r.title = std::move(title);
  return r;
}

// A page of one record (GCC 12 rejects braced string lists in co_await).
std::vector<Record> one(std::string url, std::string title) {
  std::vector<Record> v;
  v.push_back(rec(std::move(url), std::move(title)));
  return v;
}

TEST(JsonlOutputTest, WritesOneEscapedObjectPerRecord) {
  std::string path = temp_path("escape.jsonl");
  aio::run([](std::string path) -> Coro<void> {
    auto out = JsonlOutput::open(path);
    EXPECT_TRUE(out.ok());
    std::vector<Record> page;
    page.push_back(
        rec("http://a/1", "quote \" backslash \\ tab\t nl\n bell\x07"));
    page.push_back(rec("http://a/2", "caf\xC3\xA9 \xE4\xB8\xAD"));
    absl::Status s = co_await (*out)->write(std::move(page));
    EXPECT_TRUE(s.ok());
    s = co_await (*out)->close();
    EXPECT_TRUE(s.ok());
  }(path));
  EXPECT_EQ(slurp(path),
            "{\"url\":\"http://a/1\",\"title\":\"quote \\\" backslash \\\\ tab"
            "\\t nl\\n bell\\u0007\"}\n"
            "{\"url\":\"http://a/2\",\"title\":\"caf\xC3\xA9 \xE4\xB8\xAD\"}\n");
}

TEST(JsonlOutputTest, InvalidUtf8BecomesReplacementCharacters) {
  std::string out;
  append_json_string(out, "a\xFF" "b\xC3" "c\xED\xA0\x80" "d\xF4\x90\x80\x80");
  EXPECT_EQ(out,
            "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonlOutputTest, BuffersWholeLinesAndFlushWritesThem) {
  std::string path = temp_path("buffer.jsonl");
  aio::run([](std::string path) -> Coro<void> {
    auto out = JsonlOutput::open(path, /*flush_bytes=*/100);
    EXPECT_TRUE(out.ok());
    absl::Status s = co_await (*out)->write(one("http://a/1", "x"));
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(slurp(path), "");  // below flush_bytes: still buffered
    s = co_await (*out)->flush();
    EXPECT_EQ(slurp(path), "{\"url\":\"http://a/1\",\"title\":\"x\"}\n");
    s = co_await (*out)->write(one("http://a/2", std::string(200, 'y')));
    // Past flush_bytes: written at once, whole.
    std::string text = slurp(path);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
    s = co_await (*out)->close();
    EXPECT_TRUE(s.ok());
    s = co_await (*out)->write(one("http://a/3", "z"));
    EXPECT_FALSE(s.ok());  // closed
  }(path));
}

TEST(JsonlOutputTest, UnwritablePathIsAnErrorAtOpen) {
  auto out = JsonlOutput::open("/nonexistent-dir/x.jsonl");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("/nonexistent-dir/x.jsonl"),
            absl::string_view::npos);
  EXPECT_FALSE(JsonlOutput::open("").ok());
}

TEST(JsonlOutputTest, WriteErrorsAreReported) {
  aio::run([]() -> Coro<void> {
    auto out = JsonlOutput::open("/dev/full", 1);
    EXPECT_TRUE(out.ok());
    absl::Status s = co_await (*out)->write(one("http://a/1", "x"));
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("/dev/full"), absl::string_view::npos);
  }());
}

}  // namespace
}  // namespace aio::crawler
