// The aio::db side of bench/db (compare.py runs it): inserts n (url, title)
// rows into the InnoDB table `titles`, or runs n SELECT 1 round trips,
// against the server at URL, and prints one RESULT line.
//
//   db_bench executemany|per_row|select1 URL N
//
// executemany: one Pool::executemany call with every row (it splits into
//   batches under max_allowed_packet itself).
// per_row:     16 tasks, each holding one leased connection, one INSERT per
//   statement (autocommit), rows taken from a shared counter.
// select1:     16 tasks, one connection each, `SELECT 1` round trips.
// The rows are built before the clock starts (as the Python peer does).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/common/bench_util.h"
#include "db/db.h"
#include "loop/loop.h"

namespace {

constexpr int kTasks = 16;
const char kInsert[] = "INSERT INTO titles (url, title) VALUES (?, ?)";

struct Rows {
  std::vector<std::string> urls, titles;
};

Rows make_rows(int n) {
  Rows r;
  r.urls.reserve(n);
  r.titles.reserve(n);
  for (int i = 0; i < n; ++i) {
    r.urls.push_back(absl::StrCat("https://example.org/articles/", i, ".html"));
    r.titles.push_back(absl::StrCat("Title of article number ", i));
  }
  return r;
}

[[noreturn]] void die(const absl::Status& s) {
  std::fprintf(stderr, "db_bench: %s\n", std::string(s.message()).c_str());
  std::exit(1);
}

aio::Coro<void> inserter(aio::db::Pool* pool, const Rows* rows, int* next,
                         int n) {
  auto conn = co_await pool->acquire();
  if (!conn.ok()) die(conn.status());
  for (;;) {
    int i = (*next)++;
    if (i >= n) break;
    auto r = co_await conn->execute(kInsert, rows->urls[i], rows->titles[i]);
    if (!r.ok()) die(r.status());
  }
}

aio::Coro<void> selecter(aio::db::Pool* pool, int* left, int64_t* sum) {
  auto conn = co_await pool->acquire();
  if (!conn.ok()) die(conn.status());
  while (*left > 0) {
    --*left;
    auto rs = co_await conn->query("SELECT 1");
    if (!rs.ok()) die(rs.status());
    *sum += *(*rs)[0].get<int64_t>(0);
  }
}

aio::Coro<int> amain(std::string workload, std::string url, int n) {
  auto opts = aio::db::Options::from_url(url);
  if (!opts.ok()) die(opts.status());
  opts->max_connections = kTasks;
  opts->min_connections = kTasks;
  auto pool = co_await aio::db::Pool::create(*opts);
  if (!pool.ok()) die(pool.status());
  if (workload != "select1") {
    auto c = co_await pool->execute(
        "CREATE TABLE IF NOT EXISTS titles (id BIGINT AUTO_INCREMENT PRIMARY "
        "KEY, url VARCHAR(255) NOT NULL, title VARCHAR(255) NOT NULL) "
        "ENGINE=InnoDB");
    if (!c.ok()) die(c.status());
    auto t = co_await pool->execute("TRUNCATE TABLE titles");
    if (!t.ok()) die(t.status());
  }
  Rows rows = make_rows(workload == "select1" ? 0 : n);
  std::vector<std::vector<aio::db::Value>> batch;
  if (workload == "executemany") {
    batch.reserve(n);
    for (int i = 0; i < n; ++i) batch.push_back({rows.urls[i], rows.titles[i]});
  }
  int64_t check = 0;
  auto start = std::chrono::steady_clock::now();
  if (workload == "executemany") {
    auto r = co_await pool->executemany(kInsert, std::move(batch));
    if (!r.ok()) die(r.status());
  } else if (workload == "per_row") {
    int next = 0;
    std::vector<aio::Task<void>> tasks;
    for (int t = 0; t < kTasks; ++t)
      tasks.push_back(aio::create_task(inserter(&*pool, &rows, &next, n)));
    for (auto& t : tasks) co_await t;
  } else {
    int left = n;
    std::vector<aio::Task<void>> tasks;
    for (int t = 0; t < kTasks; ++t)
      tasks.push_back(aio::create_task(selecter(&*pool, &left, &check)));
    for (auto& t : tasks) co_await t;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (workload != "select1") {
    auto rs = co_await pool->query("SELECT COUNT(*) FROM titles");
    if (!rs.ok()) die(rs.status());
    check = *(*rs)[0].get<int64_t>(0);
  }
  bench::PrintResult(workload.c_str(), n, seconds, check);
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: db_bench executemany|per_row|select1 URL N\n");
    return 2;
  }
  std::string w = argv[1];
  if (w != "executemany" && w != "per_row" && w != "select1") {
    std::fprintf(stderr, "db_bench: unknown workload '%s'\n", argv[1]);
    return 2;
  }
  int n = std::atoi(argv[3]);
  if (n <= 0) {
    std::fprintf(stderr, "db_bench: N must be a positive number\n");
    return 2;
  }
  return aio::run(amain(w, argv[2], n));
}
