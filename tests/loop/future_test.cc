#include "loop/future.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop/loop.h"
#include "tests/common/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::VirtualLoop;

TEST(FutureTest, ResultLifecycle) {
  EventLoop loop;
  Future<int> f = loop.create_future<int>();
  EXPECT_FALSE(f.done());
  EXPECT_THROW(f.result(), InvalidStateError);
  f.set_result(5);
  EXPECT_TRUE(f.done());
  EXPECT_FALSE(f.cancelled());
  EXPECT_EQ(f.result(), 5);
  EXPECT_EQ(f.exception(), nullptr);
  EXPECT_THROW(f.set_result(6), InvalidStateError);
  EXPECT_FALSE(f.cancel());
}

TEST(FutureTest, ExceptionIsRethrownByResult) {
  EventLoop loop;
  Future<void> f = loop.create_future<void>();
  f.set_exception(std::runtime_error("bad"));
  EXPECT_THROW(f.result(), std::runtime_error);
  EXPECT_NE(f.exception(), nullptr);
}

TEST(FutureTest, CancelWithMessage) {
  EventLoop loop;
  Future<int> f = loop.create_future<int>();
  EXPECT_TRUE(f.cancel("stop it"));
  EXPECT_TRUE(f.cancelled());
  try {
    f.result();
    FAIL();
  } catch (const CancelledError& e) {
    EXPECT_EQ(e.message(), "stop it");
  }
  EXPECT_THROW(f.exception(), CancelledError);
}

TEST(FutureTest, SeveralTasksAwaitOneFuture) {
  VirtualLoop loop;
  auto waiter = [](Future<int> f) -> Coro<int> { co_return co_await f + 1; };
  auto main = [&](Future<int> f) -> Coro<int> {
    auto a = create_task(waiter(f));
    auto b = create_task(waiter(f));
    loop->call_later(5ms, [f] { f.set_result(10); });
    co_return co_await a + co_await b;
  };
  EXPECT_EQ(loop->run_until_complete(main(loop->create_future<int>())), 22);
}

TEST(FutureTest, DoneCallbacksRunOnTheLoopInRegistrationOrder) {
  VirtualLoop loop;
  std::vector<std::string> log;
  Future<int> f = loop->create_future<int>();
  f.add_done_callback([&](Future<int>& g) {
    log.push_back("first " + std::to_string(g.result()));
  });
  f.add_done_callback([&] { log.push_back("second"); });
  f.set_result(3);
  EXPECT_TRUE(log.empty());  // scheduled with call_soon, not called inline
  loop->run_until_complete(f);
  loop->call_soon([&] { loop->stop(); });
  loop->run_forever();
  EXPECT_EQ(log, (std::vector<std::string>{"first 3", "second"}));
  // Added after completion: scheduled at once.
  f.add_done_callback([&] { log.push_back("late"); });
  loop->call_soon([&] { loop->stop(); });
  loop->run_forever();
  EXPECT_EQ(log.back(), "late");
}

TEST(FutureTest, CancellingAFutureWakesItsAwaiterWithCancelledError) {
  VirtualLoop loop;
  auto waiter = [](Future<int> f) -> Coro<std::string> {
    try {
      co_await f;
    } catch (const CancelledError&) {
      co_return "cancelled";
    }
    co_return "value";
  };
  auto main = [&]() -> Coro<std::string> {
    Future<int> f;
    auto t = create_task(waiter(f));
    co_await sleep(1ms);
    f.cancel();
    co_return co_await t;
  };
  EXPECT_EQ(loop->run_until_complete(main()), "cancelled");
}

TEST(FutureTest, AwaitingAFutureOfAnotherLoopIsAClearError) {
  EventLoop a({.name = "loop-A"});
  EventLoop b({.name = "loop-B"});
  Future<int> fa = a.create_future<int>();
  auto main = [](Future<int> f) -> Coro<std::string> {
    try {
      co_await f;
    } catch (const std::logic_error& e) {
      co_return e.what();
    }
    co_return "";
  };
  std::string msg = b.run_until_complete(main(fa));
  EXPECT_NE(msg.find("different loop"), std::string::npos) << msg;
  EXPECT_NE(msg.find("loop-A"), std::string::npos) << msg;
  EXPECT_NE(msg.find("loop-B"), std::string::npos) << msg;
}

TEST(FutureTest, FutureCreatedOutsideALoopBindsToTheFirstLoopThatUsesIt) {
  Future<int> f;  // no running loop
  EXPECT_EQ(f.get_loop(), nullptr);
  EventLoop loop;
  auto main = [](Future<int> f) -> Coro<int> {
    get_running_loop().call_soon([f] { f.set_result(9); });
    co_return co_await f;
  };
  EXPECT_EQ(loop.run_until_complete(main(f)), 9);
  EXPECT_EQ(f.get_loop(), &loop);
}

TEST(FutureTest, UnretrievedExceptionIsReportedWhenTheFutureDies) {
  VirtualLoop loop;
  {
    Future<int> f = loop->create_future<int>();
    f.set_exception(std::runtime_error("lost"));
  }
  ASSERT_EQ(loop.errors.size(), 1u);
  EXPECT_EQ(loop.errors[0].message, "Future exception was never retrieved");
  {
    Future<int> f = loop->create_future<int>();
    f.set_exception(std::runtime_error("seen"));
    EXPECT_THROW(f.result(), std::runtime_error);
  }
  EXPECT_EQ(loop.errors.size(), 1u);  // retrieved: not reported
}

}  // namespace
}  // namespace aio
