// Three ways to wait, side by side:
// - wait_for: one awaitable with a deadline; on timeout the work is cancelled.
// - wait: many tasks, returns (done, pending) and cancels nothing.
// - gather: many awaitables, returns their results in order.
//
//   async def slow(n):
//       try:
//           await asyncio.sleep(n)
//           return n
//       except asyncio.CancelledError:
//           print(f"slow({n}) was cancelled")
//           raise
//
//   async def main():
//       try:
//           await asyncio.wait_for(slow(5), timeout=1)
//       except asyncio.TimeoutError:
//           print("wait_for: timed out after 1 s")
//       tasks = [asyncio.create_task(slow(n)) for n in (1, 3)]
//       done, pending = await asyncio.wait(tasks, timeout=2)
//       print(f"wait: {len(done)} done, {len(pending)} pending, nothing
//       cancelled") print("gather:", await asyncio.gather(*tasks))
#include <cstdio>

#include "examples/example_util.h"
#include "loop/loop.h"

using namespace std::chrono_literals;

aio::Coro<int> slow(int n) {
  try {
    co_await aio::sleep(std::chrono::seconds(n));
  } catch (const aio::CancelledError&) {
    std::printf("slow(%d) was cancelled\n", n);
    throw;
  }
  co_return n;
}

aio::Coro<void> amain() {
  try {
    co_await aio::wait_for(slow(5), 1s);
  } catch (const aio::TimeoutError&) {
    std::printf("wait_for: timed out after 1 s\n");
  }
  std::vector<aio::Task<int>> tasks{aio::create_task(slow(1)),
                                    aio::create_task(slow(3))};
  auto [done, pending] = co_await aio::wait(tasks, 2s);
  std::printf("wait: %zu done, %zu pending, nothing cancelled\n", done.size(),
              pending.size());
  auto results = co_await aio::gather(tasks);
  std::printf("gather: [%d, %d]\n", results[0], results[1]);
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
