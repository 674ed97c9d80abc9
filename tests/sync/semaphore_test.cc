#include "sync/semaphore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loop/sleep.h"
#include "loop/task.h"
#include "tests/common/test_util.h"

namespace aio {
namespace {

using testing::VirtualTime;
using testing::yield;

Coro<void> take_and_hold(Semaphore* sem, std::vector<int>* log, int id,
                         double seconds) {
  auto permit = co_await sem->acquire();
  log->push_back(id);
  co_await sleep(seconds);
}

Coro<std::string> acquire_and_report(Semaphore* sem) {
  try {
    auto permit = co_await sem->acquire();
    co_return "acquired";
  } catch (const CancelledError&) {
    co_return "cancelled";
  }
}

TEST(Semaphore, FreePermitsAreTakenWithoutWaiting) {
  EventLoop loop(VirtualTime());
  Semaphore sem(2);
  loop.run_until_complete([](Semaphore* s) -> Coro<void> {
    auto a = co_await s->acquire();
    auto b = co_await s->acquire();
    EXPECT_TRUE(a.owns_permit());
    EXPECT_TRUE(b.owns_permit());
    EXPECT_EQ(s->value(), 0);
    EXPECT_TRUE(s->locked());
  }(&sem));
  EXPECT_EQ(sem.value(), 2);  // both guards released
  EXPECT_FALSE(sem.locked());
}

TEST(Semaphore, GuardReleaseIsIdempotentAndDetachKeepsThePermit) {
  EventLoop loop(VirtualTime());
  Semaphore sem(1);
  loop.run_until_complete([](Semaphore* s) -> Coro<void> {
    auto g = co_await s->acquire();
    g.release();
    g.release();
    EXPECT_EQ(s->value(), 1);
    auto h = co_await s->acquire();
    h.detach();
    EXPECT_FALSE(h.owns_permit());
  }(&sem));
  EXPECT_EQ(sem.value(), 0);
  sem.release();
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, AtMostNHoldersAtOnce) {
  EventLoop loop(VirtualTime());
  Semaphore sem(3);
  std::vector<int> log;
  double t0 = 0;
  loop.run_until_complete(
      [](Semaphore* s, std::vector<int>* log, double* t0) -> Coro<void> {
        std::vector<Task<void>> tasks;
        *t0 = std::chrono::duration<double>(
                  get_running_loop().time().time_since_epoch())
                  .count();
        for (int i = 0; i < 7; ++i)
          tasks.push_back(create_task(take_and_hold(s, log, i, 1.0)));
        for (auto& t : tasks) co_await t;
      }(&sem, &log, &t0));
  double t1 =
      std::chrono::duration<double>(loop.time().time_since_epoch()).count();
  // 7 jobs of 1 s, 3 at a time: three rounds.
  EXPECT_DOUBLE_EQ(t1 - t0, 3.0);
  EXPECT_EQ(log, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
}

Coro<void> fifo_scenario(Semaphore* sem, std::vector<int>* log) {
  auto held = co_await sem->acquire();
  std::vector<Task<void>> waiters;
  for (int i = 1; i <= 5; ++i) {
    waiters.push_back(create_task(take_and_hold(sem, log, i, 0.0)));
    co_await yield();  // each waiter parks before the next is created
  }
  EXPECT_EQ(sem->waiting(), 5u);
  held.release();
  for (auto& t : waiters) co_await t;
}

TEST(Semaphore, WaitersAreServedInArrivalOrder) {
  EventLoop loop(VirtualTime());
  Semaphore sem(1);
  std::vector<int> log;
  loop.run_until_complete(fifo_scenario(&sem, &log));
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(sem.value(), 1);
}

Coro<void> barging_scenario(Semaphore* sem, std::vector<int>* log) {
  auto held = co_await sem->acquire();
  auto waiter = create_task(take_and_hold(sem, log, 1, 0.0));
  co_await yield();
  held.release();  // hands the permit to the waiter, which has not run yet
  EXPECT_EQ(sem->value(), 0);
  EXPECT_TRUE(sem->locked());
  // This acquire comes later than the waiter's, so it must queue behind it.
  auto again = co_await sem->acquire();
  log->push_back(2);
  co_await waiter;
}

TEST(Semaphore, ReleasedPermitGoesToTheWaiterNotToALaterAcquire) {
  EventLoop loop(VirtualTime());
  Semaphore sem(1);
  std::vector<int> log;
  loop.run_until_complete(barging_scenario(&sem, &log));
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  EXPECT_EQ(sem.value(), 1);
}

Coro<void> cancel_waiting_scenario(Semaphore* sem,
                                   std::vector<std::string>* out) {
  auto held = co_await sem->acquire();
  auto a = create_task(acquire_and_report(sem));
  auto b = create_task(acquire_and_report(sem));
  co_await yield();
  EXPECT_EQ(sem->waiting(), 2u);
  a.cancel();
  EXPECT_EQ(sem->waiting(), 1u);  // left the queue at once
  held.release();
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(Semaphore, WaiterCancelledWhileWaitingTakesNoPermit) {
  EventLoop loop(VirtualTime());
  Semaphore sem(1);
  std::vector<std::string> out;
  loop.run_until_complete(cancel_waiting_scenario(&sem, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "acquired"}));
  EXPECT_EQ(sem.value(), 1);
  EXPECT_EQ(sem.waiting(), 0u);
}

Coro<void> cancel_after_wake_scenario(Semaphore* sem,
                                      std::vector<std::string>* out) {
  auto held = co_await sem->acquire();
  auto a = create_task(acquire_and_report(sem));
  auto b = create_task(acquire_and_report(sem));
  co_await yield();
  held.release();  // a is woken with the permit...
  a.cancel();      // ...and cancelled before it runs
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(Semaphore, WaiterCancelledJustAfterWakeUpPassesThePermitOn) {
  EventLoop loop(VirtualTime());
  Semaphore sem(1);
  std::vector<std::string> out;
  loop.run_until_complete(cancel_after_wake_scenario(&sem, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "acquired"}));
  EXPECT_EQ(sem.value(), 1);
}

Coro<void> cancel_after_wake_no_next(Semaphore* sem) {
  auto held = co_await sem->acquire();
  auto a = create_task(acquire_and_report(sem));
  co_await yield();
  held.release();
  a.cancel();
  EXPECT_EQ(co_await a, "cancelled");
  EXPECT_EQ(sem->value(), 1);
}

TEST(Semaphore, PermitOfCancelledWakeUpReturnsToTheCountWhenNobodyWaits) {
  EventLoop loop(VirtualTime());
  Semaphore sem(1);
  loop.run_until_complete(cancel_after_wake_no_next(&sem));
  EXPECT_EQ(sem.value(), 1);
}

Coro<void> park_forever(Semaphore* sem) { auto p = co_await sem->acquire(); }

Coro<void> grant_then_return(Semaphore* sem) {
  auto held = co_await sem->acquire();
  create_task(park_forever(sem));  // no handle kept: the loop owns it
  co_await yield();
  held.release();  // grants the waiter, which never gets to run
}

TEST(Semaphore, PermitOfAWaiterDestroyedBeforeItRanIsReturned) {
  Semaphore sem(1);
  {
    EventLoop loop(VirtualTime());
    loop.run_until_complete(grant_then_return(&sem));
    EXPECT_EQ(sem.value(), 0);  // promised to the waiter
    loop.close();               // drops the waiter's frame
  }
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, NegativeInitialValueIsRejected) {
  EXPECT_THROW(Semaphore(-1), std::invalid_argument);
  EXPECT_THROW(BoundedSemaphore(-3), std::invalid_argument);
}

TEST(BoundedSemaphore, ReleasingMoreThanAcquiredThrows) {
  EventLoop loop(VirtualTime());
  BoundedSemaphore sem(2);
  EXPECT_THROW(sem.release(), std::logic_error);
  loop.run_until_complete([](BoundedSemaphore* s) -> Coro<void> {
    auto p = co_await s->acquire();
    p.detach();
    s->release();  // matches the acquire
    EXPECT_THROW(s->release(), std::logic_error);
  }(&sem));
  EXPECT_EQ(sem.value(), 2);
}

TEST(Semaphore, PlainSemaphoreMayBeReleasedBeyondItsInitialValue) {
  Semaphore sem(0);
  sem.release();
  sem.release();
  EXPECT_EQ(sem.value(), 2);
}

Coro<void> contend(Semaphore* sem) {
  auto a = co_await sem->acquire();
  auto t = create_task(park_forever(sem));
  co_await yield();
  a.release();
  co_await t;
}

TEST(Semaphore, CreatedOutsideAnyLoopBindsToTheFirstLoopThatUsesIt) {
  Semaphore sem(1);  // no loop exists yet
  EventLoop first(VirtualTime("first-loop"));
  first.run_until_complete(contend(&sem));
  first.run_until_complete(contend(&sem));  // the same loop again: fine
  EventLoop second(VirtualTime("second-loop"));
  try {
    second.run_until_complete(contend(&sem));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("aio::Semaphore"), std::string::npos) << what;
    EXPECT_NE(what.find("first-loop"), std::string::npos) << what;
    EXPECT_NE(what.find("second-loop"), std::string::npos) << what;
  }
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, ReleaseFromASecondLoopThrowsToo) {
  Semaphore sem(1);
  EventLoop first(VirtualTime());
  first.run_until_complete(contend(&sem));
  EventLoop second(VirtualTime());
  EXPECT_THROW(second.run_until_complete([](Semaphore* s) -> Coro<void> {
    s->release();
    co_return;
  }(&sem)),
               std::logic_error);
}

TEST(Semaphore, ALoopInAnotherThreadIsRefusedBeforeItTouchesTheState) {
  Semaphore sem(1);
  EventLoop first(VirtualTime("main-thread-loop"));
  first.run_until_complete(contend(&sem));
  std::string error;
  std::thread other([&sem, &error] {
    EventLoop second(VirtualTime("other-thread-loop"));
    try {
      second.run_until_complete(contend(&sem));
    } catch (const std::logic_error& e) {
      error = e.what();
    }
  });
  other.join();
  EXPECT_NE(error.find("main-thread-loop"), std::string::npos) << error;
  EXPECT_NE(error.find("other-thread-loop"), std::string::npos) << error;
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, ANewLoopAdoptsItOnceTheFirstLoopIsGone) {
  Semaphore sem(1);
  {
    EventLoop first(VirtualTime());
    first.run_until_complete(contend(&sem));
  }
  EventLoop second(VirtualTime());
  second.run_until_complete(contend(&sem));
  EXPECT_EQ(sem.value(), 1);
}

Coro<std::string> acquire_report_errors(Semaphore* sem) {
  try {
    auto p = co_await sem->acquire();
    co_return "acquired";
  } catch (const std::logic_error& e) {
    co_return e.what();
  }
}

Coro<void> destroy_while_waited(std::unique_ptr<Semaphore>* sem,
                                std::string* out) {
  auto held = co_await (*sem)->acquire();
  held.detach();
  auto t = create_task(acquire_report_errors(sem->get()));
  co_await yield();
  sem->reset();
  *out = co_await t;
}

TEST(Semaphore, DestroyingItWakesWaitersWithAClearError) {
  EventLoop loop(VirtualTime());
  auto sem = std::make_unique<Semaphore>(1);
  std::string out;
  loop.run_until_complete(destroy_while_waited(&sem, &out));
  EXPECT_NE(out.find("destroyed while a task was waiting"), std::string::npos)
      << out;
}

// Issue 9, item 9, for BoundedSemaphore: permits handed to woken waiters
// that have not run count as released.
Coro<void> hold_briefly(BoundedSemaphore* sem, int* inside, int* peak) {
  auto permit = co_await sem->acquire();
  *peak = std::max(*peak, ++*inside);
  co_await yield();
  --*inside;
}

Coro<void> bounded_over_release_during_hand_off(BoundedSemaphore* sem,
                                                int* inside, int* peak,
                                                int* errors) {
  auto a = co_await sem->acquire();
  auto b = co_await sem->acquire();
  *inside = 2;
  *peak = 2;
  a.detach();
  b.detach();
  auto w = create_task(hold_briefly(sem, inside, peak));
  co_await yield();
  --*inside;
  sem->release();  // a's permit, handed to w
  --*inside;
  sem->release();  // b's permit: free
  EXPECT_EQ(sem->value(), 1);
  try {
    sem->release();  // nothing left to release
  } catch (const std::logic_error&) {
    ++*errors;
  }
  EXPECT_EQ(sem->value(), 1);
  co_await w;
}

TEST(BoundedSemaphore, OverReleaseWhileAHandOffIsPendingThrows) {
  EventLoop loop(VirtualTime());
  BoundedSemaphore sem(2);
  int inside = 0, peak = 0, errors = 0;
  loop.run_until_complete(
      bounded_over_release_during_hand_off(&sem, &inside, &peak, &errors));
  EXPECT_EQ(errors, 1);
  EXPECT_LE(peak, 2);
  EXPECT_EQ(sem.value(), 2);
}

// ---- counts at their limits

TEST(Semaphore, ZeroPermitsMeansAcquireWaitsForARelease) {
  EventLoop loop(VirtualTime());
  Semaphore sem(0);
  EXPECT_TRUE(sem.locked());
  loop.run_until_complete([](Semaphore* s) -> Coro<void> {
    auto t = create_task(
        [](Semaphore* s) -> Coro<void> { auto p = co_await s->acquire(); }(s));
    co_await yield();
    EXPECT_EQ(s->waiting(), 1u);
    s->release();
    co_await t;
  }(&sem));
  EXPECT_EQ(sem.value(), 1);
}

TEST(Semaphore, MaximumInitialValueWorksAndCannotOverflow) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EventLoop loop(VirtualTime());
  Semaphore sem(kMax);
  EXPECT_EQ(sem.value(), kMax);
  EXPECT_THROW(sem.release(), std::logic_error);  // would overflow
  loop.run_until_complete([](Semaphore* s) -> Coro<void> {
    auto p = co_await s->acquire();
    EXPECT_EQ(s->value(), kMax - 1);
  }(&sem));
  EXPECT_EQ(sem.value(), kMax);
  EXPECT_THROW(Semaphore(std::numeric_limits<int64_t>::min()),
               std::invalid_argument);
}

TEST(BoundedSemaphore, ZeroAndMaximumBounds) {
  BoundedSemaphore zero(0);
  EXPECT_TRUE(zero.locked());
  EXPECT_THROW(zero.release(), std::logic_error);
  BoundedSemaphore max(std::numeric_limits<int64_t>::max());
  EXPECT_THROW(max.release(), std::logic_error);
  EXPECT_THROW(BoundedSemaphore(std::numeric_limits<int64_t>::min()),
               std::invalid_argument);
}

}  // namespace
}  // namespace aio
