#include "executor/run_coroutine_threadsafe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "loop/run.h"
#include "loop/sleep.h"
#include "loop/task.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

// An event loop running forever in its own thread.
class LoopThread {
 public:
  LoopThread() : thread_([this] { run(); }) {
    while (!started_.load()) std::this_thread::yield();
  }
  ~LoopThread() {
    loop_.stop();
    thread_.join();
  }
  EventLoop& loop() { return loop_; }
  // The thread that runs the loop (read once the constructor returned).
  std::thread::id thread_id() const { return thread_id_; }

 private:
  void run() {
    loop_.call_soon([this] {
      thread_id_ = std::this_thread::get_id();
      started_ = true;
    });
    loop_.run_forever();
  }
  EventLoop loop_;
  std::thread::id thread_id_;
  std::atomic<bool> started_{false};
  std::thread thread_;
};

Coro<int> compute(int x) {
  co_await sleep(1ms);
  co_return x * 2;
}

TEST(RunCoroutineThreadsafe, RunsOnTheLoopThreadAndDeliversTheValue) {
  LoopThread lt;
  auto f = run_coroutine_threadsafe(compute(21), lt.loop());
  EXPECT_EQ(f.result(10s), 42);
}

Coro<std::thread::id> loop_thread_id() {
  co_await sleep(0);
  co_return std::this_thread::get_id();
}

TEST(RunCoroutineThreadsafe, TheCoroutineRunsOnTheLoopsThread) {
  LoopThread lt;
  auto f = run_coroutine_threadsafe(loop_thread_id(), lt.loop());
  const std::thread::id ran_on = f.result(10s);
  EXPECT_EQ(ran_on, lt.thread_id());
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

Coro<int> fail() {
  co_await sleep(0);
  throw std::domain_error("bad input 3");
}

TEST(RunCoroutineThreadsafe, AnExceptionReachesTheFuture) {
  LoopThread lt;
  auto f = run_coroutine_threadsafe(fail(), lt.loop());
  EXPECT_THROW(f.result(10s), std::domain_error);
}

Coro<void> long_sleep(std::atomic<int>* state) {
  *state = 1;
  try {
    co_await sleep(3600s);
  } catch (const CancelledError&) {
    *state = 2;
    throw;
  }
}

TEST(RunCoroutineThreadsafe, CancellingTheFutureCancelsTheTask) {
  LoopThread lt;
  std::atomic<int> state{0};
  auto f = run_coroutine_threadsafe(long_sleep(&state), lt.loop());
  while (state.load() != 1) std::this_thread::yield();
  EXPECT_TRUE(f.cancel());
  EXPECT_THROW(f.result(10s), CancelledError);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (state.load() != 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(state.load(), 2);  // the task saw CancelledError
}

TEST(RunCoroutineThreadsafe, ALoopClosedBeforeTheTaskStartsFailsTheFuture) {
  EventLoop loop;  // never run
  auto f = run_coroutine_threadsafe(compute(1), loop);
  loop.close();
  try {
    f.result(10s);
    FAIL();
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("closed before the coroutine started"),
              std::string::npos)
        << e.what();
  }
}

Coro<void> run_briefly() { co_await sleep(5ms); }

TEST(RunCoroutineThreadsafe, ALoopClosedBeforeTheTaskFinishesFailsTheFuture) {
  EventLoop loop;
  std::atomic<int> state{0};
  auto f = run_coroutine_threadsafe(long_sleep(&state), loop);
  loop.run_until_complete(run_briefly());  // the task starts and parks
  EXPECT_EQ(state.load(), 1);
  loop.close();  // drops the parked task
  try {
    f.result(10s);
    FAIL();
  } catch (const std::logic_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("closed before the coroutine finished"),
        std::string::npos)
        << e.what();
  }
}

TEST(RunCoroutineThreadsafe, AClosedLoopIsRefusedAtOnce) {
  EventLoop loop;
  loop.close();
  EXPECT_THROW(run_coroutine_threadsafe(compute(1), loop), std::logic_error);
}

// Issue 9, item 14: a task cancelled before its first step (aio::run's
// shutdown does that to every task still queued) never runs its body; the
// future must end cancelled (asyncio), not stay pending.
Coro<int> note_start(bool* started) {
  *started = true;
  co_return 1;
}

Coro<void> cancel_before_first_step(ConcurrentFuture<int>* f, bool* started,
                                    int* cancelled) {
  EventLoop& loop = get_running_loop();
  AnyTask self = current_task();
  *f = run_coroutine_threadsafe(note_start(started), loop);
  // Queued behind the starter: runs right after it created the task, before
  // that task's first step, and cancels it as aio::run's shutdown would.
  loop.call_soon_threadsafe([self, cancelled] {
    for (AnyTask& t : all_tasks()) {
      if (t != self && t.cancel()) ++*cancelled;
    }
  });
  for (int i = 0; i < 1000 && !f->done(); ++i) co_await sleep(0);
}

TEST(RunCoroutineThreadsafe, ATaskCancelledBeforeItsFirstStepCancelsTheFuture) {
  EventLoop loop;
  ConcurrentFuture<int> f;
  bool started = false;
  int cancelled = 0;
  loop.run_until_complete(cancel_before_first_step(&f, &started, &cancelled));
  EXPECT_EQ(cancelled, 1);
  EXPECT_FALSE(started);
  ASSERT_TRUE(f.done());
  EXPECT_TRUE(f.cancelled());
  EXPECT_THROW(f.result(0s), CancelledError);
}

Coro<void> submit_and_leave(ConcurrentFuture<int>* f) {
  *f = run_coroutine_threadsafe(compute(1), get_running_loop());
  co_return;  // the starter has not run yet
}

TEST(RunCoroutineThreadsafe, AioRunEndingBeforeTheStarterRanFailsTheFuture) {
  ConcurrentFuture<int> f;
  run(submit_and_leave(&f));
  ASSERT_TRUE(f.done());
  // Either the starter ran during shutdown and the task was cancelled, or the
  // loop closed first: never pending.
  EXPECT_TRUE(f.cancelled() || f.exception(0s) != nullptr);
}

}  // namespace
}  // namespace aio
