// The tutorial's run_in_executor example: a blocking function (time.sleep)
// wrapped in a coroutine, run 1,000 times on the loop's default executor, so
// the blocking calls overlap instead of stalling the loop.
//
//   import asyncio
//   def faa(idx):
//       print("第%s个foo开始运行" % idx)
//       time.sleep(2)
//       return idx
//   async def faa_faster(idx):
//       obj = asyncio.get_event_loop()
//       #在创建迭代器时候就用run_in_executor调用多(进)线程
//       ret = obj.run_in_executor(None,faa,idx)
//       # print("第%s个foo开始运行" % idx)
//       a = await ret
//       print(a)
//   task = [faa_faster(i) for i in range(1000)]
//   obj = asyncio.get_event_loop()
//   obj.run_until_complete(asyncio.wait(task))
//
// Differences from Python:
// - faa blocks for 2 ms, not 2 s: the same program 1000x shorter. The
//   default executor has min(32, cores + 4) threads (Python's size), so
//   Python needs 1000 / 6 x 2 s = 334 s on 2 cores; this takes about 0.33 s.
// - asyncio.wait() of coroutines is a TypeError since Python 3.11; the
//   coroutines are made tasks first (aio::wait takes tasks or futures).
// - The lines come in an order the threads decide, in Python too: "第N个"
//   lines are printed by the worker threads, "N" when the loop gets the
//   result. A printf is one locked write, so lines never mix (Python's print
//   from threads can mix two lines). The test checks the lines as a set, and
//   that each job started before its result was printed.
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

aio::Coro<void> faa_faster(int idx) {
  // The job is submitted here, at once, as in asyncio.
  auto ret = aio::run_in_executor(nullptr, faa, idx);
  int a = co_await ret;
  std::printf("%d\n", a);
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  std::vector<aio::Task<void>> task;
  for (int i = 0; i < 1000; ++i) task.push_back(obj.create_task(faa_faster(i)));
  obj.run_until_complete(aio::wait(task));
  obj.shutdown_default_executor();  // aio::run would do it
  aio::set_event_loop(nullptr);
}
