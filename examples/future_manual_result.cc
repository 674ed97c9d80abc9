// The tutorial's Future example 1: a Future is a placeholder for a result;
// set it by hand, and awaiting it yields the value.
//
//   import asyncio
//   # 示例 1:手动设置 Future 的结果
//   async def main():
//       # 创建一个未完成的 Future 对象
//       loop = asyncio.get_event_loop()
//       fut = loop.create_future()
//       # 手动设置 Future 的结果
//       print("Setting future result manually...")
//       fut.set_result('manual result')
//       # 等待 Future 完成
//       result = await fut
//       print("Future received result:", result)
//   asyncio.run(main())
//
// A Future has one value type: create_future<std::string>().
#include <cstdio>
#include <string>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> amain() {
  aio::EventLoop& loop = aio::get_event_loop();
  aio::Future<std::string> fut = loop.create_future<std::string>();
  std::printf("Setting future result manually...\n");
  fut.set_result("manual result");
  std::string result = co_await fut;
  std::printf("Future received result: %s\n", result.c_str());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
