// The tutorial's done-callback example: add_done_callback(follow) runs the
// plain function follow with the finished task, which reads its result.
// t3 has no callback, so its result is not printed.
//
//   def follow(t):
//       #这里的t是test函数的运行返回值,是一个task运行完的对象,result方法可以获取返回值
//       print(t.result())
//   async def test(i):
//       print(f"from test,开始阻塞,传入的参数是{i}")
//       await asyncio.sleep(1)
//       print(f"from test,停止阻塞,传入的参数是{i}")
//       return f"test的返回结果{i}"
//   obj = asyncio.get_event_loop()
//   t1 = test("t1")  #和普通函数不一样,这一步函数并不会执行,需要循环器开始执行
//   t2 = test("t2")
//   t3 = test("t3")
//   f1 = obj.create_task(t1)
//   f1.add_done_callback(follow)
//   #也可以用 asyncio.ensure_future 封装
//   f2 = asyncio.ensure_future(t2)
//   f2.add_done_callback(follow)
//   #f3没有回调函数
//   f3 = obj.create_task(t3)
//   obj.run_until_complete(asyncio.wait([f1,f2,f3],timeout=6))
//   # 也可以用asyncio.gather进行运行
//   f1 = obj.create_task(t1)
//   f1.add_done_callback(follow)
//   f2 = asyncio.ensure_future(t2)
//   f2.add_done_callback(follow)
//   f3 = obj.create_task(t3)
//   obj.run_until_complete(asyncio.gather(f1,f2,f3))
//
// Differences from Python:
// - The tutorial's gather variant reuses the coroutine objects t1, t2, t3,
//   which already ran: Python fails with "RuntimeError: cannot reuse already
//   awaited coroutine" (and follow's t.result() re-raises it). In C++ a Coro
//   is moved into its task; a moved-from Coro is empty and create_task throws
//   std::invalid_argument. This example makes new coroutines for the gather
//   variant, which is what the tutorial means.
// - Done-callbacks run on the loop after the task finishes, as Python's
//   (call_soon): all three tasks print "停止" before follow prints.
//
// asyncio.ensure_future(coroutine) wraps the coroutine in a Task exactly as
// create_task does, so the ensure_future lines are create_task here
// (create_task_ensure_future.cc shows aio::ensure_future itself).
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

void follow(aio::Task<std::string>& t) {
  std::printf("%s\n", t.result().c_str());
}

aio::Coro<std::string> test(std::string i) {
  std::printf("from test,开始阻塞,传入的参数是%s\n", i.c_str());
  co_await aio::sleep(1);
  std::printf("from test,停止阻塞,传入的参数是%s\n", i.c_str());
  co_return "test的返回结果" + i;
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  aio::Coro<std::string> t1 = test("t1");  // runs nothing yet
  aio::Coro<std::string> t2 = test("t2");
  aio::Coro<std::string> t3 = test("t3");
  aio::Task<std::string> f1 = obj.create_task(std::move(t1));
  f1.add_done_callback(follow);
  aio::Task<std::string> f2 = obj.create_task(std::move(t2));  // ensure_future
  f2.add_done_callback(follow);
  aio::Task<std::string> f3 = obj.create_task(std::move(t3));
  obj.run_until_complete(
      aio::wait(std::vector{f1, f2, f3}, std::chrono::seconds(6)));

  // The gather variant, with new coroutines (see above).
  f1 = obj.create_task(test("t1"));
  f1.add_done_callback(follow);
  f2 = obj.create_task(test("t2"));  // ensure_future
  f2.add_done_callback(follow);
  f3 = obj.create_task(test("t3"));
  obj.run_until_complete(aio::gather(f1, f2, f3));
  aio::set_event_loop(nullptr);
}
