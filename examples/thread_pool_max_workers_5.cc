// The tutorial's ThreadPoolExecutor example: the same 1,000 blocking calls on
// a pool of 5 threads passed to run_in_executor, so at most 5 run at a time.
//
//   import asyncio
//   from concurrent.futures.thread import ThreadPoolExecutor
//   def faa(idx):
//       print("第%s个foo开始运行" % idx)
//       time.sleep(2)
//       return idx
//   async def faa_faster(pool,idx):
//       obj = asyncio.get_event_loop()
//       #第一个参数默认是None,如果传(进)线程池进去,就以多(进)线程形式运行普通函数
//       ret = obj.run_in_executor(pool,faa,idx)
//       # print("第%s个foo开始运行" % idx)
//       a = await ret
//       print(a)
//   pool = ThreadPoolExecutor(max_workers=5)
//   task = [faa_faster(pool,i) for i in range(1000)]
//   obj = asyncio.get_event_loop()
//   obj.run_until_complete(asyncio.wait(task))
//
// Differences from Python:
// - faa blocks for 2 ms, not 2 s: Python needs 1000 / 5 x 2 s = 400 s, this
//   at least 0.4 s (the test checks that bound, so no more than 5 ran at
//   once, and that it is well under the 2 s of one thread).
// - asyncio.wait() of coroutines is a TypeError since Python 3.11; the
//   coroutines are made tasks first.
// - The pool is passed by pointer; ~ThreadPool waits for its jobs (Python's
//   `with ThreadPoolExecutor(...)`). Output order: as in
//   run_in_executor_default.cc.
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "examples/example_util.h"
#include "executor/executor.h"
#include "loop/loop.h"

int faa(int idx) {
  std::printf("第%d个foo开始运行\n", idx);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // time.sleep
  return idx;
}

aio::Coro<void> faa_faster(aio::ThreadPool* pool, int idx) {
  auto ret = aio::run_in_executor(pool, faa, idx);
  int a = co_await ret;
  std::printf("%d\n", a);
}

int main(int argc, char** argv) {
  aio::ThreadPool pool(5);
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  std::vector<aio::Task<void>> task;
  for (int i = 0; i < 1000; ++i)
    task.push_back(obj.create_task(faa_faster(&pool, i)));
  obj.run_until_complete(aio::wait(task));
  aio::set_event_loop(nullptr);
}
