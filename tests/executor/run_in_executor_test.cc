#include "executor/run_in_executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loop/run.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/wait.h"
#include "tests/executor/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

using testing::Gate;

int slow_square(int x) {
  std::this_thread::sleep_for(1ms);
  return x * x;
}

Coro<int> square_in_pool(ThreadPool* pool, int x) {
  co_return co_await run_in_executor(*pool, slow_square, x);
}

TEST(RunInExecutor, TheJobsValueReachesTheCoroutine) {
  ThreadPool pool(2);
  EventLoop loop;
  EXPECT_EQ(loop.run_until_complete(square_in_pool(&pool, 9)), 81);
}

struct DiskError : std::runtime_error {
  DiskError(std::string path, int err)
      : std::runtime_error("cannot read " + path),
        path(std::move(path)),
        err(err) {}
  std::string path;
  int err;
};

int failing_read(std::string path) { throw DiskError(path, 5); }

Coro<std::string> catch_worker_error(ThreadPool* pool) {
  try {
    co_await run_in_executor(pool, failing_read, std::string("/data/x"));
    co_return "no exception";
  } catch (const DiskError& e) {
    co_return std::string(e.what()) + " " + e.path + " " +
        std::to_string(e.err);
  }
}

TEST(RunInExecutor, AnExceptionThrownInTheWorkerReachesTheCoroutineIntact) {
  ThreadPool pool(1);
  EventLoop loop;
  EXPECT_EQ(loop.run_until_complete(catch_worker_error(&pool)),
            "cannot read /data/x /data/x 5");
}

Coro<void> use_default(std::vector<int>* out) {
  EventLoop& loop = get_running_loop();
  EXPECT_EQ(loop.default_executor(), nullptr);  // nothing until first use
  out->push_back(co_await run_in_executor(nullptr, slow_square, 3));
  auto* pool = dynamic_cast<ThreadPool*>(loop.default_executor());
  EXPECT_NE(pool, nullptr);
  if (pool) {
    EXPECT_EQ(pool->max_workers(), ThreadPool::default_max_workers());
  }
  out->push_back(co_await to_thread(slow_square, 4));
  EXPECT_EQ(loop.default_executor(), pool);  // the same pool again
}

TEST(RunInExecutor, TheDefaultExecutorIsCreatedLazilyWithPythonsSize) {
  std::vector<int> out;
  run(use_default(&out));
  EXPECT_EQ(out, (std::vector<int>{9, 16}));
  EXPECT_EQ(ThreadPool::default_max_workers(),
            std::min<size_t>(
                32, std::max(1u, std::thread::hardware_concurrency()) + 4));
}

Coro<void> fire_and_forget(std::atomic<bool>* finished) {
  auto pending = to_thread([finished] {
    std::this_thread::sleep_for(30ms);
    *finished = true;
  });
  co_return;  // never awaited
}

TEST(RunInExecutor, AioRunWaitsForTheDefaultExecutorsJobsBeforeReturning) {
  std::atomic<bool> finished{false};
  run(fire_and_forget(&finished));
  EXPECT_TRUE(finished.load());
}

// Counts its destruction: proves a dropped result is destroyed exactly once.
struct Tracked {
  explicit Tracked(std::atomic<int>* d) : destroyed(d) {}
  Tracked(const Tracked&) = delete;
  ~Tracked() { ++*destroyed; }
  std::atomic<int>* destroyed;
};

Coro<void> nothing() { co_return; }

Coro<std::string> await_blocked_job(ThreadPool* pool, Gate* gate,
                                    std::atomic<int>* destroyed,
                                    std::atomic<bool>* job_started) {
  try {
    co_await run_in_executor(*pool, [gate, destroyed, job_started] {
      *job_started = true;
      gate->wait();
      return std::make_shared<Tracked>(destroyed);
    });
    co_return "completed";
  } catch (const CancelledError&) {
    co_return "cancelled";
  }
}

Coro<void> cancel_while_running(ThreadPool* pool, Gate* gate,
                                std::atomic<int>* destroyed,
                                std::string* outcome) {
  std::atomic<bool> started{false};
  auto t = create_task(await_blocked_job(pool, gate, destroyed, &started));
  while (!started.load()) co_await sleep(1ms);
  t.cancel();
  *outcome = co_await t;  // returns while the job is still blocked
  EXPECT_EQ(destroyed->load(), 0);
}

TEST(RunInExecutor, CancellingTheAwaitingTaskWhileTheJobRunsIsSafe) {
  ThreadPool pool(1);
  Gate gate;
  std::atomic<int> destroyed{0};
  std::string outcome;
  {
    EventLoop loop;
    loop.run_until_complete(
        cancel_while_running(&pool, &gate, &destroyed, &outcome));
    EXPECT_EQ(outcome, "cancelled");
    gate.open();  // the job finishes after nobody waits for it
    pool.shutdown(true);
    // Its result was dropped (destroyed once) without touching the task.
    EXPECT_EQ(destroyed.load(), 1);
    loop.run_until_complete(nothing());  // the late wake-up finds nobody
  }
}

Coro<void> cancel_before_start(ThreadPool* pool, Gate* gate,
                               std::atomic<int>* ran, std::string* outcome) {
  auto blocker = run_in_executor(*pool, [gate] { gate->wait(); });
  auto t = create_task(
      [](ThreadPool* pool, std::atomic<int>* ran) -> Coro<std::string> {
        try {
          co_await run_in_executor(*pool, [ran] { ++*ran; });
          co_return "completed";
        } catch (const CancelledError&) {
          co_return "cancelled";
        }
      }(pool, ran));
  co_await sleep(0);
  t.cancel();
  *outcome = co_await t;
  gate->open();
  co_await blocker;
}

TEST(RunInExecutor, CancellingBeforeTheJobStartsCancelsTheJob) {
  ThreadPool pool(1);
  Gate gate;
  std::atomic<int> ran{0};
  std::string outcome;
  EventLoop loop;
  loop.run_until_complete(cancel_before_start(&pool, &gate, &ran, &outcome));
  pool.shutdown(true);
  EXPECT_EQ(outcome, "cancelled");
  EXPECT_EQ(ran.load(), 0);
}

// All four jobs must be running at the same time to get past the rendezvous.
Coro<int> parallel_jobs(ThreadPool* pool) {
  auto all = std::make_shared<testing::Rendezvous>(4);
  auto rendezvous = [all] { return all->arrive() ? 1 : 0; };
  auto a = run_in_executor(*pool, rendezvous);
  auto b = run_in_executor(*pool, rendezvous);
  auto c = run_in_executor(*pool, rendezvous);
  auto d = run_in_executor(*pool, rendezvous);
  co_return co_await a + co_await b + co_await c + co_await d;
}

TEST(RunInExecutor, JobsAreSubmittedAtOnceAndRunInParallel) {
  ThreadPool pool(4);
  EventLoop loop;
  EXPECT_EQ(loop.run_until_complete(parallel_jobs(&pool)), 4);
}

TEST(RunInExecutor, OutsideARunningLoopThrows) {
  ThreadPool pool(1);
  EXPECT_THROW((void)run_in_executor(pool, slow_square, 1), std::runtime_error);
  EXPECT_THROW((void)to_thread(slow_square, 1), std::runtime_error);
}

Coro<WrappedFuture<int>*> make_wrapped(
    ThreadPool* pool, std::unique_ptr<WrappedFuture<int>>* out) {
  *out = std::make_unique<WrappedFuture<int>>(
      run_in_executor(*pool, slow_square, 2));
  co_return out->get();
}

Coro<int> await_ptr(WrappedFuture<int>* w) { co_return co_await *w; }

TEST(RunInExecutor, AwaitingFromAnotherLoopThrowsLogicError) {
  ThreadPool pool(1);
  std::unique_ptr<WrappedFuture<int>> w;
  EventLoop a, b;
  a.run_until_complete(make_wrapped(&pool, &w));
  // A future that is still pending forces the loop check.
  ConcurrentFuture<int> never;
  std::unique_ptr<WrappedFuture<int>> pending;
  a.run_until_complete(
      [](ConcurrentFuture<int> f,
         std::unique_ptr<WrappedFuture<int>>* out) -> Coro<void> {
        *out = std::make_unique<WrappedFuture<int>>(wrap_future(f));
        co_return;
      }(never, &pending));
  EXPECT_THROW(b.run_until_complete(await_ptr(pending.get())),
               std::logic_error);
  EXPECT_EQ(a.run_until_complete(await_ptr(w.get())), 4);
}

class NotAPool : public Executor {
 public:
  void shutdown(bool) override {}
};

TEST(RunInExecutor, AForeignDefaultExecutorIsReportedClearly) {
  EventLoop loop;
  loop.set_default_executor(std::make_shared<NotAPool>());
  EXPECT_THROW(loop.run_until_complete([]() -> Coro<int> {
    co_return co_await run_in_executor(nullptr, slow_square, 1);
  }()),
               std::logic_error);
}

// Issue 9, item 13: once shut down, the default executor does not come back
// (asyncio raises RuntimeError); an explicit pool still works.
Coro<std::vector<std::string>> after_default_shutdown(ThreadPool* pool) {
  std::vector<std::string> out;
  out.push_back(std::to_string(co_await to_thread(slow_square, 3)));
  get_running_loop().shutdown_default_executor();
  try {
    (void)to_thread(slow_square, 4);
    out.push_back("to_thread ran");
  } catch (const std::runtime_error& e) {
    out.push_back(std::string(e.what()).find("shut down") != std::string::npos
                      ? "to_thread refused"
                      : e.what());
  }
  try {
    (void)run_in_executor(nullptr, slow_square, 5);
    out.push_back("run_in_executor ran");
  } catch (const std::runtime_error&) {
    out.push_back("run_in_executor(nullptr) refused");
  }
  out.push_back(
      std::to_string(co_await run_in_executor(*pool, slow_square, 6)));
  co_return out;
}

TEST(RunInExecutor, AfterShutdownDefaultExecutorTheDefaultIsRefused) {
  ThreadPool pool(1);
  EventLoop loop;
  EXPECT_EQ(
      loop.run_until_complete(after_default_shutdown(&pool)),
      (std::vector<std::string>{"9", "to_thread refused",
                                "run_in_executor(nullptr) refused", "36"}));
  EXPECT_EQ(loop.default_executor(), nullptr);  // no new pool was started
}

Coro<bool> to_thread_refused() {
  try {
    (void)to_thread(slow_square, 1);
    co_return false;
  } catch (const std::runtime_error&) {
    co_return true;
  }
}

TEST(RunInExecutor, ShutdownBeforeAnyDefaultExecutorExistedAlsoRefuses) {
  EventLoop loop;
  loop.shutdown_default_executor();
  EXPECT_TRUE(loop.run_until_complete(to_thread_refused()));
  EXPECT_EQ(loop.default_executor(), nullptr);
}

int slow_job() {
  std::this_thread::sleep_for(20ms);
  return 20;
}
Coro<int> await_slow_job() { co_return co_await to_thread(slow_job); }
Coro<int> slow_job_under_a_timeout() {
  co_return co_await wait_for(await_slow_job(), 10s);
}

// Issue 9 item 15: virtual time jumped to the 10 s timeout while the 20 ms
// job was in flight, so the wait timed out spuriously.
TEST(RunInExecutor, VirtualTimeDoesNotJumpPastAThreadJobsTimeout) {
  EventLoop::Options options;
  options.virtual_time = true;
  EXPECT_EQ(run(slow_job_under_a_timeout(), std::move(options)), 20);
}

}  // namespace
}  // namespace aio
