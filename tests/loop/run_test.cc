#include "loop/run.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

struct FakeExecutor : Executor {
  int* shutdowns;
  explicit FakeExecutor(int* s) : shutdowns(s) {}
  void shutdown(bool wait) override { *shutdowns += wait ? 1 : 100; }
};

TEST(RunTest, CancelsLeftoverTasksAndShutsDownTheDefaultExecutor) {
  int shutdowns = 0;
  bool cleaned = false;
  auto leftover = [&]() -> Coro<void> {
    try {
      co_await sleep(1h);
    } catch (const CancelledError&) {
      cleaned = true;
      throw;
    }
  };
  auto main = [&]() -> Coro<int> {
    get_running_loop().set_default_executor(
        std::make_shared<FakeExecutor>(&shutdowns));
    create_task(leftover());
    co_await sleep(0);
    co_return 5;
  };
  EXPECT_EQ(run(main()), 5);
  EXPECT_TRUE(cleaned);
  EXPECT_EQ(shutdowns, 1);
  EXPECT_THROW(get_event_loop(), std::runtime_error);  // unset again
}

TEST(RunTest, PropagatesMainsException) {
  auto main = []() -> Coro<void> {
    co_await sleep(0);
    throw std::out_of_range("main failed");
  };
  EXPECT_THROW(run(main()), std::out_of_range);
}

TEST(RunTest, NestedRunIsRejected) {
  auto inner = []() -> Coro<int> { co_return 1; };
  auto main = [&]() -> Coro<std::string> {
    try {
      run(inner());
    } catch (const std::logic_error& e) {
      co_return e.what();
    }
    co_return "";
  };
  EXPECT_EQ(run(main()),
            "aio::run() cannot be called from a running event loop");
}

TEST(RunTest, VirtualTimeOption) {
  auto main = []() -> Coro<double> {
    TimePoint t0 = get_running_loop().time();
    co_await sleep(10min);
    co_return std::chrono::duration<double>(get_running_loop().time() - t0)
        .count();
  };
  EXPECT_DOUBLE_EQ(run(main(), {.virtual_time = true}), 600.0);
}

Coro<void> set_flag(bool* ran) {
  *ran = true;
  co_return;
}

// Issue 9 item 4: asyncio checks "already running" before wrapping the
// coroutine in a task, so a refused coroutine never runs.
TEST(RunTest, RunUntilCompleteOnARunningLoopThrowsBeforeRunningTheCoroutine) {
  bool ran = false;
  auto main = [&]() -> Coro<std::string> {
    std::string what;
    try {
      get_running_loop().run_until_complete(set_flag(&ran));
    } catch (const std::logic_error& e) {
      what = e.what();
    }
    for (int i = 0; i < 3; ++i) co_await sleep(0);
    EXPECT_EQ(get_running_loop().pending_task_count(), 1u);  // main only
    co_return what;
  };
  EXPECT_EQ(run(main()), "This event loop is already running");
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace aio
