#include "sync/lock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
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

struct Shared {
  int inside = 0;
  int max_inside = 0;
  int counter = 0;
  std::vector<int> order;
};

Coro<void> critical(Lock* lock, Shared* s, int id) {
  auto held = co_await lock->acquire();
  s->order.push_back(id);
  ++s->inside;
  s->max_inside = std::max(s->max_inside, s->inside);
  int before = s->counter;
  co_await sleep(0.001);  // suspend inside the critical section
  s->counter = before + 1;
  --s->inside;
}

Coro<void> many(Lock* lock, Shared* s, int n) {
  std::vector<Task<void>> tasks;
  for (int i = 0; i < n; ++i)
    tasks.push_back(create_task(critical(lock, s, i)));
  for (auto& t : tasks) co_await t;
}

TEST(Lock, OneTaskAtATimeInArrivalOrder) {
  EventLoop loop(VirtualTime());
  Lock lock;
  Shared s;
  loop.run_until_complete(many(&lock, &s, 50));
  EXPECT_EQ(s.max_inside, 1);
  EXPECT_EQ(s.counter, 50);  // no lost update
  std::vector<int> expected;
  for (int i = 0; i < 50; ++i) expected.push_back(i);
  EXPECT_EQ(s.order, expected);
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, ReleasingAnUnlockedLockThrows) {
  Lock lock;
  try {
    lock.release();
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("not acquired"), std::string::npos);
  }
}

Coro<std::string> try_lock(Lock* lock) {
  try {
    auto held = co_await lock->acquire();
    co_return "acquired";
  } catch (const CancelledError&) {
    co_return "cancelled";
  }
}

Coro<void> cancel_after_handoff(Lock* lock, std::vector<std::string>* out) {
  auto held = co_await lock->acquire();
  auto a = create_task(try_lock(lock));
  auto b = create_task(try_lock(lock));
  co_await yield();
  held.release();  // ownership handed to a
  EXPECT_TRUE(lock->locked());
  a.cancel();
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(Lock, WaiterCancelledAfterHandOffPassesTheLockOn) {
  EventLoop loop(VirtualTime());
  Lock lock;
  std::vector<std::string> out;
  loop.run_until_complete(cancel_after_handoff(&lock, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "acquired"}));
  EXPECT_FALSE(lock.locked());
}

Coro<void> cancel_while_waiting(Lock* lock, std::vector<std::string>* out) {
  auto held = co_await lock->acquire();
  auto a = create_task(try_lock(lock));
  co_await yield();
  a.cancel();
  out->push_back(co_await a);
  EXPECT_TRUE(lock->locked());  // still ours
  EXPECT_EQ(lock->waiting(), 0u);
}

TEST(Lock, WaiterCancelledWhileWaitingLeavesOwnershipAlone) {
  EventLoop loop(VirtualTime());
  Lock lock;
  std::vector<std::string> out;
  loop.run_until_complete(cancel_while_waiting(&lock, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled"}));
  EXPECT_FALSE(lock.locked());
}

Coro<void> lock_once(Lock* lock) { auto held = co_await lock->acquire(); }

TEST(Lock, UseFromASecondLiveLoopThrowsLogicError) {
  Lock lock;
  EventLoop a(VirtualTime("loop-a"));
  a.run_until_complete(lock_once(&lock));
  EventLoop b(VirtualTime("loop-b"));
  try {
    b.run_until_complete(lock_once(&lock));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("aio::Lock"), std::string::npos) << what;
    EXPECT_NE(what.find("loop-a"), std::string::npos) << what;
    EXPECT_NE(what.find("loop-b"), std::string::npos) << what;
  }
}

TEST(Lock, AcquireOutsideATaskThrowsLogicError) {
  EventLoop loop(VirtualTime());
  Lock lock;
  loop.run_until_complete(lock_once(&lock));  // binds
  // Awaiting a locked Lock from a coroutine that is not a task has nowhere
  // to park.
  auto held_elsewhere = [](Lock* l) -> Coro<void> {
    auto h = co_await l->acquire();
    h.detach();
  };
  loop.run_until_complete(held_elsewhere(&lock));
  EXPECT_TRUE(lock.locked());
  auto c = lock_once(&lock);
  auto h = c.release();
  EXPECT_THROW(
      {
        h.resume();  // runs outside any task: parking must fail loudly
        h.promise().take_result();
      },
      std::logic_error);
  h.destroy();
  lock.release();
}

// Issue 9, item 9: a release() while the lock is being handed to a woken
// waiter that has not run yet is an over-release, not a second unlock.
Coro<void> holder(Lock* lock, Shared* s) {
  auto held = co_await lock->acquire();
  ++s->inside;
  s->max_inside = std::max(s->max_inside, s->inside);
  co_await yield();
  co_await yield();
  --s->inside;
}

Coro<void> release_twice_during_hand_off(Lock* lock, Shared* s,
                                         std::string* error) {
  auto held = co_await lock->acquire();
  held.detach();  // released by hand below, as asyncio code does
  auto b = create_task(holder(lock, s));
  co_await yield();
  lock->release();  // hands the lock to b, which has not run yet
  try {
    lock->release();
  } catch (const std::logic_error& e) {
    *error = e.what();
  }
  EXPECT_TRUE(lock->locked());
  auto c = create_task(holder(lock, s));  // must wait for b
  co_await b;
  co_await c;
}

TEST(Lock, ReleasingTwiceDuringAHandOffThrowsAndOneTaskHoldsTheLock) {
  EventLoop loop(VirtualTime());
  Lock lock;
  Shared s;
  std::string error;
  loop.run_until_complete(release_twice_during_hand_off(&lock, &s, &error));
  EXPECT_NE(error.find("not acquired"), std::string::npos) << error;
  EXPECT_EQ(s.max_inside, 1);
  EXPECT_FALSE(lock.locked());
}

Coro<void> release_with_two_waiters(Lock* lock, Shared* s, int* errors) {
  auto held = co_await lock->acquire();
  held.detach();
  auto b = create_task(holder(lock, s));
  auto c = create_task(holder(lock, s));
  co_await yield();
  lock->release();  // to b
  try {
    lock->release();  // must not hand a second "lock" to c
  } catch (const std::logic_error&) {
    ++*errors;
  }
  EXPECT_EQ(lock->waiting(), 1u);  // c still waits
  co_await b;
  co_await c;
}

TEST(Lock, ReleasingTwiceWithTwoWaitersWakesOnlyOne) {
  EventLoop loop(VirtualTime());
  Lock lock;
  Shared s;
  int errors = 0;
  loop.run_until_complete(release_with_two_waiters(&lock, &s, &errors));
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(s.max_inside, 1);
  EXPECT_FALSE(lock.locked());
}

}  // namespace
}  // namespace aio
