#include "loop/park.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "loop/loop.h"
#include "tests/common/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using internal::ListWaiter;
using internal::WaitList;

// Lets every task of the loop run until it parks.
Coro<void> settle() {
  for (int i = 0; i < 4; ++i) co_await sleep(0);
}

Coro<void> wait_in_list(WaitList* list, std::vector<int>* log, int id) {
  co_await internal::wait_in(*list);
  log->push_back(id);
}

TEST(ParkTest, WaitInListWakesInFifoOrder) {
  testing::VirtualLoop loop;
  WaitList list;
  std::vector<int> log;
  auto a = loop->create_task(wait_in_list(&list, &log, 1));
  auto b = loop->create_task(wait_in_list(&list, &log, 2));
  auto c = loop->create_task(wait_in_list(&list, &log, 3));
  loop->run_until_complete(settle());
  EXPECT_EQ(list.size(), 3u);
  internal::wake_all(list);
  EXPECT_TRUE(list.empty());
  loop->run_until_complete(settle());
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

TEST(ParkTest, CancelledWaiterLeavesTheListAndRaises) {
  testing::VirtualLoop loop;
  WaitList list;
  std::vector<int> log;
  auto a = loop->create_task(wait_in_list(&list, &log, 1));
  auto b = loop->create_task(wait_in_list(&list, &log, 2));
  loop->run_until_complete(settle());
  a.cancel("stop");
  EXPECT_EQ(list.size(), 1u);  // detached at once, not when it runs
  EXPECT_EQ(list.front()->task, b.state());
  loop->run_until_complete(settle());
  EXPECT_TRUE(a.cancelled());
  try {
    a.result();
    FAIL() << "expected CancelledError";
  } catch (const CancelledError& e) {
    EXPECT_EQ(e.message(), "stop");
  }
  internal::wake_all(list);
  loop->run_until_complete(settle());
  EXPECT_EQ(log, (std::vector<int>{2}));
}

TEST(ParkTest, DestroyingAListResumesItsWaiters) {
  testing::VirtualLoop loop;
  auto list = std::make_unique<WaitList>();
  std::vector<int> log;
  auto a = loop->create_task(wait_in_list(list.get(), &log, 1));
  loop->run_until_complete(settle());
  list.reset();
  loop->run_until_complete(settle());
  EXPECT_EQ(log, (std::vector<int>{1}));
}

TEST(ParkTest, AbandonTellsGrantedWaitersWithoutWakingThemTwice) {
  testing::VirtualLoop loop;
  WaitList waiting, granted;
  std::vector<int> log;
  auto a = loop->create_task(wait_in_list(&waiting, &log, 1));
  auto b = loop->create_task(wait_in_list(&waiting, &log, 2));
  loop->run_until_complete(settle());
  ListWaiter* first = waiting.pop_front();
  internal::grant(first, granted);  // woken, not yet run
  EXPECT_EQ(first->outcome, ListWaiter::WaitState::kGranted);
  internal::abandon(waiting, granted);
  EXPECT_EQ(first->outcome, ListWaiter::WaitState::kAbandoned);
  EXPECT_TRUE(waiting.empty());
  EXPECT_TRUE(granted.empty());
  loop->run_until_complete(settle());  // each ran exactly once
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
}

// ---- issue 9 item 16: close() leaves no parked wait linked. Each test parks
// a task, destroys the loop while the task's handle is still held, then
// completes what the task waited on. ASan reports any touch of the freed
// loop.

Coro<int> await_future(Future<int> f) { co_return co_await f; }

TEST(ParkTest, FutureCompletedAfterItsLoopIsDestroyedTouchesNothing) {
  auto loop = testing::new_virtual_loop();
  Future<int> f = loop->create_future<int>();
  Task<int> t = loop->create_task(await_future(f));
  loop->run_until_complete(settle());
  ASSERT_FALSE(t.done());
  loop.reset();
  f.set_result(1);  // used to wake the task on the freed loop
  EXPECT_FALSE(t.done());
}

TEST(ParkTest, DoneCallbackOfFutureCompletedAfterItsLoopIsDroppedSafely) {
  auto loop = testing::new_virtual_loop();
  Future<int> f = loop->create_future<int>();
  bool ran = false;
  f.add_done_callback([&ran] { ran = true; });
  loop.reset();
  f.set_result(1);  // used to call_soon on the freed loop
  EXPECT_FALSE(ran);
}

TEST(ParkTest, WaitInListWokenAfterItsLoopIsDestroyedTouchesNothing) {
  WaitList list;
  std::vector<int> log;
  auto loop = testing::new_virtual_loop();
  Task<void> t = loop->create_task(wait_in_list(&list, &log, 1));
  loop->run_until_complete(settle());
  EXPECT_EQ(list.size(), 1u);
  loop.reset();
  EXPECT_TRUE(list.empty());  // detached by close()
  internal::wake_all(list);
  EXPECT_TRUE(log.empty());
}

Coro<void> sleep_long() { co_await sleep(1h); }

TEST(ParkTest, SleepingTaskOutlivesItsLoop) {
  auto loop = testing::new_virtual_loop();
  Task<void> t = loop->create_task(sleep_long());
  loop->run_until_complete(settle());
  loop.reset();
  t = Task<void>();  // destroys the frame and its awaiter
}

Coro<uint32_t> read_wait(int fd) { co_return co_await wait_readable(fd); }

TEST(ParkTest, FdWaitingTaskOutlivesItsLoop) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  auto loop = testing::new_virtual_loop();
  Task<uint32_t> t = loop->create_task(read_wait(p[0]));
  loop->run_until_complete(settle());
  loop.reset();
  t = Task<uint32_t>();
  close(p[0]);
  close(p[1]);
}

Coro<void> gather_future(Future<int> f) { co_await gather(f); }
Coro<void> wait_for_future(Future<int> f) { co_await wait_for(f, 1h); }

TEST(ParkTest, GatherAndWaitForCompletedAfterTheirLoopIsDestroyedTouchNothing) {
  auto loop = testing::new_virtual_loop();
  Future<int> f = loop->create_future<int>();
  Future<int> g = loop->create_future<int>();
  Task<void> t1 = loop->create_task(gather_future(f));
  Task<void> t2 = loop->create_task(wait_for_future(g));
  loop->run_until_complete(settle());
  loop.reset();
  f.set_result(1);
  g.set_result(2);
  EXPECT_FALSE(t1.done());
  EXPECT_FALSE(t2.done());
}

Coro<void> await_task(Task<void> t) { co_await t; }

TEST(ParkTest, TaskAwaitingATaskOutlivesItsLoop) {
  auto loop = testing::new_virtual_loop();
  Task<void> inner = loop->create_task(sleep_long());
  Task<void> outer = loop->create_task(await_task(inner));
  loop->run_until_complete(settle());
  loop.reset();
  inner = Task<void>();
  outer = Task<void>();
}

}  // namespace
}  // namespace aio
