// The //executor benchmark's workloads on aio. executor_bench.py runs the
// same ones on asyncio and uvloop; compare.py runs all three interleaved.
//
// Usage: executor_bench <workload> [n]
//   roundtrip   n sequential `co_await run_in_executor(nullptr, noop)` on the
//               loop's default executor (after 1,000 warm-up calls); reports
//               the median and 99th percentile of the per-call latency.
//   throughput  n no-op jobs through run_in_executor on the default executor,
//               1,000 in flight at a time (submit 1,000, await them all).
// Prints one line: RESULT workload=... n=... seconds=... check=... opt=...
// [median_us=... p99_us=...]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/common/bench_util.h"
#include "executor/executor.h"
#include "loop/loop.h"

namespace {

constexpr int kWarmup = 1'000;
constexpr int kWindow = 1'000;

int noop() { return 1; }

double g_median_us = 0, g_p99_us = 0;

aio::Coro<int64_t> roundtrip(int n) {
  for (int i = 0; i < kWarmup; ++i)
    co_await aio::run_in_executor(nullptr, noop);
  std::vector<double> us;
  us.reserve(n);
  int64_t check = 0;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    check += co_await aio::run_in_executor(nullptr, noop);
    auto t1 = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  g_median_us = us[us.size() / 2];
  g_p99_us = us[us.size() * 99 / 100];
  co_return check;
}

aio::Coro<int64_t> throughput(int n) {
  int64_t check = 0;
  std::vector<aio::WrappedFuture<int>> window;
  window.reserve(kWindow);
  for (int done = 0; done < n; done += kWindow) {
    const int batch = std::min(kWindow, n - done);
    for (int i = 0; i < batch; ++i)
      window.push_back(aio::run_in_executor(nullptr, noop));
    for (auto& f : window) check += co_await f;
    window.clear();
  }
  co_return check;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s roundtrip|throughput [n]\n", argv[0]);
    return 2;
  }
  const std::string workload = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2])
                         : (workload == "roundtrip" ? 10'000 : 1'000'000);
  aio::Coro<int64_t> body;
  if (workload == "roundtrip") {
    body = roundtrip(n);
  } else if (workload == "throughput") {
    body = throughput(n);
  } else {
    std::fprintf(stderr, "unknown workload %s\n", workload.c_str());
    return 2;
  }
  auto t0 = std::chrono::steady_clock::now();
  int64_t check = aio::run(std::move(body));
  auto t1 = std::chrono::steady_clock::now();
  char extra[64] = "";
  if (workload == "roundtrip") {
    std::snprintf(extra, sizeof extra, " median_us=%.3f p99_us=%.3f",
                  g_median_us, g_p99_us);
  }
  bench::PrintResult(workload.c_str(), n,
                     std::chrono::duration<double>(t1 - t0).count(), check,
                     extra);
  return 0;
}
