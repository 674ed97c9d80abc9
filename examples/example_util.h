// Shared by the examples: `--virtual_time` runs an example on the loop's
// virtual clock (instant and deterministic; the example tests use it), and
// elapsed() prints seconds since the start on the loop's clock.
#ifndef AIO_EXAMPLES_EXAMPLE_UTIL_H_
#define AIO_EXAMPLES_EXAMPLE_UTIL_H_

#include <cstdio>
#include <cstring>
#include <string>

#include "loop/loop.h"

namespace examples {

inline aio::EventLoop::Options options_from_args(int argc, char** argv) {
  aio::EventLoop::Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--virtual_time") == 0) {
      o.virtual_time = true;
    } else {
      std::fprintf(stderr, "usage: %s [--virtual_time]\n", argv[0]);
      std::exit(2);
    }
  }
  return o;
}

// "1.0": seconds on the running loop's clock since `start`, one decimal, as
// the tutorial's f"{time.perf_counter() - start:.1f}".
inline std::string since(aio::TimePoint start) {
  double s =
      std::chrono::duration<double>(aio::get_running_loop().time() - start)
          .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

}  // namespace examples

#endif  // AIO_EXAMPLES_EXAMPLE_UTIL_H_
