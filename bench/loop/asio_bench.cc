// The loop benchmark's workloads on Boost.Asio C++20 coroutines (Boost 1.74,
// Debian 12), written the way Asio's own examples write them: awaitable<T>,
// co_spawn onto a single-threaded io_context, steady_timer for sleeps.
//
// Usage: asio_bench <workload> [n]   (same workloads and output as aio_bench)
//   spawn_join  co_spawn n coroutines returning an int; each completion
//               handler stores its result and counts down; the joining
//               coroutine waits on a steady_timer that the last one cancels
//               (Boost 1.74 has no awaitable join: parallel_group and
//               promise arrived in 1.80-1.82).
//   timers      n coroutines each co_await a steady_timer with the shared
//               seeded delays.
//   pingpong    two coroutines pass a token through two one-shot events. An
//               event is a steady_timer that never expires: the receiver
//               co_awaits async_wait, the sender cancel()s it, and Asio posts
//               the receiver's completion to the io_context's queue (the
//               usual Asio idiom before experimental::channel, 1.80).
//   baseline    an empty io_context run.

// HACK: Boost 1.74's Asio uses std::exchange without including <utility>,
// which g++ 12's headers no longer pull in transitively under C++20.
// It must come first (clang-format's include regrouping would move it).
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

#include "bench/loop/bench_common.h"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

// ---- spawn_join -------------------------------------------------------------

awaitable<int> Work(int i) { co_return i; }

awaitable<int64_t> SpawnJoin(int n) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<int> results(n);
  int remaining = n;
  asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
  for (int i = 0; i < n; ++i) {
    asio::co_spawn(ex, Work(i), [&, i](std::exception_ptr e, int r) {
      if (e) std::rethrow_exception(e);
      results[i] = r;
      if (--remaining == 0) all_done.cancel();
    });
  }
  boost::system::error_code ec;
  if (remaining > 0)
    co_await all_done.async_wait(asio::redirect_error(use_awaitable, ec));
  int64_t sum = 0;
  for (int r : results) sum += r;
  co_return sum;
}

// ---- timers -----------------------------------------------------------------

std::vector<int64_t> g_delays_us;  // filled before the clock starts

awaitable<void> Sleeper(int64_t delay_us) {
  asio::steady_timer t(co_await asio::this_coro::executor,
                       std::chrono::microseconds(delay_us));
  co_await t.async_wait(use_awaitable);
}

awaitable<int64_t> Timers(int n) {
  auto ex = co_await asio::this_coro::executor;
  int remaining = n;
  asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
  for (int64_t d : g_delays_us) {
    asio::co_spawn(ex, Sleeper(d), [&](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
      if (--remaining == 0) all_done.cancel();
    });
  }
  boost::system::error_code ec;
  if (remaining > 0)
    co_await all_done.async_wait(asio::redirect_error(use_awaitable, ec));
  co_return n;
}

// ---- pingpong ---------------------------------------------------------------

// A one-shot-at-a-time event: set() wakes the waiter through the io_context's
// queue; a set() before wait() is remembered.
class Event {
 public:
  explicit Event(asio::any_io_executor ex)
      : timer_(ex, asio::steady_timer::time_point::max()) {}
  void set(int v) {
    value_ = v;
    ready_ = true;
    timer_.cancel();
  }
  awaitable<int> wait() {
    if (!ready_) {
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    ready_ = false;
    co_return value_;
  }

 private:
  asio::steady_timer timer_;
  bool ready_ = false;
  int value_ = 0;
};

awaitable<int64_t> Player(Event* box, int me, int rounds) {
  int64_t last = 0;
  for (int i = 0; i < rounds; ++i) {
    int token = co_await box[me].wait();
    box[1 - me].set(token + 1);
    last = token;
  }
  co_return last;
}

awaitable<int64_t> PingPong(int n) {
  auto ex = co_await asio::this_coro::executor;
  Event box[2] = {Event(ex), Event(ex)};
  int64_t sum = 0;
  int remaining = 2;
  asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
  auto on_done = [&](std::exception_ptr e, int64_t r) {
    if (e) std::rethrow_exception(e);
    sum += r;
    if (--remaining == 0) all_done.cancel();
  };
  asio::co_spawn(ex, Player(box, 0, n / 2), on_done);
  asio::co_spawn(ex, Player(box, 1, n / 2), on_done);
  box[0].set(0);  // player 0 holds the token first
  boost::system::error_code ec;
  co_await all_done.async_wait(asio::redirect_error(use_awaitable, ec));
  co_return sum;
}

awaitable<int64_t> Baseline(int) { co_return 0; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s spawn_join|timers|pingpong|baseline [n]\n",
                 argv[0]);
    return 2;
  }
  const char* w = argv[1];
  int n = argc > 2 ? std::atoi(argv[2]) : bench::DefaultN(w);
  awaitable<int64_t> (*fn)(int) = nullptr;
  if (std::strcmp(w, "spawn_join") == 0) fn = SpawnJoin;
  if (std::strcmp(w, "timers") == 0) fn = Timers;
  if (std::strcmp(w, "pingpong") == 0) fn = PingPong;
  if (std::strcmp(w, "baseline") == 0) fn = Baseline;
  if (!fn || n <= 0) {
    std::fprintf(stderr, "unknown workload %s\n", w);
    return 2;
  }
  if (fn == Timers) g_delays_us = bench::TimerDelaysUs(n);
  // Concurrency hint 1: one thread runs the context (Asio then skips some
  // locking), the fair setting for a single-threaded comparison.
  asio::io_context ctx(1);
  int64_t check = -1;
  auto t0 = std::chrono::steady_clock::now();
  asio::co_spawn(ctx, fn(n), [&](std::exception_ptr e, int64_t r) {
    if (e) std::rethrow_exception(e);
    check = r;
  });
  ctx.run();
  auto t1 = std::chrono::steady_clock::now();
  bench::PrintResult(w, n, std::chrono::duration<double>(t1 - t0).count(),
                     check);
  return 0;
}
