// "3 per minute", done exactly with aio::RateLimiter.
//
// The tutorial limits an API to 3 calls a minute with a semaphore whose
// holders sleep for a minute before releasing; every permit is held for the
// whole minute, and the run ends a minute after the last call:
//
//   async def call_api(i, sem, start):
//       async with sem:  # 3 at a time, each holding its permit for a minute
//           print(f"{time.perf_counter() - start:5.1f} s  request {i}")
//           await asyncio.sleep(60)
//           return time.perf_counter() - start - 60
//
//   async def main():
//       sem = asyncio.Semaphore(3)
//       start = time.perf_counter()
//       sent = await asyncio.gather(*(call_api(i, sem, start) for i in range(1,
//       8))) print(f"{len(sent)} requests, the last one sent at {max(sent):.0f}
//       s")
//
//   asyncio.run(main())
//
// RateLimiter(3, 1 min) allows at most 3 acquisitions in any minute and holds
// nothing: the requests go out at the same moments, and the program is done
// when the last one is sent (120 s, not 180 s). Run with --virtual_time to
// skip the waiting.
#include <chrono>
#include <cstdio>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

double seconds_since(aio::TimePoint start) {
  return std::chrono::duration<double>(aio::get_running_loop().time() - start)
      .count();
}

aio::Coro<double> call_api(int i, aio::RateLimiter* limiter,
                           aio::TimePoint start) {
  co_await limiter->acquire();
  double sent = seconds_since(start);
  std::printf("%5.1f s  request %d\n", sent, i);
  co_return sent;
}

aio::Coro<void> amain() {
  aio::RateLimiter limiter(3, std::chrono::minutes(1));
  aio::TimePoint start = aio::get_running_loop().time();
  std::vector<aio::Coro<double>> calls;
  for (int i = 1; i <= 7; ++i) calls.push_back(call_api(i, &limiter, start));
  std::vector<double> sent = co_await aio::gather(std::move(calls));
  double last = 0;
  for (double s : sent) last = s > last ? s : last;
  std::printf("%zu requests, the last one sent at %.0f s\n", sent.size(), last);
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
