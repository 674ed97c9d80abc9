// The tutorial's Future example 2: a cancelled Future raises CancelledError
// in whoever awaits it.
//
//   # 示例 2:手动取消 Future
//   async def main():
//       loop = asyncio.get_event_loop()
//       fut = loop.create_future()
//       # 手动取消 Future
//       print("Cancelling future manually...")
//       # fut.cancel() 手动取消 Future。如果你试图等待已取消的 Future,它会引发 CancelledError。
//       fut.cancel()
//       try:
//           # 尝试等待一个已取消的 Future
//           await fut
//       except asyncio.CancelledError:
//           print("Future was cancelled")
//   asyncio.run(main())
#include <cstdio>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> amain() {
  aio::EventLoop& loop = aio::get_event_loop();
  aio::Future<void> fut = loop.create_future();
  std::printf("Cancelling future manually...\n");
  fut.cancel();
  try {
    co_await fut;
  } catch (const aio::CancelledError&) {
    std::printf("Future was cancelled\n");
  }
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
