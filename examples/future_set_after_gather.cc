// The tutorial's Future example 3: two tasks complete two Futures after 2 s
// and 4 s; gather waits for both (4 s in all) and returns their results in
// argument order.
//
//   # 组合多个 Future
//   import asyncio
//   async def set_after(fut, delay, value):
//       await asyncio.sleep(delay)
//       fut.set_result(value)
//   async def main():
//       loop = asyncio.get_event_loop()
//       # 创建两个 Future 对象
//       fut1 = loop.create_future()
//       fut2 = loop.create_future()
//       # 设定一些异步操作完成 Future
//       loop.create_task(set_after(fut1, 2, 'result1'))
//       loop.create_task(set_after(fut2, 4, 'result2'))
//       # 使用 asyncio.gather 等待多个 Future 完成
//       print("Waiting for both futures...")
//       results = await asyncio.gather(fut1, fut2)
//       print("Results from futures:", results)
//   asyncio.run(main())
//
// gather of two awaitables returns a tuple (C++ has no list of mixed types);
// it is printed as Python prints its list. A Future is a handle, so
// set_after takes it by value, as Python passes the object. The tasks are not
// kept in a variable, as in the tutorial: the loop keeps a task alive until
// it is done. (Python keeps only a weak reference, so there the garbage
// collector may drop an unreferenced pending task; keep a reference.)
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> set_after(aio::Future<std::string> fut, double delay,
                          std::string value) {
  co_await aio::sleep(delay);
  fut.set_result(std::move(value));
}

aio::Coro<void> amain() {
  aio::EventLoop& loop = aio::get_event_loop();
  aio::Future<std::string> fut1 = loop.create_future<std::string>();
  aio::Future<std::string> fut2 = loop.create_future<std::string>();
  loop.create_task(set_after(fut1, 2, "result1"));
  loop.create_task(set_after(fut2, 4, "result2"));
  std::printf("Waiting for both futures...\n");
  auto [r1, r2] = co_await aio::gather(fut1, fut2);
  std::vector<std::string> results{r1, r2};
  std::printf("Results from futures: %s\n",
              examples::py_list(results).c_str());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
