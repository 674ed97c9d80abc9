// The tutorial's gather and as_completed examples: seven coroutines sleep
// 7, 6, ..., 1 s. gather returns all the results at once, in argument order;
// as_completed yields each as it completes, so the 1 s one comes first. Both
// take 7 s in all. Two Python programs, run one after the other:
//
//   import asyncio
//   async def async_function1(wait_time):
//       await asyncio.sleep(wait_time)
//       return "需要%s秒的时间,所以会最后输出"%wait_time
//   async def main():
//       tasks = [async_function1(7-i) for i in range(7)]
//       results = await asyncio.gather(*tasks)
//       print(results)
//   asyncio.run(main())
//
//   async def main():
//       tasks = [async_function1(7-i) for i in range(7)]
//       # 使用 as_completed() 获取完成的协程
//       for task in asyncio.as_completed(tasks):
//           result = await task  # 等待任务完成并获取结果
//           print(result)  # 立即处理结果
//   asyncio.run(main())
//
// `for (auto next : aio::as_completed(...)) co_await next;` is the C++ form
// of the loop; as_completed schedules the coroutines as tasks at once, as
// asyncio's does.
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> async_function1(int wait_time) {
  co_await aio::sleep(wait_time);
  co_return "需要" + std::to_string(wait_time) + "秒的时间,所以会最后输出";
}

aio::Coro<void> gather_main() {
  std::vector<aio::Coro<std::string>> tasks;
  for (int i = 0; i < 7; ++i) tasks.push_back(async_function1(7 - i));
  std::vector<std::string> results = co_await aio::gather(std::move(tasks));
  std::printf("%s\n", examples::py_list(results).c_str());
}

aio::Coro<void> as_completed_main() {
  std::vector<aio::Coro<std::string>> tasks;
  for (int i = 0; i < 7; ++i) tasks.push_back(async_function1(7 - i));
  for (auto task : aio::as_completed(std::move(tasks))) {
    std::string result = co_await task;
    std::printf("%s\n", result.c_str());
  }
}

int main(int argc, char** argv) {
  aio::EventLoop::Options options = examples::options_from_args(argc, argv);
  aio::run(gather_main(), options);
  aio::run(as_completed_main(), options);
}
