#include "loop/task_group.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::after;
using testing::cancel_and_wait;
using testing::fail_after;
using testing::VirtualLoop;

TEST(TaskGroupTest, WaitsForEveryChild) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<int> {
    Task<int> a, b;
    co_await task_group([&](TaskGroup& tg) -> Coro<void> {
      a = tg.create_task(after(1, 1s));
      b = tg.create_task(after(2, 2s));
      co_return;
    });
    EXPECT_TRUE(a.done());
    EXPECT_TRUE(b.done());
    co_return a.result() + b.result();
  };
  TimePoint start = loop->time();
  EXPECT_EQ(loop->run_until_complete(main()), 3);
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 2.0);
}

TEST(TaskGroupTest, FailingChildCancelsSiblingsAndBodyAndAllErrorsAreReported) {
  VirtualLoop loop;
  bool body_cancelled = false;
  auto main = [&]() -> Coro<void> {
    Task<int> sibling;
    try {
      co_await task_group([&](TaskGroup& tg) -> Coro<void> {
        sibling = tg.create_task(after(1, 1h));
        tg.create_task(fail_after(1s, "first"));
        tg.create_task(fail_after(1s, "second"));
        try {
          co_await sleep(1h);  // the body is interrupted
        } catch (const CancelledError&) {
          body_cancelled = true;
          throw;
        }
      });
      ADD_FAILURE() << "expected ExceptionGroup";
    } catch (const ExceptionGroup& g) {
      EXPECT_EQ(g.exceptions().size(), 2u);
      std::string what = g.what();
      EXPECT_NE(what.find("first"), std::string::npos) << what;
      EXPECT_NE(what.find("second"), std::string::npos) << what;
    }
    EXPECT_TRUE(sibling.cancelled());
    // The group swallowed its own cancellation of the parent.
    EXPECT_EQ(current_task().cancelling(), 0);
    co_await sleep(1s);  // and the parent can still await afterwards
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_TRUE(body_cancelled);
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 2.0);
  EXPECT_TRUE(loop.errors.empty());
}

// Issue 9 item 18: asyncio (3.11+) treats an exception from the body like a
// failing child: children are cancelled and awaited, then it is raised in an
// ExceptionGroup, after the children's own errors.
TEST(TaskGroupTest, BodyErrorCancelsChildrenAndIsRaisedInAnExceptionGroup) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<std::string> {
    Task<int> child;
    try {
      co_await task_group([&](TaskGroup& tg) -> Coro<void> {
        child = tg.create_task(after(1, 1h));
        co_await sleep(1s);
        throw std::invalid_argument("body failed");
      });
    } catch (const ExceptionGroup& g) {
      EXPECT_TRUE(child.cancelled());
      EXPECT_EQ(g.exceptions().size(), 1u);
      try {
        std::rethrow_exception(g.exceptions().at(0));
      } catch (const std::invalid_argument& e) {
        co_return e.what();
      }
    }
    co_return "";
  };
  EXPECT_EQ(loop->run_until_complete(main()), "body failed");
}

TEST(TaskGroupTest, BodyErrorComesAfterTheChildrensErrorsInTheGroup) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<std::vector<std::string>> {
    std::vector<std::string> whats;
    try {
      co_await task_group([&](TaskGroup& tg) -> Coro<void> {
        tg.create_task(fail_after(1s, "child"));
        try {
          co_await sleep(1h);  // interrupted by the child's failure
        } catch (const CancelledError&) {
        }
        throw std::invalid_argument("body");
      });
    } catch (const ExceptionGroup& g) {
      for (const auto& e : g.exceptions()) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          whats.push_back(x.what());
        }
      }
    }
    co_return whats;
  };
  EXPECT_EQ(loop->run_until_complete(main()),
            (std::vector<std::string>{"child", "body"}));
}

TEST(TaskGroupTest, CancellingTheParentCancelsChildren) {
  VirtualLoop loop;
  Task<int> child;
  auto group = [&]() -> Coro<void> {
    co_await task_group([&](TaskGroup& tg) -> Coro<void> {
      child = tg.create_task(after(1, 1h));
      co_return;
    });
  };
  auto main = [&]() -> Coro<void> {
    auto g = create_task(group());
    co_await sleep(1s);
    co_await cancel_and_wait(g);
    EXPECT_TRUE(g.cancelled());
    EXPECT_TRUE(child.cancelled());
  };
  loop->run_until_complete(main());
}

TEST(TaskGroupTest, ManualJoinAndNoCreateAfterJoin) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    TaskGroup tg;
    auto t = tg.create_task(after(5, 1s));
    EXPECT_EQ(tg.pending(), 1u);
    co_await tg.join();
    EXPECT_EQ(t.result(), 5);
    EXPECT_THROW(tg.create_task(after(1, 1s)), std::logic_error);
  };
  loop->run_until_complete(main());
}

TEST(TaskGroupTest, DestroyedWithoutJoinCancelsAndReports) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    Task<int> t;
    {
      TaskGroup tg;
      t = tg.create_task(after(1, 1h));
    }
    try {
      co_await t;
    } catch (const CancelledError&) {
    }
    EXPECT_TRUE(t.cancelled());
  };
  loop->run_until_complete(main());
  ASSERT_EQ(loop.errors.size(), 1u);
  EXPECT_NE(loop.errors[0].message.find("without join"), std::string::npos);
}

}  // namespace
}  // namespace aio
