#include "loop/task.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::after;
using testing::cancel_and_wait;
using testing::VirtualLoop;

TEST(TaskTest, CreateTaskSchedulesAtOnceButRunsLater) {
  VirtualLoop loop;
  std::vector<std::string> log;
  auto child = [&]() -> Coro<void> {
    log.push_back("child");
    co_return;
  };
  auto main = [&]() -> Coro<void> {
    auto t = create_task(child());
    log.push_back("after create_task");
    EXPECT_FALSE(t.done());
    co_await sleep(0);
    log.push_back("after sleep(0)");
    EXPECT_TRUE(t.done());
  };
  loop->run_until_complete(main());
  EXPECT_EQ(log, (std::vector<std::string>{"after create_task", "child",
                                           "after sleep(0)"}));
}

TEST(TaskTest, TasksRunConcurrently) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<int> {
    auto a = create_task(after(1, 1s));
    auto b = create_task(after(2, 2s));
    co_return co_await a + co_await b;
  };
  TimePoint start = loop->time();
  EXPECT_EQ(loop->run_until_complete(main()), 3);
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 2.0);  // not 3: concurrent
}

TEST(TaskTest, AwaitedSeveralTimesBySeveralTasks) {
  VirtualLoop loop;
  auto twice = [](Task<int> t) -> Coro<int> {
    co_return co_await t + co_await t;
  };
  auto main = [&]() -> Coro<int> {
    auto t = create_task(after(5, 1s));
    auto x = create_task(twice(t));
    auto y = create_task(twice(t));
    co_return co_await x + co_await y + t.result();
  };
  EXPECT_EQ(loop->run_until_complete(main()), 25);
}

TEST(TaskTest, NamesAndCurrentTask) {
  VirtualLoop loop;
  auto who = []() -> Coro<std::string> { co_return current_task().name(); };
  auto main = [&]() -> Coro<void> {
    auto t = create_task(who(), "worker");
    EXPECT_EQ(t.name(), "worker");
    EXPECT_EQ(co_await t, "worker");
    auto u = create_task(who());
    EXPECT_EQ(u.name().rfind("Task-", 0), 0u);
    u.set_name("renamed");
    EXPECT_EQ(co_await u, "renamed");
    EXPECT_EQ(all_tasks().size(), 1u);  // only main is pending now
  };
  loop->run_until_complete(main());
  EXPECT_FALSE(current_task());
}

TEST(TaskTest, SetResultOnATaskIsRejected) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto t = create_task(after(1, 1s));
    EXPECT_THROW(t.set_result(2), std::logic_error);
    co_await t;
  };
  loop->run_until_complete(main());
}

TEST(TaskTest, DoneCallbackReceivesTheTask) {
  VirtualLoop loop;
  std::string seen;
  auto main = [&]() -> Coro<void> {
    auto t = create_task(after(7, 1s), "cb-task");
    t.add_done_callback([&](Task<int>& d) {
      seen = d.name() + "=" + std::to_string(d.result());
    });
    co_await t;
    co_await sleep(0);
  };
  loop->run_until_complete(main());
  EXPECT_EQ(seen, "cb-task=7");
}

// ---- cancellation reaches every kind of await point ----

TEST(TaskCancelTest, CancelBeforeStartNeverRunsTheBody) {
  VirtualLoop loop;
  bool ran = false;
  auto body = [&]() -> Coro<void> {
    ran = true;
    co_return;
  };
  auto main = [&]() -> Coro<bool> {
    auto t = create_task(body());
    EXPECT_TRUE(t.cancel());
    try {
      co_await t;
    } catch (const CancelledError&) {
    }
    co_return t.cancelled();
  };
  EXPECT_TRUE(loop->run_until_complete(main()));
  EXPECT_FALSE(ran);
}

TEST(TaskCancelTest, CancelDuringSleepRemovesTheTimer) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto t = create_task(after(1, 1h));
    co_await sleep(1s);
    EXPECT_TRUE(t.cancel("enough"));
    try {
      co_await t;
      ADD_FAILURE() << "expected CancelledError";
    } catch (const CancelledError& e) {
      EXPECT_EQ(e.message(), "enough");
    }
    EXPECT_TRUE(t.cancelled());
    EXPECT_FALSE(t.cancel());  // done
  };
  TimePoint start = loop->time();
  loop->run_until_complete(main());
  EXPECT_DOUBLE_EQ(loop.elapsed_s(start), 1.0);  // the 1h timer is gone
}

TEST(TaskCancelTest, CancelDuringSleepZero) {
  VirtualLoop loop;
  auto spin = []() -> Coro<int> {
    int n = 0;
    for (;;) {
      co_await sleep(0);
      ++n;
    }
  };
  auto main = [&]() -> Coro<bool> {
    auto t = create_task(spin());
    for (int i = 0; i < 5; ++i) co_await sleep(0);
    co_await cancel_and_wait(t);
    co_return t.cancelled();
  };
  EXPECT_TRUE(loop->run_until_complete(main()));
}

TEST(TaskCancelTest, CancelWhileAwaitingAFutureCancelsTheFuture) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    Future<int> f;
    auto waiter = [](Future<int> f) -> Coro<int> { co_return co_await f; };
    auto t = create_task(waiter(f));
    co_await sleep(1ms);
    co_await cancel_and_wait(t);
    EXPECT_TRUE(t.cancelled());
    EXPECT_TRUE(f.cancelled());  // asyncio semantics
  };
  loop->run_until_complete(main());
}

TEST(TaskCancelTest, CancelPropagatesToTheAwaitedTask) {
  VirtualLoop loop;
  auto outer_fn = [](Task<int> inner) -> Coro<int> {
    co_return co_await inner;
  };
  auto main = [&]() -> Coro<void> {
    auto inner = create_task(after(1, 1h));
    auto outer = create_task(outer_fn(inner));
    co_await sleep(1s);
    co_await cancel_and_wait(outer);
    EXPECT_TRUE(inner.cancelled());
    EXPECT_TRUE(outer.cancelled());
  };
  loop->run_until_complete(main());
}

// The CancelledError a task ends with (empty message if none).
template <typename T>
std::string cancel_message(const Task<T>& t) {
  try {
    t.result();
  } catch (const CancelledError& e) {
    return e.message();
  }
  return "<not cancelled>";
}

Coro<int> await_int_future(Future<int> f) { co_return co_await f; }
Coro<int> await_int_task(Task<int> t) { co_return co_await t; }

// Issue 9 item 1: asyncio passes cancel(msg) on to the awaited future.
TEST(TaskCancelTest, CancelMessageReachesATaskParkedOnAFuture) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    Future<int> f;
    auto t = create_task(await_int_future(f));
    co_await sleep(1ms);
    t.cancel("boom");
    try {
      co_await t;
    } catch (const CancelledError&) {
    }
    EXPECT_EQ(cancel_message(t), "boom");
    EXPECT_TRUE(f.cancelled());
    try {
      f.result();
    } catch (const CancelledError& e) {
      EXPECT_EQ(e.message(), "boom");
    }
  };
  loop->run_until_complete(main());
}

TEST(TaskCancelTest, CancelMessageReachesATaskParkedOnAnotherTask) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto inner = create_task(after(1, 1h));
    auto outer = create_task(await_int_task(inner));
    co_await sleep(1s);
    outer.cancel("boom");
    try {
      co_await outer;
    } catch (const CancelledError&) {
    }
    EXPECT_EQ(cancel_message(inner), "boom");
    EXPECT_EQ(cancel_message(outer), "boom");
  };
  loop->run_until_complete(main());
}

TEST(TaskCancelTest, CancelReachesTheInnermostAwaitThroughNestedCoros) {
  VirtualLoop loop;
  std::vector<std::string> cleanup;
  auto level2 = [&]() -> Coro<void> {
    try {
      co_await sleep(1h);
    } catch (const CancelledError&) {
      cleanup.push_back("level2");
      throw;
    }
  };
  auto level1 = [&]() -> Coro<void> {
    try {
      co_await level2();
    } catch (const CancelledError&) {
      cleanup.push_back("level1");
      throw;
    }
  };
  auto main = [&]() -> Coro<void> {
    auto t = create_task(level1());
    co_await sleep(1s);
    t.cancel();
    try {
      co_await t;
    } catch (const CancelledError&) {
      cleanup.push_back("main");
    }
  };
  loop->run_until_complete(main());
  EXPECT_EQ(cleanup, (std::vector<std::string>{"level2", "level1", "main"}));
}

TEST(TaskCancelTest, TaskMayCatchCancellationAndReturnAValue) {
  VirtualLoop loop;
  auto stubborn = []() -> Coro<int> {
    bool cancelled = false;
    try {
      co_await sleep(1h);
    } catch (const CancelledError&) {
      cancelled = true;
    }
    if (cancelled) {
      co_await sleep(1s);  // async cleanup after cancellation
      co_return 99;
    }
    co_return 0;
  };
  auto main = [&]() -> Coro<int> {
    auto t = create_task(stubborn());
    co_await sleep(1s);
    t.cancel();
    EXPECT_EQ(t.cancelling(), 1);
    int v = co_await t;
    EXPECT_FALSE(t.cancelled());
    co_return v;
  };
  EXPECT_EQ(loop->run_until_complete(main()), 99);
}

TEST(TaskCancelTest, CancelWhileWaitingForAnFdUnregistersIt) {
  VirtualLoop loop;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  auto reader = [](int fd) -> Coro<void> { co_await wait_readable(fd); };
  auto main = [&]() -> Coro<void> {
    auto t = create_task(reader(fds[0]));
    co_await sleep(1s);
    co_await cancel_and_wait(t);
    EXPECT_TRUE(t.cancelled());
    // The fd is free again: a new waiter can register and see data.
    EXPECT_EQ(write(fds[1], "x", 1), 1);
    uint32_t ev = co_await wait_readable(fds[0]);
    EXPECT_TRUE(ev & EPOLLIN);
  };
  loop->run_until_complete(main());
  loop->forget_fd(fds[0]);
  close(fds[0]);
  close(fds[1]);
}

TEST(TaskCancelTest, SelfCancelIsDeliveredAtTheNextAwait) {
  VirtualLoop loop;
  auto body = []() -> Coro<std::string> {
    current_task().cancel();
    std::string log = "before";
    try {
      co_await sleep(1s);
      log += " not-cancelled";
    } catch (const CancelledError&) {
      log += " cancelled";
    }
    co_return log;
  };
  EXPECT_EQ(loop->run_until_complete(body()), "before cancelled");
}

TEST(TaskErrorTest, UnretrievedTaskExceptionIsReportedWithTheTaskName) {
  VirtualLoop loop;
  auto fail = []() -> Coro<void> {
    throw std::runtime_error("nobody looked");
    co_return;
  };
  auto main = [&]() -> Coro<void> {
    {
      auto t = create_task(fail(), "doomed");
      co_await sleep(1s);
      EXPECT_TRUE(t.done());
    }  // last handle dropped without looking at the exception
    co_await sleep(0);
  };
  loop->run_until_complete(main());
  ASSERT_EQ(loop.errors.size(), 1u);
  EXPECT_EQ(loop.errors[0].message, "Task exception was never retrieved");
  EXPECT_EQ(loop.errors[0].task_name, "doomed");
  EXPECT_NE(describe_exception(loop.errors[0].exception).find("nobody looked"),
            std::string::npos);
}

TEST(TaskErrorTest, AwaitingATaskOfAnotherLoopIsAClearError) {
  EventLoop a({.name = "first"});
  EventLoop b({.name = "second"});
  auto forever = []() -> Coro<int> {
    co_await sleep(1h);
    co_return 1;
  };
  Task<int> t = a.create_task(forever(), "foreign");
  auto main = [](Task<int> t) -> Coro<std::string> {
    try {
      co_await t;
    } catch (const std::logic_error& e) {
      co_return e.what();
    }
    co_return "";
  };
  std::string msg = b.run_until_complete(main(t));
  EXPECT_NE(msg.find("Task foreign"), std::string::npos) << msg;
  EXPECT_NE(msg.find("first"), std::string::npos) << msg;
  EXPECT_NE(msg.find("second"), std::string::npos) << msg;
  t.cancel();
  EXPECT_THROW(a.run_until_complete(t), CancelledError);
}

TEST(TaskErrorTest, ATaskCannotAwaitItself) {
  VirtualLoop loop;
  auto body = [](Task<int>* slot) -> Coro<int> {
    co_await sleep(0);  // let main store our handle
    bool rejected = false;
    {
      Task<int> me = *slot;
      try {
        co_await me;
      } catch (const std::logic_error&) {
        rejected = true;
      }
    }
    co_return rejected ? 1 : 0;
  };
  auto main = [&]() -> Coro<int> {
    Task<int> t;
    t = create_task(body(&t));
    co_return co_await t;
  };
  EXPECT_EQ(loop->run_until_complete(main()), 1);
}

Coro<int> cancel_self_then_return() {
  current_task().cancel("late");
  co_return 5;
}

// Issue 9 item 2: asyncio's task step turns a cancellation still pending at
// StopIteration into a cancelled task (the value is dropped).
TEST(TaskCancelTest, CancelPendingWhenTheBodyReturnsMakesTheTaskCancelled) {
  VirtualLoop loop;
  auto main = [&]() -> Coro<void> {
    auto t = create_task(cancel_self_then_return());
    try {
      co_await t;
      ADD_FAILURE() << "expected CancelledError";
    } catch (const CancelledError&) {
    }
    EXPECT_TRUE(t.cancelled());
    EXPECT_EQ(cancel_message(t), "late");
  };
  loop->run_until_complete(main());
}

}  // namespace
}  // namespace aio
