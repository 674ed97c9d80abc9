// Shared by the C++ workload programs of the benchmarks (bench/loop,
// bench/sync, bench/executor): the line each prints for its driver
// (bench/*/compare.py parses it with bench/common/driver.py) and whether the
// build was optimized. Call from the main thread after the workload, once.
#ifndef AIO_BENCH_COMMON_BENCH_UTIL_H_
#define AIO_BENCH_COMMON_BENCH_UTIL_H_

#include <cstdint>
#include <cstdio>

namespace bench {

// True in an optimized build without assertions (bazel's --config=opt). The
// drivers refuse (or warn about) numbers from any other build.
constexpr bool kOptimized =
#if defined(__OPTIMIZE__) && defined(NDEBUG)
    true;
#else
    false;
#endif

// Prints "RESULT workload=... n=... seconds=... check=... opt=0|1", then
// `extra` verbatim (more " key=value" fields, or ""), and a newline; flushes.
// The Python workloads print the same line without opt=.
inline void PrintResult(const char* workload, int n, double seconds,
                        int64_t check, const char* extra = "") {
  std::printf("RESULT workload=%s n=%d seconds=%.9f check=%lld opt=%d%s\n",
              workload, n, seconds, static_cast<long long>(check),
              kOptimized ? 1 : 0, extra);
  std::fflush(stdout);
}

}  // namespace bench

#endif  // AIO_BENCH_COMMON_BENCH_UTIL_H_
