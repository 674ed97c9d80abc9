#include "executor/wrap_future.h"

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "loop/sleep.h"
#include "loop/task.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

Coro<std::string> await_value(ConcurrentFuture<std::string> f) {
  co_return co_await wrap_future(f);
}

TEST(WrapFuture, AwaitsAFutureCompletedByAPlainThread) {
  EventLoop loop;
  ConcurrentFuture<std::string> f;
  std::thread producer([f] {
    std::this_thread::sleep_for(5ms);
    f.set_result(std::string("made elsewhere"));
  });
  EXPECT_EQ(loop.run_until_complete(await_value(f)), "made elsewhere");
  producer.join();
}

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

Coro<std::string> await_expecting(ConcurrentFuture<std::string> f,
                                  Expect expect) {
  co_return co_await wrap_future(f, expect);
}

// The loop spins for an answer that should come soon (Expect::kSoon, the
// default) and blocks at once for one that waits on the network or a disk
// (Expect::kSlow): here the answer takes 300 ms and the spin could take
// 2 s, so the loop thread's CPU time tells the two apart.
TEST(WrapFuture, TheLoopSpinsOnlyForAnswersExpectedSoon) {
  for (Expect expect : {Expect::kSoon, Expect::kSlow}) {
    EventLoop loop({.spin_before_block = std::chrono::seconds(2)});
    ConcurrentFuture<std::string> f;
    std::thread producer([f] {
      std::this_thread::sleep_for(300ms);
      f.set_result(std::string("late"));
    });
    const double cpu0 = thread_cpu_seconds();
    EXPECT_EQ(loop.run_until_complete(await_expecting(f, expect)), "late");
    const double cpu = thread_cpu_seconds() - cpu0;
    producer.join();
    if (expect == Expect::kSoon) {
      EXPECT_GT(cpu, 0.1) << "spun for the answer";
    } else {
      EXPECT_LT(cpu, 0.1) << "blocked at once";
    }
  }
}

TEST(WrapFuture, AnAlreadyDoneFutureDoesNotSuspend) {
  EventLoop loop;
  ConcurrentFuture<std::string> f;
  f.set_result(std::string("ready"));
  EXPECT_EQ(loop.run_until_complete(await_value(f)), "ready");
}

Coro<std::string> await_failure(ConcurrentFuture<int> f) {
  try {
    co_await wrap_future(f);
    co_return "value";
  } catch (const std::out_of_range& e) {
    co_return std::string("out_of_range: ") + e.what();
  } catch (const CancelledError&) {
    co_return "cancelled";
  }
}

TEST(WrapFuture, ExceptionsAndCancellationFromOtherThreadsArriveAsSuch) {
  EventLoop loop;
  ConcurrentFuture<int> failing;
  std::thread t1(
      [failing] { failing.set_exception(std::out_of_range("index 7")); });
  EXPECT_EQ(loop.run_until_complete(await_failure(failing)),
            "out_of_range: index 7");
  t1.join();
  ConcurrentFuture<int> cancelled;
  std::thread t2([cancelled] {
    std::this_thread::sleep_for(2ms);
    cancelled.cancel();
  });
  EXPECT_EQ(loop.run_until_complete(await_failure(cancelled)), "cancelled");
  t2.join();
}

Coro<void> cancel_waiter(ConcurrentFuture<int> f, std::string* out) {
  auto t = create_task(await_failure(f));
  co_await sleep(0);
  t.cancel();
  *out = co_await t;
}

TEST(WrapFuture, CancellingTheAwaitingTaskCancelsAFutureThatHasNotStarted) {
  EventLoop loop;
  ConcurrentFuture<int> f;
  std::string out;
  loop.run_until_complete(cancel_waiter(f, &out));
  EXPECT_EQ(out, "cancelled");
  EXPECT_TRUE(f.cancelled());
}

TEST(WrapFuture, CancellingTheAwaitingTaskLeavesRunningWorkAlone) {
  EventLoop loop;
  ConcurrentFuture<int> f;
  ASSERT_TRUE(f.set_running_or_notify_cancel());
  std::string out;
  loop.run_until_complete(cancel_waiter(f, &out));
  EXPECT_EQ(out, "cancelled");
  EXPECT_FALSE(f.cancelled());
  std::thread late([f] { f.set_result(1); });  // completes after nobody awaits
  late.join();
  EXPECT_EQ(f.result(), 1);
}

TEST(WrapFuture, WithoutARunningLoopThrows) {
  ConcurrentFuture<int> f;
  EXPECT_THROW((void)wrap_future(f), std::runtime_error);
}

Coro<void> yield_a_few() {
  for (int i = 0; i < 4; ++i) co_await sleep(0);
}

// Issue 9 item 16: a task parked on a wrapped future whose loop is destroyed
// (its handle still held) is detached by close(), so the completing thread
// posts nothing to the freed loop.
TEST(WrapFuture, FutureCompletedAfterTheLoopIsDestroyedTouchesNothing) {
  ConcurrentFuture<std::string> f;
  auto loop = std::make_unique<EventLoop>();
  Task<std::string> t = loop->create_task(await_value(f));
  loop->run_until_complete(yield_a_few());
  ASSERT_FALSE(t.done());
  loop.reset();
  std::thread producer([f] { f.set_result(std::string("late")); });
  producer.join();
  EXPECT_FALSE(t.done());
}

}  // namespace
}  // namespace aio
