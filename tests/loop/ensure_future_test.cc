#include "loop/ensure_future.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::after;
using testing::VirtualLoop;

TEST(EnsureFutureTest, ACoroBecomesAScheduledTask) {
  VirtualLoop loop;
  auto main = []() -> Coro<int> {
    Task<int> t = ensure_future(after(5, 1s));
    EXPECT_FALSE(t.done());
    co_return co_await t;
  };
  EXPECT_EQ(loop->run_until_complete(main()), 5);
}

TEST(EnsureFutureTest, TasksAndFuturesAreReturnedAsTheyAre) {
  VirtualLoop loop;
  auto main = []() -> Coro<void> {
    Task<int> t = create_task(after(1, 1s));
    EXPECT_TRUE(ensure_future(t) == t);
    Future<int> f;
    EXPECT_TRUE(ensure_future(f) == f);
    static_assert(std::is_same_v<decltype(ensure_future(f)), Future<int>>);
    co_await t;
  };
  loop->run_until_complete(main());
}

TEST(EnsureFutureTest, AnAwaiterIsAwaitedByANewTask) {
  VirtualLoop loop;
  auto main = []() -> Coro<double> {
    TimePoint start = get_running_loop().time();
    Task<void> t = ensure_future(sleep(2s));
    co_await t;
    co_return std::chrono::duration<double>(get_running_loop().time() - start)
        .count();
  };
  EXPECT_DOUBLE_EQ(loop->run_until_complete(main()), 2.0);
}

TEST(EnsureFutureTest, OutsideARunningLoopACoroIsAClearError) {
  EXPECT_THROW((void)ensure_future(after(1, 1s)), std::runtime_error);
}

}  // namespace
}  // namespace aio
