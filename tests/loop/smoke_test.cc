#include "loop/task.h"
#include "loop/sleep.h"
#include <gtest/gtest.h>
namespace aio { namespace {
Coro<int> add(int a, int b) { co_return a + b; }
Coro<int> main_coro() {
  int x = co_await add(1, 2);
  auto t = create_task(add(x, 10));
  co_await sleep(std::chrono::milliseconds(1));
  co_return co_await t;
}
TEST(Smoke, Runs) {
  EventLoop loop;
  EXPECT_EQ(loop.run_until_complete(main_coro()), 13);
}
}}
