#include "loop/coro.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "loop/loop.h"

namespace aio {
namespace {

// Properties the runtime's speed depends on: handles move without throwing,
// and a task's whole state (the promise inside its frame) stays small —
// memory per task is speed (first touch of a page costs microseconds).
static_assert(std::is_nothrow_move_constructible_v<Coro<int>>);
static_assert(std::is_nothrow_move_constructible_v<Task<int>>);
static_assert(std::is_nothrow_move_constructible_v<Future<int>>);
static_assert(sizeof(internal::CoroPromise<int>) <= 64);
static_assert(sizeof(Task<int>) == sizeof(void*));

Coro<int> value(int v) { co_return v; }
Coro<void> throws() {
  throw std::runtime_error("boom");
  co_return;
}

TEST(CoroTest, IsLazyUntilAwaited) {
  bool ran = false;
  auto body = [](bool* ran) -> Coro<void> {
    *ran = true;
    co_return;
  };
  {
    Coro<void> c = body(&ran);
    EXPECT_FALSE(ran);  // calling the function runs nothing
  }                     // destroying an un-awaited Coro frees it (asan checks)
  EXPECT_FALSE(ran);
  run(body(&ran));
  EXPECT_TRUE(ran);
}

TEST(CoroTest, AwaitYieldsValueAndRethrows) {
  auto main = []() -> Coro<std::string> {
    int v = co_await value(41);
    try {
      co_await throws();
    } catch (const std::runtime_error& e) {
      co_return std::to_string(v + 1) + e.what();
    }
    co_return "no exception";
  };
  EXPECT_EQ(run(main()), "42boom");
}

TEST(CoroTest, MoveOnlyResult) {
  auto make = []() -> Coro<std::unique_ptr<int>> {
    co_return std::make_unique<int>(7);
  };
  auto main = [make]() -> Coro<int> {
    auto p = co_await make();
    co_return *p;
  };
  EXPECT_EQ(run(main()), 7);
}

Coro<long> chain(int depth) {
  if (depth == 0) co_return 0;
  long below = co_await chain(depth - 1);
  co_return below + 1;
}

// Symmetric transfer: a 1,000,000-deep chain of coroutines that complete
// synchronously must not grow the stack (it would overflow 8 MiB otherwise).
TEST(CoroTest, MillionDeepSynchronousChainDoesNotOverflowStack) {
  EXPECT_EQ(run(chain(1'000'000)), 1'000'000);
}

TEST(CoroTest, MoveAssignmentFreesPreviousFrame) {
  Coro<int> a = value(1);
  Coro<int> b = value(2);
  a = std::move(b);
  EXPECT_TRUE(a.valid());
  EXPECT_FALSE(b.valid());  // NOLINT: moved-from state is specified
  EXPECT_EQ(run(std::move(a)), 2);
}

TEST(CoroTest, AwaitingAnEmptyCoroThrows) {
  auto main = []() -> Coro<void> {
    Coro<int> empty;
    co_await std::move(empty);
  };
  EXPECT_THROW(run(main()), std::logic_error);
}

}  // namespace
}  // namespace aio
