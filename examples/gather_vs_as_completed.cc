// gather returns results in argument order; as_completed yields them in
// completion order.
//
//   async def work(n):
//       await asyncio.sleep(n)
//       return f"work({n})"
//
//   async def main():
//       start = time.perf_counter()
//       print("gather:", await asyncio.gather(work(3), work(1), work(2)))
//       for next_done in asyncio.as_completed([work(3), work(1), work(2)]):
//           print(f"as_completed: {await next_done} at {time.perf_counter() -
//           start:.1f} s")
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> work(int n) {
  co_await aio::sleep(std::chrono::seconds(n));
  co_return "work(" + std::to_string(n) + ")";
}

aio::Coro<void> amain() {
  aio::TimePoint start = aio::get_running_loop().time();
  auto [a, b, c] = co_await aio::gather(work(3), work(1), work(2));
  std::printf("gather: ['%s', '%s', '%s']\n", a.c_str(), b.c_str(), c.c_str());
  std::vector<aio::Coro<std::string>> coros;
  for (int n : {3, 1, 2}) coros.push_back(work(n));
  for (auto next_done : aio::as_completed(std::move(coros))) {
    std::string r = co_await next_done;
    std::printf("as_completed: %s at %s s\n", r.c_str(),
                examples::since(start).c_str());
  }
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
