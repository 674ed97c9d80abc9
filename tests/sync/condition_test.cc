#include "sync/condition.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/sleep.h"
#include "loop/task.h"
#include "tests/common/test_util.h"

namespace aio {
namespace {

using testing::VirtualTime;
using testing::yield;

struct Box {
  std::deque<int> items;
  std::vector<std::string> log;
};

Coro<void> consumer(Condition* cond, Box* box, std::string name) {
  auto held = co_await cond->acquire();
  co_await cond->wait_for([box] { return !box->items.empty(); });
  EXPECT_TRUE(cond->locked());
  box->log.push_back(name + ":" + std::to_string(box->items.front()));
  box->items.pop_front();
}

Coro<void> produce(Condition* cond, Box* box, int value) {
  auto held = co_await cond->acquire();
  box->items.push_back(value);
  cond->notify();
}

Coro<void> notify_scenario(Condition* cond, Box* box) {
  auto a = create_task(consumer(cond, box, "a"));
  auto b = create_task(consumer(cond, box, "b"));
  co_await yield();
  EXPECT_EQ(cond->waiting(), 2u);
  EXPECT_FALSE(cond->locked());  // wait() released the lock
  co_await produce(cond, box, 1);
  co_await produce(cond, box, 2);
  co_await a;
  co_await b;
}

TEST(Condition, NotifyWakesWaitersOneAtATimeInArrivalOrder) {
  EventLoop loop(VirtualTime());
  Condition cond;
  Box box;
  loop.run_until_complete(notify_scenario(&cond, &box));
  EXPECT_EQ(box.log, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_FALSE(cond.locked());
}

Coro<void> waiter(Condition* cond, std::vector<int>* log, int id) {
  auto held = co_await cond->acquire();
  co_await cond->wait();
  log->push_back(id);
}

Coro<void> notify_all_scenario(Condition* cond, std::vector<int>* log) {
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 3; ++i)
    tasks.push_back(create_task(waiter(cond, log, i)));
  co_await yield();
  {
    auto held = co_await cond->acquire();
    cond->notify_all();
    co_await sleep(1.0);  // they are woken but need the lock we hold
    EXPECT_TRUE(log->empty());
  }
  for (auto& t : tasks) co_await t;
}

TEST(Condition, NotifyAllWakesEveryoneAndEachReacquiresTheLock) {
  EventLoop loop(VirtualTime());
  Condition cond;
  std::vector<int> log;
  loop.run_until_complete(notify_all_scenario(&cond, &log));
  EXPECT_EQ(log, (std::vector<int>{0, 1, 2}));
}

TEST(Condition, WaitOrNotifyWithoutTheLockThrows) {
  EventLoop loop(VirtualTime());
  Condition cond;
  EXPECT_THROW(cond.notify(), std::logic_error);
  EXPECT_THROW(cond.notify_all(), std::logic_error);
  EXPECT_THROW(loop.run_until_complete(cond.wait()), std::logic_error);
}

Coro<std::string> wait_report(Condition* cond, bool* held_at_exit) {
  auto held = co_await cond->acquire();
  try {
    co_await cond->wait();
    *held_at_exit = cond->locked();
    co_return "notified";
  } catch (const CancelledError&) {
    *held_at_exit = cond->locked();
    co_return "cancelled";
  }
}

Coro<void> cancel_waiting_scenario(Condition* cond, std::string* out,
                                   bool* held) {
  auto t = create_task(wait_report(cond, held));
  co_await yield();
  auto mine = co_await cond->acquire();
  t.cancel();
  co_await sleep(1.0);
  EXPECT_FALSE(t.done());  // it must get the lock back before raising
  mine.release();
  *out = co_await t;
}

TEST(Condition, CancelledWaiterReacquiresTheLockBeforeRaising) {
  EventLoop loop(VirtualTime());
  Condition cond;
  std::string out;
  bool held = false;
  loop.run_until_complete(cancel_waiting_scenario(&cond, &out, &held));
  EXPECT_EQ(out, "cancelled");
  EXPECT_TRUE(held);
  EXPECT_FALSE(cond.locked());
}

Coro<void> cancel_after_notify_scenario(Condition* cond,
                                        std::vector<std::string>* out) {
  bool held_a = false, held_b = false;
  auto a = create_task(wait_report(cond, &held_a));
  auto b = create_task(wait_report(cond, &held_b));
  co_await yield();
  {
    auto mine = co_await cond->acquire();
    cond->notify(1);  // picks a...
    a.cancel();       // ...which is cancelled before it runs
  }
  out->push_back(co_await a);
  out->push_back(co_await b);  // the notification went to b
  EXPECT_TRUE(held_a);
  EXPECT_TRUE(held_b);
}

TEST(Condition, WaiterCancelledAfterNotifyPassesTheNotificationOn) {
  EventLoop loop(VirtualTime());
  Condition cond;
  std::vector<std::string> out;
  loop.run_until_complete(cancel_after_notify_scenario(&cond, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "notified"}));
}

Coro<void> shared_lock_scenario(Lock* lock, Condition* c1, Condition* c2,
                                int* step) {
  auto w = create_task([](Condition* c, int* step) -> Coro<void> {
    auto held = co_await c->acquire();
    co_await c->wait_for([step] { return *step == 1; });
    *step = 2;
  }(c1, step));
  co_await yield();
  EXPECT_FALSE(lock->locked());
  {
    auto held = co_await c2->acquire();  // same lock
    EXPECT_TRUE(lock->locked());
    *step = 1;
    c1->notify();
  }
  co_await w;
}

TEST(Condition, ConditionsCanShareALock) {
  EventLoop loop(VirtualTime());
  Lock lock;
  Condition c1(lock), c2(lock);
  int step = 0;
  loop.run_until_complete(shared_lock_scenario(&lock, &c1, &c2, &step));
  EXPECT_EQ(step, 2);
}

// ---- notify(n) at its limits (asyncio: n <= 0 wakes nobody)

Coro<void> notify_counts(Condition* cond, std::vector<size_t>* woken) {
  std::vector<int> log;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 3; ++i)
    tasks.push_back(create_task(waiter(cond, &log, i)));
  co_await yield();
  for (int step = 0; step < 4; ++step) {
    {
      auto held = co_await cond->acquire();
      switch (step) {
        case 0:
          cond->notify(0);
          break;
        case 1:
          cond->notify(-1);
          break;
        case 2:
          cond->notify(std::numeric_limits<int64_t>::min());
          break;
        case 3:
          cond->notify(std::numeric_limits<size_t>::max());
          break;
      }
    }
    co_await yield();
    co_await yield();
    woken->push_back(log.size());
  }
  for (auto& t : tasks) co_await t;
  // The largest signed count wakes everyone too.
  log.clear();
  tasks.clear();
  for (int i = 0; i < 2; ++i)
    tasks.push_back(create_task(waiter(cond, &log, i)));
  co_await yield();
  {
    auto held = co_await cond->acquire();
    cond->notify(std::numeric_limits<int64_t>::max());
  }
  for (auto& t : tasks) co_await t;
  woken->push_back(log.size());
}

TEST(Condition, NotifyOfZeroOrANegativeCountWakesNobodyAndOfTheMaximumAll) {
  EventLoop loop(VirtualTime());
  Condition cond;
  std::vector<size_t> woken;
  loop.run_until_complete(notify_counts(&cond, &woken));
  EXPECT_EQ(woken, (std::vector<size_t>{0, 0, 0, 3, 2}));
}

}  // namespace
}  // namespace aio
