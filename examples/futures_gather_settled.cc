// Low-level Futures: set a result later, cancel one, and gather them with
// return_exceptions=True.
//
//   async def main():
//       loop = asyncio.get_running_loop()
//       f1, f2, f3 = loop.create_future(), loop.create_future(),
//       loop.create_future() loop.call_later(1, f1.set_result, "first")
//       loop.call_later(2, f2.set_exception, ValueError("bad value"))
//       loop.call_later(1.5, f3.cancel)
//       print("f1 done?", f1.done())
//       print("awaited f1:", await f1)
//       results = await asyncio.gather(f1, f2, f3, return_exceptions=True)
//       print("f1:", results[0])
//       print("f2:", repr(results[1]))
//       print("f3:", type(results[2]).__name__)
//       print("f3 cancelled?", f3.cancelled())
#include <cstdio>
#include <stdexcept>
#include <string>

#include "examples/example_util.h"
#include "loop/loop.h"

using namespace std::chrono_literals;

aio::Coro<void> amain() {
  aio::EventLoop& loop = aio::get_running_loop();
  auto f1 = loop.create_future<std::string>();
  auto f2 = loop.create_future<std::string>();
  auto f3 = loop.create_future<std::string>();
  loop.call_later(1s, [f1] { f1.set_result("first"); });
  loop.call_later(
      2s, [f2] { f2.set_exception(std::invalid_argument("bad value")); });
  loop.call_later(1500ms, [f3] { f3.cancel(); });
  std::printf("f1 done? %s\n", f1.done() ? "True" : "False");
  std::printf("awaited f1: %s\n", (co_await f1).c_str());
  auto [r1, r2, r3] = co_await aio::gather_settled(f1, f2, f3);
  std::printf("f1: %s\n", r1.value().c_str());
  std::printf("f2: %s\n", aio::describe_exception(r2.exception()).c_str());
  std::printf("f3: %s\n", r3.cancelled() ? "CancelledError" : "?");
  std::printf("f3 cancelled? %s\n", f3.cancelled() ? "True" : "False");
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
