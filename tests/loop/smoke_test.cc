#include "loop/loop.h"
#include <gtest/gtest.h>
namespace aio { namespace {
using namespace std::chrono_literals;
Coro<int> add(int a, int b) { co_return a + b; }
Coro<void> nothing() { co_return; }
Coro<int> main_coro() {
  int x = co_await add(1, 2);
  auto t = create_task(add(x, 10));
  co_await sleep(1ms);
  auto [a, b, c] = co_await gather(add(1, 1), t, nothing());
  (void)c;
  std::vector<Coro<int>> v; v.push_back(add(2,2)); v.push_back(add(3,3));
  auto r = co_await gather(std::move(v));
  int w = co_await wait_for(add(5, 5), 1s);
  co_return a + b + r[0] + r[1] + w;
}
TEST(Smoke, Runs) {
  EXPECT_EQ(run(main_coro()), 2 + 13 + 4 + 6 + 10);
}
}}
