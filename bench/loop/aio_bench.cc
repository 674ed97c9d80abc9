// The loop benchmark's workloads on this project's event loop (//loop).
//
// Usage: aio_bench <workload> [n]
//   spawn_join  create n (default 1,000,000) tasks returning an int, keep
//               their Task handles, then co_await each one.
//   timers      n (default 100,000) tasks each sleep a seeded random
//               0-100 ms (the same delays as every other runtime: see
//               bench_common.h); the loop runs until all are done.
//   pingpong    two tasks pass a token n (default 1,000,000) times; each side
//               awaits a fresh Future<int> that the other side completes, so
//               every hand-off goes through the loop's run queue.
//   baseline    an empty loop run (the process's resting RSS).
//
// Prints one line, "RESULT workload=... n=... seconds=... check=...", that
// bench/loop/compare.py parses. Peak RSS is measured by the driver (wait4), so
// each workload runs in its own process. See compare.py and RESULTS.md.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench/loop/bench_common.h"
#include "loop/coro.h"
#include "loop/event_loop.h"
#include "loop/future.h"
#include "loop/sleep.h"
#include "loop/task.h"

namespace {

using aio::Coro;
using aio::Future;
using aio::Task;

// ---- spawn_join -------------------------------------------------------------

Coro<int> Work(int i) { co_return i; }

Coro<int64_t> SpawnJoin(int n) {
  std::vector<Task<int>> tasks;
  tasks.reserve(n);
  for (int i = 0; i < n; ++i) tasks.push_back(aio::create_task(Work(i)));
  int64_t sum = 0;
  for (auto& t : tasks) sum += co_await t;
  co_return sum;
}

// ---- timers -----------------------------------------------------------------

Coro<void> Sleeper(int64_t delay_us) {
  co_await aio::sleep(std::chrono::microseconds(delay_us));
}

std::vector<int64_t> g_delays_us;  // filled before the clock starts

Coro<int64_t> Timers(int n) {
  std::vector<Task<void>> tasks;
  tasks.reserve(n);
  for (int64_t d : g_delays_us) tasks.push_back(aio::create_task(Sleeper(d)));
  for (auto& t : tasks) co_await t;
  co_return static_cast<int64_t>(tasks.size());
}

// ---- pingpong ---------------------------------------------------------------

// Each side owns the future it receives on. On receiving the token it installs
// a fresh future for its next receive, then completes the peer's: the peer is
// woken through the run queue, never resumed on this stack.
struct Mailboxes {
  Future<int> box[2];
};

Coro<int64_t> Player(Mailboxes* m, int me, int rounds) {
  aio::EventLoop& loop = aio::get_running_loop();
  int64_t last = 0;
  for (int i = 0; i < rounds; ++i) {
    int token = co_await m->box[me];
    m->box[me] = loop.create_future<int>();
    m->box[1 - me].set_result(token + 1);
    last = token;
  }
  co_return last;
}

Coro<int64_t> PingPong(int n) {
  aio::EventLoop& loop = aio::get_running_loop();
  Mailboxes m{{loop.create_future<int>(), loop.create_future<int>()}};
  Task<int64_t> a = aio::create_task(Player(&m, 0, n / 2));
  Task<int64_t> b = aio::create_task(Player(&m, 1, n / 2));
  m.box[0].set_result(0);  // player 0 holds the token first
  int64_t ra = co_await a;
  int64_t rb = co_await b;
  co_return ra + rb;
}

Coro<int64_t> Baseline(int) { co_return 0; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s spawn_join|timers|pingpong|baseline [n]\n",
                 argv[0]);
    return 2;
  }
  const char* w = argv[1];
  int n = argc > 2 ? std::atoi(argv[2]) : bench::DefaultN(w);
  Coro<int64_t> (*fn)(int) = nullptr;
  if (std::strcmp(w, "spawn_join") == 0) fn = SpawnJoin;
  if (std::strcmp(w, "timers") == 0) fn = Timers;
  if (std::strcmp(w, "pingpong") == 0) fn = PingPong;
  if (std::strcmp(w, "baseline") == 0) fn = Baseline;
  if (!fn || n <= 0) {
    std::fprintf(stderr, "unknown workload %s\n", w);
    return 2;
  }
  if (fn == Timers) g_delays_us = bench::TimerDelaysUs(n);
  aio::EventLoop loop;
  // The clock covers creating, running and joining every task and freeing
  // them (the task vector dies inside the coroutine).
  auto t0 = std::chrono::steady_clock::now();
  int64_t check = loop.run_until_complete(fn(n));
  auto t1 = std::chrono::steady_clock::now();
  bench::PrintResult(w, n, std::chrono::duration<double>(t1 - t0).count(),
                     check);
  return 0;
}
