// The tutorial's single-function concurrency example: one coroutine keeps
// creating a task per URL, and `await asyncio.sleep(0)` hands the loop to the
// new task before the next URL. Each task "fetches" for 1-3 s.
//
//   import asyncio
//   import random
//   async def get_response(url,sleep_time):
//       print("开始爬取,网页为%s"%url)
//       await asyncio.sleep(sleep_time)
//       print("网页%s爬取完毕"%url)
//   async def main(loop):
//       url=1
//       while 1:
//           sleep_time = random.randint(1,3)
//           task = get_response(url,sleep_time)
//           #2种创建task对象的方式
//           loop.create_task(task)
//           # asyncio.ensure_future(task)
//           # 如果这里不await,看不出效果,线程的使用权一直没有释放.
//           await asyncio.sleep(0)
//           url+=1
//   obj=asyncio.get_event_loop()
//   obj.run_until_complete(main(obj))
//
// Differences from Python:
// - The loop is bounded: 10 URLs, then main() waits for the tasks still
//   running (the Python program never ends; with an endless loop here,
//   run_until_complete would never return either).
// - random.randint(1, 3) becomes a fixed-seed std::mt19937 (its output is
//   fixed by the C++ standard), so the output is the same on every run.
// - As the tutorial's comment says, without `co_await aio::sleep(0)` the
//   loop never gets control back: the tasks are created but none starts. The
//   same mistake in the tutorial's crawler, `asyncio.sleep(3)` without await
//   (its consumer's "等3秒"), makes a coroutine object and drops it, so the
//   `while` spins forever; Python at least warns ("coroutine ... was never
//   awaited"). In C++ `aio::sleep(3);` without co_await is a compiler warning
//   (aio::sleep is [[nodiscard]]; an error under --config=werror): always
//   write `co_await aio::sleep(3);`.
// - Python keeps only a weak reference to a task made by loop.create_task and
//   may garbage-collect it while it is pending; keep a reference there. The
//   aio loop keeps every task alive until it is done; the tasks are kept in a
//   vector here only to wait for them at the end.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> get_response(int url, int sleep_time) {
  std::printf("开始爬取,网页为%d\n", url);
  co_await aio::sleep(sleep_time);
  std::printf("网页%d爬取完毕\n", url);
}

aio::Coro<void> amain(aio::EventLoop* loop) {
  std::mt19937 random;  // default seed: the same numbers every run
  std::vector<aio::Task<void>> tasks;
  int url = 1;
  while (url <= 10) {
    int sleep_time = 1 + static_cast<int>(random() % 3);  // randint(1, 3)
    aio::Coro<void> task = get_response(url, sleep_time);
    tasks.push_back(loop->create_task(std::move(task)));
    co_await aio::sleep(0);
    url += 1;
  }
  co_await aio::wait(tasks);
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  obj.run_until_complete(amain(&obj));
  aio::set_event_loop(nullptr);
}
