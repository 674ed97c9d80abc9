// The //sync benchmark's workloads on aio. sync_bench.py runs the same ones
// on asyncio and uvloop; compare.py runs all three interleaved.
//
// Usage: sync_bench <workload> [n]
//   semaphore        10,000 tasks share a Semaphore(100); each does n/10,000
//                    rounds of `acquire; sleep(0); release` (n acquisitions).
//   queue            one producer, one consumer, n items through an unbounded
//                    Queue (the producer never waits).
//   queue_bounded    the same through Queue(maxsize=100): the two sides hand
//                    off continually.
// Prints one line: RESULT workload=... n=... seconds=... check=... opt=...
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/common/bench_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

namespace {

constexpr int kSemaphoreTasks = 10'000;
constexpr int kPermits = 100;
constexpr int kBoundedMaxsize = 100;

aio::Coro<int64_t> semaphore_worker(aio::Semaphore* sem, int rounds,
                                    int* inside, int* peak) {
  for (int i = 0; i < rounds; ++i) {
    auto permit = co_await sem->acquire();
    if (++*inside > *peak) *peak = *inside;
    co_await aio::sleep(0);
    --*inside;
  }
  co_return rounds;
}

aio::Coro<int64_t> semaphore(int n) {
  aio::Semaphore sem(kPermits);
  int inside = 0, peak = 0;
  const int rounds = n / kSemaphoreTasks;
  std::vector<aio::Task<int64_t>> tasks;
  tasks.reserve(kSemaphoreTasks);
  for (int i = 0; i < kSemaphoreTasks; ++i) {
    tasks.push_back(
        aio::create_task(semaphore_worker(&sem, rounds, &inside, &peak)));
  }
  int64_t total = 0;
  for (auto& t : tasks) total += co_await t;
  if (peak != kPermits) {
    std::fprintf(stderr, "semaphore: peak holders %d != %d\n", peak, kPermits);
    std::exit(1);
  }
  co_return total;
}

aio::Coro<void> producer(aio::Queue<int64_t>* q, int n) {
  for (int64_t i = 0; i < n; ++i) co_await q->put(i);
}

aio::Coro<int64_t> consumer(aio::Queue<int64_t>* q, int n) {
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await q->get();
  co_return sum;
}

aio::Coro<int64_t> queue(int n, size_t maxsize) {
  aio::Queue<int64_t> q(maxsize);
  auto c = aio::create_task(consumer(&q, n));
  auto p = aio::create_task(producer(&q, n));
  co_await p;
  co_return co_await c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s semaphore|queue|queue_bounded [n]\n",
                 argv[0]);
    return 2;
  }
  const std::string workload = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2])
                         : (workload == "semaphore" ? 1'000'000 : 1'000'000);
  aio::Coro<int64_t> body;
  if (workload == "semaphore") {
    if (n < kSemaphoreTasks || n % kSemaphoreTasks != 0) {
      std::fprintf(stderr, "semaphore: n must be a multiple of %d\n",
                   kSemaphoreTasks);
      return 2;
    }
    body = semaphore(n);
  } else if (workload == "queue") {
    body = queue(n, 0);
  } else if (workload == "queue_bounded") {
    body = queue(n, kBoundedMaxsize);
  } else {
    std::fprintf(stderr, "unknown workload %s\n", workload.c_str());
    return 2;
  }
  auto t0 = std::chrono::steady_clock::now();
  int64_t check = aio::run(std::move(body));
  auto t1 = std::chrono::steady_clock::now();
  bench::PrintResult(workload.c_str(), n,
                     std::chrono::duration<double>(t1 - t0).count(), check);
  return 0;
}
