// Several event loops in several threads: each thread creates its own loop,
// makes it current with set_event_loop, and runs it.
//
//   def run_loop(name, delay):
//       loop = asyncio.new_event_loop()
//       asyncio.set_event_loop(loop)
//       result = loop.run_until_complete(work(name, delay))
//       loop.close()
//       results[name] = result
//
//   threads = [threading.Thread(target=run_loop, args=(f"loop-{i}", i)) for i
//   in (1, 2)] for t in threads: t.start() for t in threads: t.join() for name
//   in sorted(results): print(name, "->", results[name])
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

aio::Coro<std::string> work(std::string name, int delay) {
  co_await aio::sleep(std::chrono::milliseconds(100 * delay));
  co_return name + " slept " + std::to_string(100 * delay) +
      " ms on its own loop";
}

int main(int argc, char** argv) {
  aio::EventLoop::Options options = examples::options_from_args(argc, argv);
  std::mutex mu;
  std::map<std::string, std::string> results;
  std::vector<std::thread> threads;
  for (int i : {1, 2}) {
    threads.emplace_back([&, i] {
      std::string name = "loop-" + std::to_string(i);
      auto loop = aio::new_event_loop(options);
      aio::set_event_loop(loop.get());
      std::string r = loop->run_until_complete(work(name, i));
      aio::set_event_loop(nullptr);
      loop->close();
      std::lock_guard<std::mutex> lock(mu);
      results[name] = r;
    });
  }
  for (auto& t : threads) t.join();
  for (auto& [name, r] : results)
    std::printf("%s -> %s\n", name.c_str(), r.c_str());
}
