// A Semaphore created outside any running loop, as the tutorial does at
// module level:
//
//   sem = asyncio.Semaphore(2)  # module level: created before any loop runs
//
//   async def square(i):
//       async with sem:
//           await asyncio.sleep(0.1)
//           return i * i
//
//   async def main():
//       return await asyncio.gather(*(square(i) for i in range(5)))
//
//   print(asyncio.run(main()))
//
//   loop_a = asyncio.new_event_loop()
//   loop_b = asyncio.new_event_loop()
//   print(loop_a.run_until_complete(main()))
//   try:
//       loop_b.run_until_complete(square(5))
//   except RuntimeError as e:
//       print(f"RuntimeError: {e}")
//
// Before Python 3.10 even the first asyncio.run failed ("attached to a
// different loop"). Python 3.11 prints [0, 1, 4, 9, 16], then fails on
// loop_a too: the semaphore stays bound to asyncio.run's closed loop.
//
// aio::Semaphore binds to the first loop that uses it, and a new loop may
// adopt it once that loop is gone, so the first two runs work. Using it from
// a second loop while the first still exists fails at once with a
// std::logic_error naming both loops, instead of hanging. This prints:
//   [0, 1, 4, 9, 16]      (aio::run: the loop is destroyed afterwards)
//   [0, 1, 4, 9, 16]      (loop_a adopts the semaphore)
//   std::logic_error: ... (loop_b, while loop_a is alive)
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

aio::Semaphore sem(2);  // namespace scope: created before any loop runs

aio::Coro<int> square(int i) {
  auto permit = co_await sem.acquire();
  co_await aio::sleep(0.1);
  co_return i* i;
}

aio::Coro<std::vector<int>> amain() {
  std::vector<aio::Coro<int>> squares;
  for (int i = 0; i < 5; ++i) squares.push_back(square(i));
  co_return co_await aio::gather(std::move(squares));
}

void print(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  std::printf("%s]\n", s.c_str());
}

int main(int argc, char** argv) {
  aio::EventLoop::Options options = examples::options_from_args(argc, argv);
  print(aio::run(amain(), options));

  options.name = "loop_a";
  aio::EventLoop loop_a(options);
  options.name = "loop_b";
  aio::EventLoop loop_b(options);
  print(loop_a.run_until_complete(amain()));
  try {
    loop_b.run_until_complete(square(5));
  } catch (const std::logic_error& e) {
    std::printf("std::logic_error: %s\n", e.what());
  }
}
