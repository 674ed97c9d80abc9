// asyncio.wait with a timeout splits tasks into done and pending, and does
// not cancel the pending ones.
//
//   async def work(n):
//       await asyncio.sleep(n)
//       return n
//
//   async def main():
//       tasks = [asyncio.create_task(work(n), name=f"work-{n}") for n in (1, 2,
//       3)] done, pending = await asyncio.wait(tasks, timeout=2.5)
//       print("done:", sorted(t.get_name() for t in done))
//       print("pending:", sorted(t.get_name() for t in pending))
//       for t in pending:
//           print(t.get_name(), "cancelled?", t.cancelled())
//       done, pending = await asyncio.wait(pending,
//       return_when=asyncio.FIRST_COMPLETED) print("after the first
//       completion:", len(done), "done,", len(pending), "pending")
//       print("results:", [t.result() for t in tasks])
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"

using namespace std::chrono_literals;

aio::Coro<int> work(int n) {
  co_await aio::sleep(std::chrono::seconds(n));
  co_return n;
}

std::string names(const std::vector<aio::Task<int>>& ts) {
  std::string s = "[";
  for (size_t i = 0; i < ts.size(); ++i)
    s += (i ? ", '" : "'") + ts[i].name() + "'";
  return s + "]";
}

aio::Coro<void> amain() {
  std::vector<aio::Task<int>> tasks;
  for (int n : {1, 2, 3})
    tasks.push_back(aio::create_task(work(n), "work-" + std::to_string(n)));
  auto [done, pending] = co_await aio::wait(tasks, 2500ms);
  std::printf("done: %s\n", names(done).c_str());
  std::printf("pending: %s\n", names(pending).c_str());
  for (auto& t : pending) {
    std::printf("%s cancelled? %s\n", t.name().c_str(),
                t.cancelled() ? "True" : "False");
  }
  auto r = co_await aio::wait(pending, std::nullopt,
                              aio::ReturnWhen::kFirstCompleted);
  std::printf("after the first completion: %zu done, %zu pending\n",
              r.done.size(), r.pending.size());
  std::printf("results: [%d, %d, %d]\n", tasks[0].result(), tasks[1].result(),
              tasks[2].result());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
