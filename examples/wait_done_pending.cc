// The tutorial's asyncio.wait examples: wait returns two sets, done and
// pending; with timeout=2 it returns when the time is up, and cancels
// nothing (the tutorial says the wait "强行结束" at the timeout: only the
// waiting ends, the tasks go on).
//
// Part 1, the tutorial's "例三" (no main(); the loop runs asyncio.wait):
//
//   import asyncio
//   async def func(aa):
//       print("%s>>start"%aa)
//       await asyncio.sleep(2)
//       print("%s>>end"%aa)
//       return "func结束了,返回值是%s"%aa
//   takslist = [
//       func("func1"),
//       func("func2"),
//       func("func3"),
//   ]
//   obj=asyncio.get_event_loop()
//   done,pending = obj.run_until_complete(asyncio.wait(takslist))
//   print(done)
//
// Part 2, the same tasks awaited in main() with timeout=2:
//
//   async def main():
//       print("main执行")
//       takslist = [asyncio.create_task(func("func%d" % i)) for i in (1, 2, 3)]
//       done, pending = await asyncio.wait(takslist, timeout=2)
//       print(len(done), len(pending))
//       print(done, pending)
//   asyncio.run(main())
//
// Differences from Python:
// - asyncio.wait() of coroutines was deprecated in Python 3.8 and is a
//   TypeError since 3.11; aio::wait, too, takes tasks or futures, so the
//   coroutines are wrapped with create_task (the tutorial's comment that
//   create_task "fails before the loop exists" holds in aio too: a task needs
//   its loop, so create the loop first).
// - Python's sets print in arbitrary (hash) order; aio::wait returns done and
//   pending in the order of its input. Python's task repr also says where
//   func is defined; task_repr() leaves that out.
// - With timeout=2 and 2 s of work, the timeout wins: it was set when
//   main() called wait, before the tasks started and set their 2 s timers,
//   so it is due first (in Python by a few microseconds; on aio's virtual
//   clock the deadlines are equal and timers fire in the order they were
//   set). So 0 done, 3 pending. The tasks were not cancelled: they end right
//   after, before main() returns.
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> func(std::string aa) {
  std::printf("%s>>start\n", aa.c_str());
  co_await aio::sleep(2);
  std::printf("%s>>end\n", aa.c_str());
  co_return "func结束了,返回值是" + aa;
}

aio::Coro<void> amain() {
  std::printf("main执行\n");
  std::vector<aio::Task<std::string>> takslist;
  for (int i : {1, 2, 3})
    takslist.push_back(aio::create_task(func("func" + std::to_string(i))));
  auto [done, pending] = co_await aio::wait(takslist, std::chrono::seconds(2));
  std::printf("%zu %zu\n", done.size(), pending.size());
  std::printf("%s %s\n", examples::task_set(done, "func").c_str(),
              examples::task_set(pending, "func").c_str());
}

int main(int argc, char** argv) {
  aio::EventLoop::Options options = examples::options_from_args(argc, argv);
  {
    aio::EventLoop obj(options);
    aio::set_event_loop(&obj);
    std::vector<aio::Task<std::string>> takslist{
        obj.create_task(func("func1")),
        obj.create_task(func("func2")),
        obj.create_task(func("func3")),
    };
    auto [done, pending] = obj.run_until_complete(aio::wait(takslist));
    std::printf("%s\n", examples::task_set(done, "func").c_str());
    aio::set_event_loop(nullptr);
  }
  aio::run(amain(), options);
}
