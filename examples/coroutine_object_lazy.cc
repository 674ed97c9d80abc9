// The tutorial's first example: calling a coroutine function makes a
// coroutine object and runs nothing; a loop runs it.
//
//   async def func():  #协程函数
//       print("start")
//   ret = func()  #到这一步并不会立即执行协程对象
//   # 必须交给循环器来执行
//   loop=asyncio.get_event_loop()
//   loop.run_until_complete(asyncio.wait(ret))
//   # python3.7对循环器又进行了封装,只需要调用run方法即可
//   asyncio.run(ret)
//
// The two ways to run it are alternatives: a coroutine object runs once. The
// tutorial's first one is also wrong in Python (asyncio.wait takes a list of
// tasks, not one coroutine: TypeError); run_until_complete(ret) is what it
// means. In C++ the Coro is moved into the loop that runs it, so a second run
// of the same object cannot compile by accident: it would need std::move and
// then fail (create_task throws std::invalid_argument on an empty Coro).
#include <cstdio>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<void> func() {
  std::printf("start\n");
  co_return;
}

int main(int argc, char** argv) {
  aio::Coro<void> ret = func();  // nothing printed yet
  aio::run(std::move(ret), examples::options_from_args(argc, argv));
}
