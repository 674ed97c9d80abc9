// The tutorial's first coroutine program: awaiting coroutines one after the
// other runs them sequentially.
//
//   async def say_after(delay, what):
//       await asyncio.sleep(delay)
//       print(what)
//
//   async def main():
//       start = time.perf_counter()
//       print("started")
//       await say_after(1, "hello")
//       await say_after(2, "world")
//       print(f"finished in {time.perf_counter() - start:.1f} s")
//
//   asyncio.run(main())
#include <cstdio>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> say_after(double delay, const char* what) {
  co_await aio::sleep(delay);
  std::printf("%s\n", what);
}

aio::Coro<void> amain() {
  aio::TimePoint start = aio::get_running_loop().time();
  std::printf("started\n");
  co_await say_after(1, "hello");
  co_await say_after(2, "world");
  std::printf("finished in %s s\n", examples::since(start).c_str());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
