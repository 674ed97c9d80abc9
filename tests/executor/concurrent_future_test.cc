#include "executor/concurrent_future.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace aio {
namespace {

using namespace std::chrono_literals;

struct PayloadError : std::runtime_error {
  explicit PayloadError(int c)
      : std::runtime_error("payload " + std::to_string(c)), code(c) {}
  int code;
};

TEST(ConcurrentFuture, ResultWaitsForAValueSetByAnotherThread) {
  ConcurrentFuture<std::string> f;
  EXPECT_FALSE(f.done());
  std::thread producer([f] { f.set_result(std::string("from the producer")); });
  EXPECT_EQ(f.result(), "from the producer");
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.result(), "from the producer");  // readable again
  EXPECT_EQ(f.exception(), nullptr);
  producer.join();
}

TEST(ConcurrentFuture, ResultWithATimeoutThrowsTimeoutErrorWhilePending) {
  ConcurrentFuture<int> f;
  EXPECT_THROW(f.result(5ms), TimeoutError);
  EXPECT_THROW(f.exception(0s), TimeoutError);
  EXPECT_THROW(f.result(std::chrono::duration<double>(-1.0)), TimeoutError);
  f.set_result(3);
  EXPECT_EQ(f.result(1h), 3);  // done: no wait at all
  EXPECT_EQ(f.result(std::chrono::hours::max()),
            3);  // huge timeouts do not overflow
}

TEST(ConcurrentFuture, AnExceptionIsRethrownAsTheSameObject) {
  ConcurrentFuture<int> f;
  std::thread t([f] { f.set_exception(PayloadError(42)); });
  t.join();
  const PayloadError* first = nullptr;
  try {
    f.result();
    FAIL();
  } catch (const PayloadError& e) {
    EXPECT_EQ(e.code, 42);
    first = &e;
  }
  try {
    f.result();
    FAIL();
  } catch (const PayloadError& e) {
    EXPECT_EQ(&e, first);  // not a copy, not sliced
  }
  EXPECT_NE(f.exception(), nullptr);
}

TEST(ConcurrentFuture, CancelSucceedsOnlyBeforeTheWorkStarts) {
  ConcurrentFuture<int> pending;
  EXPECT_TRUE(pending.cancel());
  EXPECT_TRUE(pending.cancel());  // idempotent
  EXPECT_TRUE(pending.cancelled());
  EXPECT_TRUE(pending.done());
  EXPECT_THROW(pending.result(), CancelledError);
  EXPECT_THROW(pending.exception(), CancelledError);
  EXPECT_FALSE(pending.set_running_or_notify_cancel());

  ConcurrentFuture<int> running;
  EXPECT_TRUE(running.set_running_or_notify_cancel());
  EXPECT_TRUE(running.running());
  EXPECT_FALSE(running.cancel());
  running.set_result(1);
  EXPECT_FALSE(running.cancel());
  EXPECT_EQ(running.result(), 1);
}

TEST(ConcurrentFuture, CompletingTwiceThrowsInvalidStateError) {
  ConcurrentFuture<int> f;
  f.set_result(1);
  EXPECT_THROW(f.set_result(2), InvalidStateError);
  EXPECT_THROW(f.set_exception(std::runtime_error("x")), InvalidStateError);
  EXPECT_THROW(f.set_running_or_notify_cancel(), InvalidStateError);
  EXPECT_EQ(f.result(), 1);
  ConcurrentFuture<void> v;
  EXPECT_THROW(v.set_exception(std::exception_ptr()), std::invalid_argument);
}

TEST(ConcurrentFuture, DoneCallbacksRunInOrderOnTheCompletingThread) {
  ConcurrentFuture<int> f;
  std::vector<std::string> log;  // written by the completing thread only
  std::thread::id completer;
  f.add_done_callback([&](const ConcurrentFuture<int>& g) {
    log.push_back("first " + std::to_string(g.result()));
    completer = std::this_thread::get_id();
  });
  f.add_done_callback([&] { log.push_back("second"); });
  std::thread t([f] { f.set_result(7); });
  t.join();
  EXPECT_EQ(log, (std::vector<std::string>{"first 7", "second"}));
  EXPECT_NE(completer, std::this_thread::get_id());
  // Already done: runs at once, here.
  f.add_done_callback([&] { log.push_back("late"); });
  EXPECT_EQ(log.back(), "late");
}

TEST(ConcurrentFuture, ACallbackThatThrowsDoesNotStopTheOthers) {
  ConcurrentFuture<void> f;
  int ran = 0;
  f.add_done_callback([&] {
    ++ran;
    throw std::runtime_error("callback failure (expected in this test)");
  });
  f.add_done_callback([&] { ++ran; });
  f.set_result();
  EXPECT_EQ(ran, 2);
}

TEST(ConcurrentFuture, MoveOnlyResultsAreMovedOut) {
  ConcurrentFuture<std::unique_ptr<int>> f;
  f.set_result(std::make_unique<int>(5));
  std::unique_ptr<int> p = f.result();
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, 5);
}

TEST(ConcurrentFuture, ManyThreadsWaitingAllSeeTheResult) {
  ConcurrentFuture<int> f;
  std::atomic<int> seen{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([f, &seen] { seen += f.result(); });
  }
  f.set_result(1);
  for (auto& t : waiters) t.join();
  EXPECT_EQ(seen.load(), 8);
}

// ---- timeouts at their limits

TEST(ConcurrentFuture, ZeroNegativeAndNanTimeoutsDoNotWait) {
  ConcurrentFuture<int> f;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(f.result(std::chrono::nanoseconds(0)), TimeoutError);
  EXPECT_THROW(f.result(std::chrono::nanoseconds::min()), TimeoutError);
  EXPECT_THROW(f.result(std::chrono::duration<double>(nan)), TimeoutError);
  EXPECT_THROW(f.result(std::chrono::duration<double>(-inf)), TimeoutError);
  EXPECT_THROW(f.exception(std::chrono::duration<double>(nan)), TimeoutError);
  EXPECT_THROW(f.exception(std::chrono::seconds(-1)), TimeoutError);
}

TEST(ConcurrentFuture, InfiniteAndMaximalTimeoutsWaitForTheResult) {
  const double inf = std::numeric_limits<double>::infinity();
  for (int which = 0; which < 4; ++which) {
    ConcurrentFuture<int> f;
    std::thread producer([f] {
      std::this_thread::sleep_for(2ms);  // most likely while result() waits
      f.set_result(5);
    });
    int v = 0;
    switch (which) {
      case 0:
        v = f.result(std::chrono::duration<double>(inf));
        break;
      case 1:
        v = f.result(std::chrono::nanoseconds::max());
        break;
      case 2:
        v = f.result(std::chrono::hours::max());
        break;
      case 3:
        v = f.result(std::chrono::duration<double>(1e300));
        break;
    }
    EXPECT_EQ(v, 5) << which;
    EXPECT_EQ(f.exception(std::chrono::duration<double>(inf)), nullptr);
    producer.join();
  }
}

}  // namespace
}  // namespace aio
