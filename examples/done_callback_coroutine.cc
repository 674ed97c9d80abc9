// The tutorial's coroutine callback: a done-callback cannot await, so to
// follow a task with a coroutine, await the task in a small connecting
// coroutine (add_success_callback) that then awaits the follow-up.
//
//   async def follow2(t):
//       print(f"follow2开始运行,传入的参数t是{t}")
//       await asyncio.sleep(2)
//       #这里的t是test函数的运行返回值,是一个task运行完的对象,result方法可以获取返回值
//       print(f"from回调函数follow2,上一个test返回值是{t.result()}")
//   async def test(i):
//       print(f"from test,开始阻塞,传入的参数是{i}")
//       await asyncio.sleep(1)
//       print(f"from test,停止阻塞,传入的参数是{i}")
//       return f"test的返回结果{i}"
//   async def add_success_callback(fun1,fun2):
//       # 这里func1就是test函数的运行结果,只是会阻塞
//       await fun1
//       # test有了结果会传给fun2继续阻塞挂起
//       ret =await fun2(fun1)
//       return ret
//   obj = asyncio.get_event_loop()
//   f1 = obj.create_task(test("t1"))
//   #传入的follow是回调函数,同时也是t1的返回值
//   f1 = add_success_callback(f1,follow2)
//   #也可以用 asyncio.ensure_future 封装
//   f2 = asyncio.ensure_future(test("t2"))
//   f2 = add_success_callback(f2,follow2)
//   obj.run_until_complete(asyncio.wait([f1,f2],timeout=6))
//   # 使用gather方法
//   obj.run_until_complete(asyncio.gather(f1,f2))
//   # 使用wait方法
//   obj.run_until_complete(asyncio.wait[f1,f2])
//
// Differences from Python:
// - f1 and f2 end up as coroutine objects; asyncio.wait() of coroutines is a
//   TypeError since Python 3.11, so they are made tasks first. The last two
//   lines are alternatives to the wait line, not more steps (running them
//   after it would reuse finished coroutines; `asyncio.wait[f1,f2]` is a
//   TypeError too: it needs parentheses). This example runs the wait line.
// - aio cannot print a coroutine's name and source line as Python's task repr
//   does; task_repr() names it by hand.
//
// asyncio.ensure_future(coroutine) wraps the coroutine in a Task exactly as
// create_task does, so the ensure_future lines are create_task here
// (create_task_ensure_future.cc shows aio::ensure_future itself).
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> follow2(aio::Task<std::string> t) {
  std::printf("follow2开始运行,传入的参数t是%s\n",
              examples::task_repr(t, "test").c_str());
  co_await aio::sleep(2);
  std::printf("from回调函数follow2,上一个test返回值是%s\n", t.result().c_str());
}

aio::Coro<std::string> test(std::string i) {
  std::printf("from test,开始阻塞,传入的参数是%s\n", i.c_str());
  co_await aio::sleep(1);
  std::printf("from test,停止阻塞,传入的参数是%s\n", i.c_str());
  co_return "test的返回结果" + i;
}

aio::Coro<void> add_success_callback(
    aio::Task<std::string> fun1, aio::Coro<void> (*fun2)(aio::Task<std::string>)) {
  co_await fun1;
  co_await fun2(fun1);
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  aio::Task<std::string> t1 = obj.create_task(test("t1"));
  aio::Coro<void> f1 = add_success_callback(t1, follow2);
  aio::Task<std::string> t2 = obj.create_task(test("t2"));  // ensure_future
  aio::Coro<void> f2 = add_success_callback(t2, follow2);
  obj.run_until_complete(aio::wait(std::vector{obj.create_task(std::move(f1)),
                                               obj.create_task(std::move(f2))},
                                   std::chrono::seconds(6)));
  aio::set_event_loop(nullptr);
}
