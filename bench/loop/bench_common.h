// Shared by the C++ workloads of the loop benchmark (aio_bench, asio_bench):
// the workload sizes and the seeded timer delays. The Python workloads
// (asyncio_bench.py) mirror these exactly. The RESULT line (bench::PrintResult)
// comes from bench/common/bench_util.h, shared with the other benchmarks.
#ifndef AIO_BENCH_LOOP_BENCH_COMMON_H_
#define AIO_BENCH_LOOP_BENCH_COMMON_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "bench/common/bench_util.h"

namespace bench {

inline int DefaultN(const char* workload) {
  if (std::strcmp(workload, "timers") == 0) return 100'000;
  if (std::strcmp(workload, "baseline") == 0) return 1;
  return 1'000'000;  // spawn_join, pingpong
}

// splitmix64 with seed 42; delay i is (x_i mod 100001) microseconds, i.e.
// uniform in [0, 100 ms]. Every runtime sleeps the same list, in this order.
inline std::vector<int64_t> TimerDelaysUs(int n) {
  std::vector<int64_t> out;
  out.reserve(n);
  uint64_t state = 42;
  for (int i = 0; i < n; ++i) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    out.push_back(static_cast<int64_t>(z % 100'001));
  }
  return out;
}

}  // namespace bench

#endif  // AIO_BENCH_LOOP_BENCH_COMMON_H_
