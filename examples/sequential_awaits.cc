// The tutorial's first await example: awaiting one coroutine after another
// runs them one after another (4 s in all), and each await yields the
// coroutine's return value.
//
//   import asyncio
//   async def func(aa):
//       print("%s>>start"%aa)
//       await asyncio.sleep(2)
//       print("%s>>end"%aa)
//       return "func结束了,返回值是%s"%aa
//   async def main():
//       print("main执行")
//       ret1 = await func("ret1")
//       print("ret1返回值是%s"%ret1)
//       ret2 = await func("ret2")
//       print("ret2返回值是%s" % ret2)
//   obj=asyncio.get_event_loop()
//   obj.run_until_complete(main())
//
// aio::get_event_loop() returns the running loop or the one set with
// set_event_loop(); with neither it throws instead of creating one (Python
// 3.12 deprecates that too), so the loop is made explicitly.
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

aio::Coro<void> amain() {
  std::printf("main执行\n");
  std::string ret1 = co_await func("ret1");
  std::printf("ret1返回值是%s\n", ret1.c_str());
  std::string ret2 = co_await func("ret2");
  std::printf("ret2返回值是%s\n", ret2.c_str());
}

int main(int argc, char** argv) {
  aio::EventLoop obj(examples::options_from_args(argc, argv));
  aio::set_event_loop(&obj);
  obj.run_until_complete(amain());
  aio::set_event_loop(nullptr);
}
