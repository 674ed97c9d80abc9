// The tutorial's Semaphore example: the same endless create_task loop as
// create_task_loop.cc, with `async with sem:` around the fetch, so at most 3
// fetches run at a time; the others wait for a permit, first come first
// served.
//
//   import asyncio
//   import random
//   async def get_response(url,sleep_time):
//       #在并发函数中添加,直接控制并发数
//       async with sem:
//           print("开始爬取,网页为%s"%url)
//           await asyncio.sleep(sleep_time)
//           print("网页%s爬取完毕"%url)
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
//   #设置协程的并发数
//   sem = asyncio.Semaphore(3)
//   obj=asyncio.get_event_loop()
//   obj.run_until_complete(main(obj))
//
// `auto permit = co_await sem.acquire();` is `async with sem:` (the permit is
// released when it goes out of scope). The semaphore is made at namespace
// scope, before the loop, as the tutorial does at module level: an
// aio::Semaphore belongs to the first loop that uses it, so this works on any
// Python version's terms (see semaphore_outside_loop.cc). Bounded to 10 URLs
// and a fixed random seed, as in create_task_loop.cc.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

aio::Semaphore sem(3);

aio::Coro<void> get_response(int url, int sleep_time) {
  auto permit = co_await sem.acquire();
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
