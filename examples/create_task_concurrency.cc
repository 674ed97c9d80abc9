// create_task runs coroutines concurrently: the same two waits now take 2 s,
// not 3 s.
//
//   async def main():
//       task1 = asyncio.create_task(say_after(1, "hello"))
//       task2 = asyncio.create_task(say_after(2, "world"))
//       start = time.perf_counter()
//       print("started")
//       await task1
//       await task2
//       print(f"finished in {time.perf_counter() - start:.1f} s")
#include <cstdio>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> say_after(double delay, const char* what) {
  co_await aio::sleep(delay);
  std::printf("%s\n", what);
}

aio::Coro<void> amain() {
  auto task1 = aio::create_task(say_after(1, "hello"));
  auto task2 = aio::create_task(say_after(2, "world"));
  aio::TimePoint start = aio::get_running_loop().time();
  std::printf("started\n");
  co_await task1;
  co_await task2;
  std::printf("finished in %s s\n", examples::since(start).c_str());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
