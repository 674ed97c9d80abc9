// The tutorial's set_event_loop example: two loops, obj and new_loop, each
// running its own task.
//
//   async def rnd(sleep_time):
//       await asyncio.sleep(sleep_time)
//       ret=random.randint(1,6)
//       print("from rnd的结果是",ret,type(ret))
//       return ret
//   obj=asyncio.get_event_loop()
//   new_loop = asyncio.new_event_loop()
//   asyncio.set_event_loop(new_loop)
//   print(obj is new_loop)
//   f1 = new_loop.create_task(rnd(2))
//   f2 = obj.create_task(rnd(3))
//   # f1.add_successful(f1,ret)
//   new_loop.run_until_complete(asyncio.wait([f1]))
//   obj.run_until_complete(asyncio.wait([f2]))
//   print("over")
//
// Differences from Python:
// - The tutorial says this runs two loops in two threads. It does not: both
//   loops run on the main thread, one after the other. new_loop runs until f1
//   is done (2 s); f2 has not started, because obj is not running; then obj
//   runs f2 (3 s more). A loop runs only inside its run_* call, on the thread
//   that calls it; two_loops_two_threads.cc runs two loops in two threads.
// - aio::get_event_loop() outside a running loop returns the loop set with
//   set_event_loop() and throws if there is none (it never creates one), so
//   obj is made with new_event_loop() and set first.
// - random.randint(1, 6) becomes a fixed-seed std::mt19937, so the output is
//   the same on every run; type(ret) is printed as Python prints it.
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

std::mt19937 random_numbers;  // default seed: the same numbers every run

aio::Coro<int> rnd(int sleep_time) {
  co_await aio::sleep(sleep_time);
  int ret = 1 + static_cast<int>(random_numbers() % 6);  // randint(1, 6)
  std::printf("from rnd的结果是 %d <class 'int'>\n", ret);
  co_return ret;
}

int main(int argc, char** argv) {
  aio::EventLoop::Options options = examples::options_from_args(argc, argv);
  std::unique_ptr<aio::EventLoop> default_loop = aio::new_event_loop(options);
  aio::set_event_loop(default_loop.get());
  aio::EventLoop& obj = aio::get_event_loop();
  std::unique_ptr<aio::EventLoop> new_loop = aio::new_event_loop(options);
  aio::set_event_loop(new_loop.get());
  std::printf("%s\n", &obj == new_loop.get() ? "True" : "False");
  aio::Task<int> f1 = new_loop->create_task(rnd(2));
  aio::Task<int> f2 = obj.create_task(rnd(3));
  new_loop->run_until_complete(aio::wait(std::vector{f1}));
  obj.run_until_complete(aio::wait(std::vector{f2}));
  std::printf("over\n");
  aio::set_event_loop(nullptr);
}
