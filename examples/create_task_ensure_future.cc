// The tutorial's Task example: create_task and ensure_future schedule the
// three coroutines at once; they run concurrently (2 s in all, not 6 s)
// once main() awaits.
//
//   import asyncio
//   async def func(aa):
//       print("%s>>start"%aa)
//       await asyncio.sleep(2)
//       print("%s>>end"%aa)
//       return "func结束了,返回值是%s"%aa
//   async def main():
//       print("main执行")
//       task1 = obj.create_task(func("func1"))
//       print("1")
//       task2 = obj.create_task(func("func2"))
//       print("2")
//       task3 = asyncio.ensure_future(func("func3"))
//       print("3")
//       # python 3.7以上版本适用
//       # task4 = asyncio.create_task(func("fun4"))
//       ret1 = await task1
//       ret2 = await task2
//       ret3 = await task3
//       print(ret1)
//       print(ret2)
//       print(ret3)
//   obj=asyncio.get_event_loop()
//   obj.run_until_complete(main())
//
// The output the tutorial shows leaves out the lines "1", "2" and "3", which
// Python prints right after "main执行": a new task starts on a later loop
// iteration, when main() first awaits, not inside create_task. aio does the
// same.
#include <cstdio>
#include <string>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> func(std::string aa) {
  std::printf("%s>>start\n", aa.c_str());
  co_await aio::sleep(2);
  std::printf("%s>>end\n", aa.c_str());
  co_return "func结束了,返回值是" + aa;
}

aio::Coro<void> amain(aio::EventLoop* obj) {
  std::printf("main执行\n");
  aio::Task<std::string> task1 = obj->create_task(func("func1"));
  std::printf("1\n");
  aio::Task<std::string> task2 = obj->create_task(func("func2"));
  std::printf("2\n");
  aio::Task<std::string> task3 = aio::ensure_future(func("func3"));
  std::printf("3\n");
  // Python 3.7+: aio::create_task(func("fun4")) uses the running loop.
  std::string ret1 = co_await task1;
  std::string ret2 = co_await task2;
  std::string ret3 = co_await task3;
  std::printf("%s\n", ret1.c_str());
  std::printf("%s\n", ret2.c_str());
  std::printf("%s\n", ret3.c_str());
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  obj.run_until_complete(amain(&obj));
  aio::set_event_loop(nullptr);
}
