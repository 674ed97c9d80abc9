// Done-callbacks: a plain function, and a callback that starts a coroutine
// (callbacks cannot await, so it schedules a task).
//
//   def on_done(task):
//       print(f"callback: {task.get_name()} returned {task.result()}")
//
//   async def notify(name):
//       await asyncio.sleep(0.5)
//       print(f"coroutine callback: {name} finished, notified after 0.5 s")
//
//   async def main():
//       task = asyncio.create_task(work(1), name="worker")
//       task.add_done_callback(on_done)
//       task.add_done_callback(lambda t:
//       asyncio.create_task(notify(t.get_name()))) print("result:", await task)
//       await asyncio.sleep(1)
#include <cstdio>
#include <string>

#include "examples/example_util.h"
#include "loop/loop.h"

using namespace std::chrono_literals;

aio::Coro<int> work(int n) {
  co_await aio::sleep(std::chrono::seconds(n));
  co_return n * 10;
}

void on_done(aio::Task<int>& task) {
  std::printf("callback: %s returned %d\n", task.name().c_str(), task.result());
}

aio::Coro<void> notify(std::string name) {
  co_await aio::sleep(500ms);
  std::printf("coroutine callback: %s finished, notified after 0.5 s\n",
              name.c_str());
}

aio::Coro<void> amain() {
  auto task = aio::create_task(work(1), "worker");
  task.add_done_callback(on_done);
  task.add_done_callback(
      [](aio::Task<int>& t) { aio::create_task(notify(t.name())); });
  std::printf("result: %d\n", co_await task);
  co_await aio::sleep(1s);
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
