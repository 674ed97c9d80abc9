// Issue 9 item 16: closing a loop leaves no parked wait linked in any //sync
// primitive, so that setting, releasing, putting or destroying a primitive
// after the loop is destroyed (while the parked tasks' handles are still
// held) touches nothing of the freed loop. ASan reports any such touch.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "loop/event_loop.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "sync/sync.h"
#include "tests/sync/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

Coro<void> settle() {
  for (int i = 0; i < 4; ++i) co_await sleep(0);
}

std::unique_ptr<EventLoop> virtual_loop() {
  return std::make_unique<EventLoop>(testing::VirtualTime());
}

Coro<void> wait_event(Event* ev) { co_await ev->wait(); }
Coro<void> acquire(Semaphore* sem) { auto held = co_await sem->acquire(); }
Coro<void> lock(Lock* l) { auto held = co_await l->acquire(); }
Coro<int> get(Queue<int>* q) { co_return co_await q->get(); }
Coro<void> put(Queue<int>* q, int v) { co_await q->put(v); }
Coro<void> rate_acquire(RateLimiter* rl) { co_await rl->acquire(); }
Coro<void> wait_condition(Condition* c) {
  auto held = co_await c->acquire();
  co_await c->wait();
}

TEST(LoopCloseTest, EventSetAfterItsLoopIsDestroyedTouchesNothing) {
  Event ev;
  auto loop = virtual_loop();
  Task<void> t = loop->create_task(wait_event(&ev));
  loop->run_until_complete(settle());
  EXPECT_EQ(ev.waiting(), 1u);
  loop.reset();
  EXPECT_EQ(ev.waiting(), 0u);
  ev.set();  // used to wake the task on the freed loop
  EXPECT_FALSE(t.done());
}

TEST(LoopCloseTest, SemaphoreReleasedAfterItsLoopIsDestroyedTouchesNothing) {
  Semaphore sem(0);
  auto loop = virtual_loop();
  Task<void> t = loop->create_task(acquire(&sem));
  loop->run_until_complete(settle());
  EXPECT_EQ(sem.waiting(), 1u);
  loop.reset();
  sem.release();
  EXPECT_EQ(sem.value(), 1);  // nobody waits: the permit is free
}

TEST(LoopCloseTest, LockDestroyedAfterItsLoopIsDestroyedTouchesNothing) {
  auto l = std::make_unique<Lock>();
  auto loop = virtual_loop();
  Task<void> holder = loop->create_task(lock(l.get()));
  Task<void> waiter = loop->create_task(lock(l.get()));
  loop->run_until_complete(settle());
  loop.reset();
  holder = Task<void>();
  l.reset();  // used to wake the waiter with kAbandoned on the freed loop
  waiter = Task<void>();
}

TEST(LoopCloseTest, QueueUsedAfterItsLoopIsDestroyedTouchesNothing) {
  Queue<int> getters_q;
  Queue<int> putters_q(1);
  putters_q.put_nowait(0);
  auto loop = virtual_loop();
  Task<int> g = loop->create_task(get(&getters_q));
  Task<void> p = loop->create_task(put(&putters_q, 1));
  loop->run_until_complete(settle());
  loop.reset();
  getters_q.put_nowait(7);  // used to hand 7 to the getter on the freed loop
  EXPECT_EQ(getters_q.qsize(), 1u);
  EXPECT_EQ(putters_q.get_nowait(), 0);  // used to grant the putter a slot
}

TEST(LoopCloseTest, ConditionDestroyedAfterItsLoopIsDestroyedTouchesNothing) {
  Lock l;  // outlives the task's guard on it
  auto c = std::make_unique<Condition>(l);
  auto loop = virtual_loop();
  Task<void> t = loop->create_task(wait_condition(c.get()));
  loop->run_until_complete(settle());
  loop.reset();
  c.reset();  // used to wake the waiter with kAbandoned on the freed loop
  t = Task<void>();
}

TEST(LoopCloseTest, RateLimiterDestroyedAfterItsLoopIsDestroyedTouchesNothing) {
  auto rl = std::make_unique<RateLimiter>(1, std::chrono::hours(1));
  auto loop = virtual_loop();
  Task<void> a = loop->create_task(rate_acquire(rl.get()));
  Task<void> b = loop->create_task(rate_acquire(rl.get()));
  loop->run_until_complete(settle());
  EXPECT_EQ(rl->waiting(), 1u);
  loop.reset();
  rl.reset();
  b = Task<void>();
}

}  // namespace
}  // namespace aio
