#include "loop/shield.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::after;
using testing::cancel_and_wait;
using testing::fail_after;
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

TEST(ShieldTest, AcceptsAnAwaiter) {
  VirtualLoop loop;
  auto main = []() -> Coro<void> { co_await shield(sleep(1s)); };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 1.0);
}

Coro<int> await_shielded_failure() { co_return co_await shield(fail_after(2s, "late")); }

// Issue 9 item 3: when the outer is cancelled, asyncio removes the inner's
// done-callback, so an inner failure that comes later is not swallowed: it
// is reported as never retrieved.
TEST(ShieldTest, InnerFailureAfterTheOuterIsCancelledIsReportedAsNeverRetrieved) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto outer = create_task(await_shielded_failure());
    co_await sleep(1s);
    co_await cancel_and_wait(outer);
    EXPECT_TRUE(outer.cancelled());
    co_await sleep(2s);  // the inner fails meanwhile
    for (int i = 0; i < 3; ++i) co_await sleep(0);
  };
  loop->run_until_complete(main());
  ASSERT_EQ(loop.errors.size(), 1u);
  EXPECT_EQ(loop.errors[0].message, "Task exception was never retrieved");
  EXPECT_NE(describe_exception(loop.errors[0].exception).find("late"),
            std::string::npos);
}

}  // namespace
}  // namespace aio
