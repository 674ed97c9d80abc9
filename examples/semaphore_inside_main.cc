// The tutorial's fix for "RuntimeError: ... got Future <Future pending>
// attached to a different loop": create the Semaphore inside the code that
// asyncio.run() runs, and pass it to the coroutines. Two work at a time, so
// the third prints "working" a second later.
//
//   import asyncio
//   async def work(sem):
//       async with sem:
//           print('working')
//           await asyncio.sleep(1)
//   async def main():
//       sem = asyncio.Semaphore(2)  # 解决方法看这步
//       await asyncio.gather(work(sem),work(sem),work(sem))
//   asyncio.run(main())
//
// In Python before 3.10 a Semaphore made at module level took the default
// loop, not asyncio.run()'s new one, hence the error. An aio::Semaphore
// belongs to the first loop that uses it, so one at namespace scope works
// too; using one from two loops at once fails loudly (std::logic_error naming
// both loops) instead: see semaphore_outside_loop.cc. There is no `loop=`
// argument to give (Python removed it in 3.10, too).
#include <cstdio>

#include "examples/example_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

aio::Coro<void> work(aio::Semaphore* sem) {
  auto permit = co_await sem->acquire();
  std::printf("working\n");
  co_await aio::sleep(1);
}

aio::Coro<void> amain() {
  aio::Semaphore sem(2);
  co_await aio::gather(work(&sem), work(&sem), work(&sem));
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
