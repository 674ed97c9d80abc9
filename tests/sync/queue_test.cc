#include "sync/queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/wait.h"
#include "tests/sync/test_util.h"

namespace aio {
namespace {

using testing::VirtualTime;
using testing::yield;

TEST(Queue, NowaitOperationsFollowFifoAndReportFullAndEmpty) {
  Queue<int> q(2);  // usable before any loop runs
  EXPECT_TRUE(q.empty());
  EXPECT_THROW(q.get_nowait(), QueueEmpty);
  q.put_nowait(1);
  q.put_nowait(2);
  EXPECT_TRUE(q.full());
  EXPECT_THROW(q.put_nowait(3), QueueFull);
  EXPECT_EQ(q.qsize(), 2u);
  EXPECT_EQ(q.get_nowait(), 1);
  EXPECT_EQ(q.get_nowait(), 2);
  EXPECT_EQ(q.maxsize(), 2u);
}

TEST(LifoQueue, ReturnsTheNewestItemFirst) {
  LifoQueue<int> q;
  for (int i = 0; i < 4; ++i) q.put_nowait(i);
  std::vector<int> out;
  while (!q.empty()) out.push_back(q.get_nowait());
  EXPECT_EQ(out, (std::vector<int>{3, 2, 1, 0}));
}

TEST(PriorityQueue, ReturnsTheSmallestFirstAndTiesInInsertionOrder) {
  using Item = std::pair<int, std::string>;
  struct ByPriority {
    bool operator()(const Item& a, const Item& b) const {
      return a.first < b.first;
    }
  };
  PriorityQueue<Item, ByPriority> q;
  q.put_nowait({3, "c"});
  q.put_nowait({1, "a1"});
  q.put_nowait({2, "b"});
  q.put_nowait({1, "a2"});
  q.put_nowait({1, "a3"});
  std::vector<std::string> out;
  while (!q.empty()) out.push_back(q.get_nowait().second);
  EXPECT_EQ(out, (std::vector<std::string>{"a1", "a2", "a3", "b", "c"}));
}

TEST(PriorityQueue, DefaultCompareIsMinFirst) {
  PriorityQueue<int> q;
  for (int v : {5, 1, 4, 2, 3}) q.put_nowait(v);
  std::vector<int> out;
  while (!q.empty()) out.push_back(q.get_nowait());
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(Queue, MoveOnlyItemsPassThrough) {
  EventLoop loop(VirtualTime());
  Queue<std::unique_ptr<int>> q(1);
  loop.run_until_complete([](Queue<std::unique_ptr<int>>* q) -> Coro<void> {
    co_await q->put(std::make_unique<int>(42));
    auto p = co_await q->get();
    EXPECT_EQ(*p, 42);
  }(&q));
}

Coro<void> getter(Queue<int>* q, std::vector<std::string>* log,
                  std::string name) {
  int v = co_await q->get();
  log->push_back(name + "=" + std::to_string(v));
}

Coro<void> getters_fifo(Queue<int>* q, std::vector<std::string>* log) {
  std::vector<Task<void>> ts;
  for (const char* n : {"a", "b", "c"}) {
    ts.push_back(create_task(getter(q, log, n)));
    co_await yield();
  }
  co_await q->put(1);
  co_await q->put(2);
  co_await q->put(3);
  for (auto& t : ts) co_await t;
}

TEST(Queue, GettersAreServedInArrivalOrder) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> log;
  loop.run_until_complete(getters_fifo(&q, &log));
  EXPECT_EQ(log, (std::vector<std::string>{"a=1", "b=2", "c=3"}));
}

Coro<void> no_barging_get(Queue<int>* q, std::vector<std::string>* log) {
  auto waiting = create_task(getter(q, log, "waiter"));
  co_await yield();
  q->put_nowait(7);  // promised to the waiter, which has not run yet
  EXPECT_EQ(q->qsize(), 0u);
  EXPECT_TRUE(q->empty());
  EXPECT_THROW(q->get_nowait(), QueueEmpty);  // cannot steal it
  q->put_nowait(8);
  EXPECT_EQ(q->qsize(), 1u);
  // A free item exists now; items leave in the queue's order, and nobody
  // holds one before it runs (asyncio: this get() returns 7, the waiter 8).
  log->push_back("me=" + std::to_string(co_await q->get()));
  co_await waiting;
}

TEST(Queue, AnItemPromisedToAWokenGetterCannotBeTakenByAnother) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> log;
  loop.run_until_complete(no_barging_get(&q, &log));
  EXPECT_EQ(log, (std::vector<std::string>{"me=7", "waiter=8"}));
}

Coro<void> putter(Queue<int>* q, std::vector<std::string>* log, int v) {
  co_await q->put(v);
  log->push_back("put " + std::to_string(v));
}

Coro<void> putters_fifo_no_barging(Queue<int>* q, std::vector<std::string>* log,
                                   std::vector<int>* got) {
  q->put_nowait(0);  // maxsize 1: now full
  auto p1 = create_task(putter(q, log, 1));
  co_await yield();
  auto p2 = create_task(putter(q, log, 2));
  co_await yield();
  got->push_back(co_await q->get());  // frees a slot: reserved for p1
  EXPECT_TRUE(q->full());
  EXPECT_THROW(q->put_nowait(99), QueueFull);  // no barging past p1
  co_await p1;
  got->push_back(co_await q->get());
  co_await p2;
  got->push_back(co_await q->get());
}

TEST(Queue, BlockedPuttersAreServedInOrderAndNobodyBargesPastThem) {
  EventLoop loop(VirtualTime());
  Queue<int> q(1);
  std::vector<std::string> log;
  std::vector<int> got;
  loop.run_until_complete(putters_fifo_no_barging(&q, &log, &got));
  EXPECT_EQ(log, (std::vector<std::string>{"put 1", "put 2"}));
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
}

Coro<std::string> get_report(Queue<int>* q) {
  try {
    co_return "got " + std::to_string(co_await q->get());
  } catch (const CancelledError&) {
    co_return "cancelled";
  } catch (const QueueShutDown&) {
    co_return "shutdown";
  }
}

Coro<void> getter_cancelled_after_handoff(Queue<int>* q,
                                          std::vector<std::string>* out) {
  auto a = create_task(get_report(q));
  auto b = create_task(get_report(q));
  co_await yield();
  q->put_nowait(5);  // promised to a
  a.cancel();        // before a runs: 5 must go to b
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(Queue, GetterCancelledAfterHandOffGivesTheItemToTheNextGetter) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(getter_cancelled_after_handoff(&q, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "got 5"}));
  EXPECT_TRUE(q.empty());
}

Coro<void> getter_cancelled_item_returns_to_front(Queue<int>* q,
                                                  std::vector<int>* order) {
  auto a = create_task(get_report(q));
  co_await yield();
  q->put_nowait(1);  // promised to a
  q->put_nowait(2);  // stored
  a.cancel();
  EXPECT_EQ(co_await a, "cancelled");
  while (!q->empty()) order->push_back(q->get_nowait());
}

TEST(Queue, AnItemPromisedToACancelledGetterStaysFirstWhenNobodyWaits) {
  EventLoop loop(VirtualTime());
  Queue<int> q(2);
  std::vector<int> order;
  loop.run_until_complete(getter_cancelled_item_returns_to_front(&q, &order));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));  // nothing lost, order kept
}

Coro<std::string> put_report(Queue<int>* q, int v) {
  try {
    co_await q->put(v);
    co_return "put " + std::to_string(v);
  } catch (const CancelledError&) {
    co_return "cancelled " + std::to_string(v);
  } catch (const QueueShutDown&) {
    co_return "shutdown " + std::to_string(v);
  }
}

Coro<void> putter_cancellations(Queue<int>* q, std::vector<std::string>* out,
                                std::vector<int>* items) {
  q->put_nowait(0);
  auto p1 = create_task(put_report(q, 1));
  auto p2 = create_task(put_report(q, 2));
  auto p3 = create_task(put_report(q, 3));
  co_await yield();
  p1.cancel();                        // cancelled while waiting
  items->push_back(q->get_nowait());  // slot reserved for p2
  p2.cancel();                        // cancelled after the reservation
  out->push_back(co_await p1);
  out->push_back(co_await p2);
  out->push_back(co_await p3);  // p2's slot went to p3
  while (!q->empty()) items->push_back(q->get_nowait());
}

TEST(Queue, CancelledPutterPutsNothingAndItsSlotGoesToTheNextPutter) {
  EventLoop loop(VirtualTime());
  Queue<int> q(1);
  std::vector<std::string> out;
  std::vector<int> items;
  loop.run_until_complete(putter_cancellations(&q, &out, &items));
  EXPECT_EQ(out,
            (std::vector<std::string>{"cancelled 1", "cancelled 2", "put 3"}));
  EXPECT_EQ(items, (std::vector<int>{0, 3}));
  EXPECT_EQ(q.unfinished_tasks(), 2u);  // 0 and 3 were put
}

Coro<void> worker(Queue<int>* q, int* processed) {
  for (;;) {
    int v;
    try {
      v = co_await q->get();
    } catch (const QueueShutDown&) {
      co_return;
    }
    co_await sleep(0.01 * v);
    ++*processed;
    q->task_done();
  }
}

Coro<void> join_scenario(Queue<int>* q, int* processed) {
  auto w1 = create_task(worker(q, processed));
  auto w2 = create_task(worker(q, processed));
  for (int i = 1; i <= 10; ++i) co_await q->put(i);
  co_await q->join();
  EXPECT_EQ(*processed, 10);
  EXPECT_EQ(q->unfinished_tasks(), 0u);
  q->shutdown();
  co_await w1;
  co_await w2;
}

TEST(Queue, JoinWaitsUntilEveryItemIsMarkedDone) {
  EventLoop loop(VirtualTime());
  Queue<int> q(3);
  int processed = 0;
  loop.run_until_complete(join_scenario(&q, &processed));
  EXPECT_EQ(processed, 10);
}

TEST(Queue, TaskDoneCalledTooOftenThrows) {
  Queue<int> q;
  q.put_nowait(1);
  q.task_done();
  EXPECT_THROW(q.task_done(), std::logic_error);
}

Coro<void> shutdown_scenario(Queue<int>* q, std::vector<std::string>* out) {
  q->put_nowait(1);
  q->put_nowait(2);  // full (maxsize 2)
  auto blocked_putter = create_task(put_report(q, 3));
  co_await yield();
  q->shutdown();
  out->push_back(co_await blocked_putter);
  EXPECT_THROW(q->put_nowait(4), QueueShutDown);
  out->push_back(co_await put_report(q, 5));
  // get() drains what is left, then refuses.
  out->push_back(co_await get_report(q));
  out->push_back(co_await get_report(q));
  out->push_back(co_await get_report(q));
  EXPECT_THROW(q->get_nowait(), QueueShutDown);
}

TEST(Queue, ShutdownRefusesPutsWakesBlockedPuttersAndLetsGettersDrain) {
  EventLoop loop(VirtualTime());
  Queue<int> q(2);
  std::vector<std::string> out;
  loop.run_until_complete(shutdown_scenario(&q, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"shutdown 3", "shutdown 5", "got 1",
                                           "got 2", "shutdown"}));
  EXPECT_TRUE(q.is_shutdown());
}

Coro<void> shutdown_wakes_getters(Queue<int>* q,
                                  std::vector<std::string>* out) {
  auto a = create_task(get_report(q));
  auto b = create_task(get_report(q));
  co_await yield();
  q->shutdown();
  out->push_back(co_await a);
  out->push_back(co_await b);
}

TEST(Queue, ShutdownWakesEveryBlockedGetterWithQueueShutDown) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(shutdown_wakes_getters(&q, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"shutdown", "shutdown"}));
}

Coro<void> immediate_shutdown(Queue<int>* q, bool* joined) {
  for (int i = 0; i < 5; ++i) q->put_nowait(i);
  auto j = create_task([](Queue<int>* q, bool* joined) -> Coro<void> {
    co_await q->join();
    *joined = true;
  }(q, joined));
  co_await yield();
  EXPECT_FALSE(*joined);
  q->shutdown(/*immediate=*/true);
  EXPECT_TRUE(q->empty());
  EXPECT_EQ(q->unfinished_tasks(), 0u);
  co_await j;
  EXPECT_EQ(co_await get_report(q), "shutdown");
}

TEST(Queue, ImmediateShutdownDiscardsItemsAndReleasesJoin) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  bool joined = false;
  loop.run_until_complete(immediate_shutdown(&q, &joined));
  EXPECT_TRUE(joined);
}

Coro<void> get_once(Queue<int>* q) {
  co_await q->put(1);
  (void)co_await q->get();
}

TEST(Queue, UseFromASecondLiveLoopThrowsLogicError) {
  Queue<int> q;
  EventLoop a(VirtualTime("queue-loop-a"));
  a.run_until_complete(get_once(&q));
  EventLoop b(VirtualTime("queue-loop-b"));
  try {
    b.run_until_complete(get_once(&q));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("aio::Queue"), std::string::npos) << what;
    EXPECT_NE(what.find("queue-loop-b"), std::string::npos) << what;
  }
}

Coro<std::string> get_report_errors(Queue<int>* q) {
  try {
    co_return std::to_string(co_await q->get());
  } catch (const std::logic_error& e) {
    co_return e.what();
  }
}

Coro<void> destroy_scenario(std::unique_ptr<Queue<int>>* q, std::string* out) {
  auto t = create_task(get_report_errors(q->get()));
  co_await yield();
  q->reset();
  *out = co_await t;
}

TEST(Queue, DestroyingItWakesWaitersWithAClearError) {
  EventLoop loop(VirtualTime());
  auto q = std::make_unique<Queue<int>>();
  std::string out;
  loop.run_until_complete(destroy_scenario(&q, &out));
  EXPECT_NE(out.find("aio::Queue destroyed"), std::string::npos) << out;
}

Coro<void> destroy_after_handoff(std::unique_ptr<Queue<int>>* q,
                                 std::string* out) {
  auto t = create_task(get_report_errors(q->get()));
  co_await yield();
  (*q)->put_nowait(1);  // handed over; the getter has not run
  q->reset();
  *out = co_await t;
}

TEST(Queue, DestroyingItAfterAHandOffStillGivesAClearError) {
  EventLoop loop(VirtualTime());
  auto q = std::make_unique<Queue<int>>();
  std::string out;
  loop.run_until_complete(destroy_after_handoff(&q, &out));
  EXPECT_NE(out.find("aio::Queue destroyed"), std::string::npos) << out;
}

// ---- issue 9, items 10-12: order and shutdown with woken getters

template <typename Q>
Coro<std::string> get_report_any(Q* q) {
  try {
    auto v = co_await q->get();
    if constexpr (std::is_same_v<decltype(v), int>) {
      co_return std::to_string(v);
    } else {
      co_return v.second;
    }
  } catch (const CancelledError&) {
    co_return "cancelled";
  } catch (const QueueShutDown&) {
    co_return "shutdown";
  }
}

// Two getters are woken for the first two items and cancelled before they
// run; what is left in the queue must come out in the queue's own order.
template <typename Q, typename V>
Coro<void> cancel_two_woken_getters(Q* q, std::vector<V> items,
                                    std::vector<std::string>* out) {
  auto a = create_task(get_report_any(q));
  auto b = create_task(get_report_any(q));
  co_await yield();
  for (auto& v : items) q->put_nowait(std::move(v));
  EXPECT_EQ(q->qsize(), items.size() - 2);  // two promised
  a.cancel();
  b.cancel();
  out->push_back(co_await a);
  out->push_back(co_await b);
  while (!q->empty()) {
    auto v = q->get_nowait();
    if constexpr (std::is_same_v<V, int>) {
      out->push_back(std::to_string(v));
    } else {
      out->push_back(v.second);
    }
  }
}

TEST(Queue, CancelledWokenGettersDoNotReverseFifoOrder) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(
      cancel_two_woken_getters(&q, std::vector<int>{1, 2, 3}, &out));
  EXPECT_EQ(
      out, (std::vector<std::string>{"cancelled", "cancelled", "1", "2", "3"}));
}

using Tagged = std::pair<int, std::string>;
struct ByFirst {
  bool operator()(const Tagged& a, const Tagged& b) const {
    return a.first < b.first;
  }
};

TEST(PriorityQueue, CancelledWokenGettersKeepTiesInInsertionOrder) {
  EventLoop loop(VirtualTime());
  PriorityQueue<Tagged, ByFirst> q;
  std::vector<std::string> out;
  loop.run_until_complete(cancel_two_woken_getters(
      &q, std::vector<Tagged>{{1, "a"}, {1, "b"}, {1, "c"}}, &out));
  EXPECT_EQ(
      out, (std::vector<std::string>{"cancelled", "cancelled", "a", "b", "c"}));
}

TEST(LifoQueue, CancelledWokenGettersKeepLifoOrder) {
  EventLoop loop(VirtualTime());
  LifoQueue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(
      cancel_two_woken_getters(&q, std::vector<int>{1, 2, 3}, &out));
  EXPECT_EQ(
      out, (std::vector<std::string>{"cancelled", "cancelled", "3", "2", "1"}));
}

template <typename Q>
Coro<void> getters_then_puts(Q* q, int getters, std::vector<int> items,
                             std::vector<std::string>* out) {
  std::vector<Task<std::string>> ts;
  for (int i = 0; i < getters; ++i) {
    ts.push_back(create_task(get_report_any(q)));
  }
  co_await yield();  // every getter waits
  for (int v : items) co_await q->put(v);
  for (auto& t : ts) out->push_back(co_await t);
  while (!q->empty()) out->push_back(std::to_string(q->get_nowait()));
}

TEST(PriorityQueue, AWaitingGetterGetsTheSmallestItemPutBeforeItRuns) {
  EventLoop loop(VirtualTime());
  PriorityQueue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(getters_then_puts(&q, 1, {5, 1}, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"1", "5"}));
}

TEST(LifoQueue, WaitingGettersGetTheNewestItemsFirst) {
  EventLoop loop(VirtualTime());
  LifoQueue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(getters_then_puts(&q, 2, {1, 2, 3}, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"3", "2", "1"}));
}

TEST(Queue, WaitingGettersGetItemsInFifoOrder) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(getters_then_puts(&q, 2, {1, 2, 3}, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"1", "2", "3"}));
}

Coro<bool> join_and_flag(Queue<int>* q) {
  co_await q->join();
  co_return true;
}

Coro<void> immediate_shutdown_after_hand_off(Queue<int>* q,
                                             std::vector<std::string>* out) {
  auto g = create_task(get_report(q));
  co_await yield();
  q->put_nowait(1);  // promised to g, which has not run yet
  auto j = create_task(join_and_flag(q));
  EXPECT_EQ(q->unfinished_tasks(), 1u);
  q->shutdown(/*immediate=*/true);  // before g runs
  EXPECT_EQ(q->unfinished_tasks(), 0u);
  out->push_back(co_await g);
  // Bounded on virtual time: a join() that never returns fails here.
  const bool joined = co_await wait_for(std::move(j), std::chrono::seconds(10));
  out->push_back(joined ? "joined" : "not joined");
  EXPECT_THROW(q->get_nowait(), QueueShutDown);
}

TEST(Queue, ImmediateShutdownAfterAHandOffRaisesInTheGetterAndReleasesJoin) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(immediate_shutdown_after_hand_off(&q, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"shutdown", "joined"}));
}

Coro<void> shutdown_after_hand_off(Queue<int>* q,
                                   std::vector<std::string>* out) {
  auto g = create_task(get_report(q));
  co_await yield();
  q->put_nowait(1);
  q->shutdown();  // not immediate: the item is still there to be taken
  out->push_back(co_await g);
  out->push_back(co_await get_report(q));
}

TEST(Queue, ShutdownAfterAHandOffLetsTheWokenGetterTakeItsItem) {
  EventLoop loop(VirtualTime());
  Queue<int> q;
  std::vector<std::string> out;
  loop.run_until_complete(shutdown_after_hand_off(&q, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"got 1", "shutdown"}));
}

Coro<void> shutdown_after_slot_reserved(Queue<int>* q,
                                        std::vector<std::string>* out) {
  q->put_nowait(0);  // maxsize 1: full
  auto p = create_task(put_report(q, 1));
  co_await yield();
  EXPECT_EQ(q->get_nowait(), 0);  // slot reserved for p, which has not run
  q->shutdown();
  out->push_back(co_await p);
  EXPECT_TRUE(q->empty());
  EXPECT_EQ(q->unfinished_tasks(), 1u);  // only 0 was put
}

TEST(Queue, ShutdownAfterASlotWasReservedRaisesInThePutter) {
  EventLoop loop(VirtualTime());
  Queue<int> q(1);
  std::vector<std::string> out;
  loop.run_until_complete(shutdown_after_slot_reserved(&q, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"shutdown 1"}));
}

Coro<void> get_forever(Queue<int>* q) { (void)co_await q->get(); }
Coro<void> put_forever(Queue<int>* q) { co_await q->put(2); }

Coro<void> promise_then_return(Queue<int>* q) {
  create_task(get_forever(q));  // no handle kept: the loop owns it
  co_await yield();
  q->put_nowait(1);  // promised to the getter, which never gets to run
}

TEST(Queue, AnItemPromisedToAGetterThatNeverRanStaysInTheQueue) {
  Queue<int> q;
  {
    EventLoop loop(VirtualTime());
    loop.run_until_complete(promise_then_return(&q));
    EXPECT_EQ(q.qsize(), 0u);  // promised
    loop.close();              // drops the getter's frame
  }
  EXPECT_EQ(q.qsize(), 1u);
  EXPECT_EQ(q.get_nowait(), 1);
}

Coro<void> reserve_then_return(Queue<int>* q) {
  create_task(put_forever(q));  // waits: the queue is full
  co_await yield();
  EXPECT_EQ(q->get_nowait(), 0);  // the freed slot is reserved for it
}

TEST(Queue, ASlotReservedForAPutterThatNeverRanIsFreed) {
  Queue<int> q(1);
  q.put_nowait(0);
  {
    EventLoop loop(VirtualTime());
    loop.run_until_complete(reserve_then_return(&q));
    EXPECT_TRUE(q.full());  // reserved
    loop.close();           // drops the putter's frame: 2 was never put
  }
  EXPECT_FALSE(q.full());
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.unfinished_tasks(), 1u);
}

// ---- maxsize at its limits (asyncio: zero or negative means unbounded)

void fill(Queue<int>& q, int n) {
  for (int i = 0; i < n; ++i) q.put_nowait(i);
}

TEST(Queue, MaxsizeZeroOrNegativeIsUnbounded) {
  Queue<int> zero(0);
  Queue<int> negative(-1);
  Queue<int> very_negative(std::numeric_limits<int64_t>::min());
  for (Queue<int>* q : {&zero, &negative, &very_negative}) {
    fill(*q, 10'000);
    EXPECT_FALSE(q->full());
    EXPECT_EQ(q->maxsize(), 0u);
    EXPECT_EQ(q->qsize(), 10'000u);
  }
}

TEST(Queue, MaxsizeAtItsMaximumNeverFills) {
  Queue<int> q(std::numeric_limits<size_t>::max());
  Queue<int> q64(std::numeric_limits<int64_t>::max());
  fill(q, 10'000);
  fill(q64, 10'000);
  EXPECT_FALSE(q.full());
  EXPECT_FALSE(q64.full());
  EXPECT_EQ(q.maxsize(), std::numeric_limits<size_t>::max());
}

TEST(Queue, MaxsizeOneHoldsOneItem) {
  Queue<int> q(1);
  q.put_nowait(1);
  EXPECT_TRUE(q.full());
  EXPECT_THROW(q.put_nowait(2), QueueFull);
}

}  // namespace
}  // namespace aio
