// Blocking calls from coroutines: run_in_executor on the loop's default
// executor, and to_thread.
//
//   def blocking_io(n):
//       time.sleep(0.5)  # a blocking call: a file, a socket, a legacy library
//       return n * n
//
//   async def main():
//       loop = asyncio.get_running_loop()
//       start = time.perf_counter()
//       print(f"run_in_executor(None): {await loop.run_in_executor(None,
//       blocking_io, 7)}") results = await asyncio.gather(
//           *(loop.run_in_executor(None, blocking_io, i) for i in range(5)))
//       print(f"5 at once: {results}")
//       print(f"to_thread: {await asyncio.to_thread(blocking_io, 3)}")
//       print(f"took {time.perf_counter() - start:.1f} s")
//
//   asyncio.run(main())
//
// The default executor has min(32, cores + 4) >= 5 threads, so the five calls
// overlap: 0.5 + 0.5 + 0.5 = 1.5 s of wall time. The blocking calls really
// sleep, so "took" is wall-clock time even under --virtual_time.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "examples/example_util.h"
#include "executor/executor.h"
#include "loop/loop.h"

int blocking_io(int n) {
  std::this_thread::sleep_for(
      std::chrono::milliseconds(500));  // a blocking call
  return n * n;
}

aio::Coro<int> in_executor(int n) {
  co_return co_await aio::run_in_executor(nullptr, blocking_io, n);
}

aio::Coro<void> amain() {
  auto start = std::chrono::steady_clock::now();
  std::printf("run_in_executor(nullptr): %d\n",
              co_await aio::run_in_executor(nullptr, blocking_io, 7));
  std::vector<aio::Coro<int>> calls;
  for (int i = 0; i < 5; ++i) calls.push_back(in_executor(i));
  std::vector<int> results = co_await aio::gather(std::move(calls));
  std::string list;
  for (size_t i = 0; i < results.size(); ++i)
    list += (i ? ", " : "") + std::to_string(results[i]);
  std::printf("5 at once: [%s]\n", list.c_str());
  std::printf("to_thread: %d\n", co_await aio::to_thread(blocking_io, 3));
  std::printf("took %.1f s\n", std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
