#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop/loop.h"
#include "loop/run.h"
#include "loop/shield.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::after;
using testing::cancel_and_wait;
using testing::VirtualLoop;

TEST(ShieldTest, CancellingTheAwaiterDoesNotCancelTheShieldedTask) {
  VirtualLoop loop;
  auto guarded = [](Task<int> t) -> Coro<int> { co_return co_await shield(t); };
  auto main = [&]() -> Coro<int> {
    auto inner = create_task(after(42, 2s));
    auto outer = create_task(guarded(inner));
    co_await sleep(1s);
    co_await cancel_and_wait(outer);
    EXPECT_TRUE(outer.cancelled());
    EXPECT_FALSE(inner.cancelled());
    co_return co_await inner;
  };
  EXPECT_EQ(loop->run_until_complete(main()), 42);
}

TEST(ShieldTest, PassesResultsThrough) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<int> { co_return co_await shield(after(3, 1s)); };
  EXPECT_EQ(loop->run_until_complete(main()), 3);
}

struct FakeExecutor : DefaultExecutor {
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

}  // namespace
}  // namespace aio
