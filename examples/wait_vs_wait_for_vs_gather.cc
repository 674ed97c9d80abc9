// The tutorial's comparison of asyncio.wait, asyncio.wait_for and
// asyncio.gather: three programs, run one after the other.
//
// wait: watches many tasks and returns (done, pending); with ALL_COMPLETED it
// returns when every task is done.
//
//   import asyncio
//   async def task(name, duration):
//       await asyncio.sleep(duration)
//       return f"Task {name} finished"
//   async def main():
//       # 创建多个任务
//       tasks = [
//           asyncio.create_task(task('A', 2)),
//           asyncio.create_task(task('B', 3)),
//           asyncio.create_task(task('C', 1))
//       ]
//       # 等待所有任务完成
//       done, pending = await asyncio.wait(tasks, return_when=asyncio.ALL_COMPLETED)
//       for d in done:
//           print(await d)
//   asyncio.run(main())
//
// wait_for: one awaitable with a time limit; past it, the work is cancelled
// and TimeoutError raised.
//
//   async def task():
//       await asyncio.sleep(3)
//       return "Task finished"
//   async def main():
//       try:
//           result = await asyncio.wait_for(task(), timeout=2)
//           print(result)
//       except asyncio.TimeoutError:
//           print("The task took too long!")
//   asyncio.run(main())
//
// gather: runs many awaitables together and returns their results in
// argument order.
//
//   async def task(name, duration):
//       await asyncio.sleep(duration)
//       return f"{name} finished"
//   async def main():
//       results = await asyncio.gather(
//           task("TaskA", 2),
//           task("TaskB", 1),
//           task("TaskC", 3)
//       )
//       for result in results:
//           print(result)
//   asyncio.run(main())
//
// The tutorial says wait's done set is in completion order. It is a set:
// Python prints it in an arbitrary order (C, B, A on one run). aio::wait
// returns done in the order of its input: A, B, C.
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> named_task(std::string name, int duration) {
  co_await aio::sleep(duration);
  co_return "Task " + name + " finished";
}

aio::Coro<void> wait_main() {
  std::vector<aio::Task<std::string>> tasks{
      aio::create_task(named_task("A", 2)),
      aio::create_task(named_task("B", 3)),
      aio::create_task(named_task("C", 1)),
  };
  auto [done, pending] = co_await aio::wait(tasks, std::nullopt,
                                            aio::ReturnWhen::kAllCompleted);
  for (auto& d : done) std::printf("%s\n", (co_await d).c_str());
}

aio::Coro<std::string> task() {
  co_await aio::sleep(3);
  co_return "Task finished";
}

aio::Coro<void> wait_for_main() {
  try {
    std::string result =
        co_await aio::wait_for(task(), std::chrono::seconds(2));
    std::printf("%s\n", result.c_str());
  } catch (const aio::TimeoutError&) {
    std::printf("The task took too long!\n");
  }
}

aio::Coro<std::string> gather_task(std::string name, int duration) {
  co_await aio::sleep(duration);
  co_return name + " finished";
}

aio::Coro<void> gather_main() {
  auto [a, b, c] = co_await aio::gather(gather_task("TaskA", 2),
                                        gather_task("TaskB", 1),
                                        gather_task("TaskC", 3));
  for (const std::string& result : {a, b, c})
    std::printf("%s\n", result.c_str());
}

int main(int argc, char** argv) {
  aio::EventLoop::Options options = examples::options_from_args(argc, argv);
  aio::run(wait_main(), options);
  aio::run(wait_for_main(), options);
  aio::run(gather_main(), options);
}
