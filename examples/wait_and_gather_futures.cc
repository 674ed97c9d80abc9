// The tutorial's "future, coroutine function and loop" example: the loop runs
// a future; create_task / ensure_future make tasks (futures) of coroutines,
// and asyncio.wait / asyncio.gather make one awaitable of several. wait
// returns (done, pending), gather the results.
//
//   async def test(i):
//       print(f"from test,开始阻塞,传入的参数是{i}")
//       await asyncio.sleep(1)
//       print(f"from test,停止阻塞,传入的参数是{i}")
//       return f"test的返回结果{i}"
//   obj = asyncio.get_event_loop()
//   # 1. asyncio.wait 写法展示
//   t1 = obj.create_task(test("t1"))
//   t2 = asyncio.ensure_future(test("t2"))
//   obj.run_until_complete(asyncio.wait([t1,t2],timeout=6))
//   #也可以用下面的写法
//   t = asyncio.wait([t1,t2],timeout=6)
//   # 用asyncio.wait 会返回done,pending2个返回值
//   done,pending,=obj.run_until_complete(t)
//   print(done)
//   # 2. asyncio.gather 写法展示
//   t1 = obj.create_task(test("t1"))
//   t2 = asyncio.ensure_future(test("t2"))
//   c = asyncio.gather(t1,t2)
//   ret = obj.run_until_complete(c)
//   # 也可以用这种写法
//   ret = obj.run_until_complete(asyncio.gather(t1,t2))
//   print(ret)
//
// Each "也可以" line runs again on the same, finished tasks: the second wait
// and the second gather return at once, with the same tasks and results, and
// nothing is printed by test() a second time (a task runs once; awaiting a
// done task yields its result).
//
// Differences from Python: Python's set prints in arbitrary order, aio::wait
// keeps the input order; task_repr() omits where test() is defined.
//
// asyncio.ensure_future(coroutine) wraps the coroutine in a Task exactly as
// create_task does, so the ensure_future lines are create_task here
// (create_task_ensure_future.cc shows aio::ensure_future itself).
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> test(std::string i) {
  std::printf("from test,开始阻塞,传入的参数是%s\n", i.c_str());
  co_await aio::sleep(1);
  std::printf("from test,停止阻塞,传入的参数是%s\n", i.c_str());
  co_return "test的返回结果" + i;
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  const auto six_s = std::chrono::seconds(6);
  // 1. asyncio.wait
  aio::Task<std::string> t1 = obj.create_task(test("t1"));
  aio::Task<std::string> t2 = obj.create_task(test("t2"));  // ensure_future
  obj.run_until_complete(aio::wait(std::vector{t1, t2}, six_s));
  aio::Coro<aio::WaitResult<aio::Task<std::string>>> t =
      aio::wait(std::vector{t1, t2}, six_s);
  auto [done, pending] = obj.run_until_complete(std::move(t));
  std::printf("%s\n", examples::task_set(done, "test").c_str());
  // 2. asyncio.gather
  t1 = obj.create_task(test("t1"));
  t2 = obj.create_task(test("t2"));  // ensure_future
  auto c = aio::gather(t1, t2);
  auto ret = obj.run_until_complete(std::move(c));
  ret = obj.run_until_complete(aio::gather(t1, t2));
  std::vector<std::string> results{std::get<0>(ret), std::get<1>(ret)};
  std::printf("%s\n", examples::py_list(results).c_str());
  aio::set_event_loop(nullptr);
}
