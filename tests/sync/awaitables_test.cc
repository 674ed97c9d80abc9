// Issue 8: the awaiters that //sync's primitives return are awaitables for
// aio::wait_for, gather, shield and ensure_future, as asyncio's are
// (`co_await aio::wait_for(queue.get(), 5s)`: a worker waiting for the next
// URL with a timeout).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "loop/loop.h"
#include "sync/sync.h"
#include "tests/sync/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

template <typename T>
T run_virtual(Coro<T> main) {
  return aio::run(std::move(main), testing::VirtualTime());
}

Coro<std::string> next_or_timeout(Queue<std::string>* q) {
  try {
    co_return co_await wait_for(q->get(), 5s);
  } catch (const TimeoutError&) {
    co_return "timeout";
  }
}

Coro<void> put_later(Queue<std::string>* q, std::string v, Duration after) {
  co_await sleep(after);
  co_await q->put(std::move(v));
}

TEST(AwaitablesTest, WaitForQueueGetTimesOutAndTakesNothing) {
  auto main = []() -> Coro<std::string> {
    Queue<std::string> q;
    std::string first = co_await next_or_timeout(&q);
    q.put_nowait("a");  // the timed-out getter must not have taken it
    q.put_nowait("b");
    std::string second = co_await next_or_timeout(&q);
    create_task(put_later(&q, "c", 8s));
    std::string third = co_await next_or_timeout(&q);  // "b"
    std::string fourth = co_await next_or_timeout(&q);  // timeout at 5 s
    std::string fifth = co_await next_or_timeout(&q);   // "c" at 8 s
    co_return first + "," + second + "," + third + "," + fourth + "," + fifth;
  };
  EXPECT_EQ(run_virtual(main()), "timeout,a,b,timeout,c");
}

TEST(AwaitablesTest, WaitForSemaphoreAndLockAcquire) {
  auto main = []() -> Coro<int> {
    Semaphore sem(1);
    Lock lock;
    int got = 0;
    {
      PermitGuard held = co_await wait_for(sem.acquire(), 1s);
      ++got;
      try {
        co_await wait_for(sem.acquire(), 1s);  // no permit left
      } catch (const TimeoutError&) {
        got += 10;
      }
    }
    EXPECT_EQ(sem.value(), 1);  // the guard returned it; the timeout took none
    PermitGuard l = co_await wait_for(lock.acquire(), 1s);
    EXPECT_TRUE(lock.locked());
    got += 100;
    co_return got;
  };
  EXPECT_EQ(run_virtual(main()), 111);
}

Coro<void> set_later(Event* ev, Duration after) {
  co_await sleep(after);
  ev->set();
}

TEST(AwaitablesTest, WaitForEventWait) {
  auto main = []() -> Coro<bool> {
    Event ev;
    bool timed_out = false;
    try {
      co_await wait_for(ev.wait(), 1s);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_EQ(ev.waiting(), 0u);  // the cancelled waiter left
    create_task(set_later(&ev, 1s));
    co_await wait_for(ev.wait(), 5s);
    co_return timed_out && ev.is_set();
  };
  EXPECT_TRUE(run_virtual(main()));
}

TEST(AwaitablesTest, GatherShieldAndEnsureFutureTakeThePrimitivesAwaiters) {
  auto main = []() -> Coro<std::string> {
    Queue<std::string> q;
    Event ev;
    Task<std::string> getter = ensure_future(q.get());
    create_task(put_later(&q, "x", 1s));
    create_task(put_later(&q, "y", 2s));
    create_task(set_later(&ev, 3s));
    auto [a, b, e] = co_await gather(getter, q.get(), shield(ev.wait()));
    (void)e;
    co_return a + b;
  };
  EXPECT_EQ(run_virtual(main()), "xy");
}

}  // namespace
}  // namespace aio
