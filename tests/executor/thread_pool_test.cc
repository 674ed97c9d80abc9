#include "executor/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/executor/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;

using testing::Gate;

int square(int x) { return x * x; }

TEST(ThreadPool, SubmitRunsTheJobAndReturnsItsValue) {
  ThreadPool pool(2);
  EXPECT_EQ(pool.worker_count(), 0u);  // threads start lazily
  auto f = pool.submit(square, 12);
  EXPECT_EQ(f.result(), 144);
  auto g = pool.submit(
      [](const std::string& a, const std::string& b) { return a + b; },
      std::string("ab"), std::string("cd"));
  EXPECT_EQ(g.result(), "abcd");
  auto v = pool.submit([] {});
  v.result();
  EXPECT_TRUE(v.done());
  EXPECT_GE(pool.worker_count(), 1u);
}

TEST(ThreadPool, ArgumentsAreCopiedUnlessPassedByReference) {
  ThreadPool pool(1);
  int value = 1;
  auto by_copy = pool.submit([](int v) { return ++v; }, value);
  EXPECT_EQ(by_copy.result(), 2);
  EXPECT_EQ(value, 1);
  auto by_ref = pool.submit([](int& v) { return ++v; }, std::ref(value));
  EXPECT_EQ(by_ref.result(), 2);
  EXPECT_EQ(value, 2);
}

const std::string& static_text() {
  static const std::string text = "kept by the job";
  return text;
}

TEST(ThreadPool, AJobReturningAReferenceYieldsACopy) {
  ThreadPool pool(1);
  ConcurrentFuture<std::string> f = pool.submit(static_text);
  EXPECT_EQ(f.result(), "kept by the job");
}

struct JobError : std::runtime_error {
  JobError() : std::runtime_error("job failed") {}
  int detail = 99;
};

TEST(ThreadPool, AJobsExceptionReachesTheFutureUnchanged) {
  ThreadPool pool(2);
  auto f = pool.submit([]() -> int { throw JobError(); });
  try {
    f.result();
    FAIL();
  } catch (const JobError& e) {
    EXPECT_EQ(e.detail, 99);
    EXPECT_STREQ(e.what(), "job failed");
  }
}

TEST(ThreadPool, NeverRunsMoreThanMaxWorkersJobsAtOnce) {
  ThreadPool pool(3);
  std::atomic<int> running{0}, peak{0};
  std::vector<ConcurrentFuture<void>> fs;
  for (int i = 0; i < 60; ++i) {
    fs.push_back(pool.submit([&] {
      int now = ++running;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      std::this_thread::sleep_for(200us);
      --running;
    }));
  }
  for (auto& f : fs) f.result();
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
  EXPECT_LE(pool.worker_count(), 3u);
}

// Workers are woken one after another (a worker that takes a job while more
// are queued wakes the next): a burst of jobs that can only finish together
// must still get max_workers threads, from a cold pool and again once the
// workers have gone idle (asleep on the condition variable).
TEST(ThreadPool, ABurstReachesEveryWorkerColdAndIdle) {
  constexpr int kWorkers = 5;
  ThreadPool pool(kWorkers);
  for (int round = 0; round < 3; ++round) {
    testing::Rendezvous all(kWorkers);
    std::vector<ConcurrentFuture<bool>> fs;
    for (int i = 0; i < kWorkers; ++i) {
      // Only succeeds once all kWorkers jobs run at the same time.
      fs.push_back(pool.submit([&all] { return all.arrive(); }));
    }
    for (auto& f : fs) EXPECT_TRUE(f.result()) << "round " << round;
    EXPECT_EQ(pool.worker_count(), static_cast<size_t>(kWorkers));
    std::this_thread::sleep_for(5ms);  // past the spinner: workers sleep
  }
}

// A job that waits for a job submitted after it must not starve it: the
// search for a worker is passed on before a job runs.
TEST(ThreadPool, AJobWaitingForALaterJobGetsItRun) {
  ThreadPool pool(2);
  for (int round = 0; round < 200; ++round) {
    std::promise<void> later_ran;
    auto later_done = later_ran.get_future().share();
    auto first = pool.submit([later_done] {
      return later_done.wait_for(10s) == std::future_status::ready;
    });
    auto second = pool.submit([&later_ran] { later_ran.set_value(); });
    EXPECT_TRUE(first.result()) << "round " << round;
    second.result();
  }
}
TEST(ThreadPool, JobsStartInSubmissionOrder) {
  ThreadPool pool(1);
  std::vector<int> order;  // only the single worker writes it
  Gate gate;
  auto blocker = pool.submit([&] { gate.wait(); });
  std::vector<ConcurrentFuture<void>> fs;
  for (int i = 0; i < 20; ++i)
    fs.push_back(pool.submit([&order, i] { order.push_back(i); }));
  gate.open();
  for (auto& f : fs) f.result();
  std::vector<int> expected(20);
  for (int i = 0; i < 20; ++i) expected[i] = i;
  EXPECT_EQ(order, expected);
}

TEST(ThreadPool, ShutdownWithWaitRunsEveryQueuedJob) {
  std::atomic<int> done{0};
  ThreadPool pool(2);
  for (int i = 0; i < 50; ++i) {
    (void)pool.submit([&] {
      std::this_thread::sleep_for(100us);
      ++done;
    });
  }
  pool.shutdown(true);
  EXPECT_EQ(done.load(), 50);
  EXPECT_TRUE(pool.is_shutdown());
}

TEST(ThreadPool, ShutdownWithCancelFuturesCancelsJobsThatHaveNotStarted) {
  ThreadPool pool(1);
  Gate gate;
  std::atomic<int> ran{0};
  auto first = pool.submit([&] {
    gate.wait();
    ++ran;
  });
  while (!first.running()) std::this_thread::yield();
  std::vector<ConcurrentFuture<void>> queued;
  for (int i = 0; i < 5; ++i) queued.push_back(pool.submit([&] { ++ran; }));
  pool.shutdown(/*wait=*/false, /*cancel_futures=*/true);
  for (auto& f : queued) EXPECT_TRUE(f.cancelled());
  gate.open();
  pool.shutdown(true);
  first.result();
  EXPECT_EQ(ran.load(), 1);
}

TEST(ThreadPool, SubmitAfterShutdownThrowsLogicError) {
  ThreadPool pool(1);
  pool.shutdown(true);
  EXPECT_THROW((void)pool.submit(square, 1), std::logic_error);
}

TEST(ThreadPool, ShutdownWithWaitFromItsOwnWorkerThrows) {
  ThreadPool pool(2);
  auto f = pool.submit([&pool] { pool.shutdown(true); });
  EXPECT_THROW(f.result(), std::logic_error);
  auto g = pool.submit([&pool] { pool.shutdown(false); });  // allowed
  g.result();
  EXPECT_TRUE(pool.is_shutdown());
}

TEST(ThreadPool, ZeroWorkersIsRejected) {
  EXPECT_THROW(ThreadPool(0), std::invalid_argument);
}

TEST(ThreadPool, DefaultSizeFollowsPython) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(ThreadPool::default_max_workers(), std::min<size_t>(32, cores + 4));
  ThreadPool pool;
  EXPECT_EQ(pool.max_workers(), ThreadPool::default_max_workers());
}

TEST(ThreadPool, DestructorWaitsForRunningJobs) {
  std::atomic<bool> finished{false};
  {
    ThreadPool pool(1);
    (void)pool.submit([&] {
      std::this_thread::sleep_for(20ms);
      finished = true;
    });
  }
  EXPECT_TRUE(finished.load());
}

TEST(ThreadPool, ConcurrentShutdownsBothWait) {
  ThreadPool pool(1);
  Gate gate;
  std::atomic<bool> finished{false};
  (void)pool.submit([&] {
    gate.wait();
    finished = true;
  });
  std::atomic<int> returned{0};
  std::thread a([&] {
    pool.shutdown(true);
    EXPECT_TRUE(finished.load());
    ++returned;
  });
  std::thread b([&] {
    pool.shutdown(true);
    EXPECT_TRUE(finished.load());
    ++returned;
  });
  gate.open();
  a.join();
  b.join();
  EXPECT_EQ(returned.load(), 2);
}

// ---- max_workers at its limits (Python: must be > 0)

TEST(ThreadPool, ZeroOrNegativeWorkerCountsAreRejected) {
  EXPECT_THROW(ThreadPool(0), std::invalid_argument);
  EXPECT_THROW(ThreadPool(size_t{0}), std::invalid_argument);
  EXPECT_THROW(ThreadPool(-1), std::invalid_argument);
  EXPECT_THROW(ThreadPool(std::numeric_limits<int64_t>::min()),
               std::invalid_argument);
  EXPECT_THROW(ThreadPool(0, ThreadPool::ThreadHooks{}), std::invalid_argument);
  EXPECT_THROW(ThreadPool(-1, ThreadPool::ThreadHooks{}),
               std::invalid_argument);
  try {
    ThreadPool pool(-3);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("-3"), std::string::npos) << e.what();
  }
}

TEST(ThreadPool, TheMaximumWorkerCountStartsThreadsOnlyAsNeeded) {
  for (size_t max :
       {std::numeric_limits<size_t>::max(),
        static_cast<size_t>(std::numeric_limits<int64_t>::max())}) {
    ThreadPool pool(max);
    EXPECT_EQ(pool.max_workers(), max);
    EXPECT_EQ(pool.worker_count(), 0u);
    EXPECT_EQ(pool.submit([] { return 7; }).result(), 7);
    EXPECT_LE(pool.worker_count(), 2u);
  }
  ThreadPool one(1);
  EXPECT_EQ(one.submit([] { return 1; }).result(), 1);
  EXPECT_EQ(one.worker_count(), 1u);
}

TEST(ThreadPool, ThreadHooksRunOnEveryWorkerAroundItsJobs) {
  std::mutex mu;
  std::vector<std::thread::id> started, exited;
  thread_local bool initialised = false;
  ThreadPool::ThreadHooks hooks;
  hooks.on_thread_start = [&] {
    initialised = true;
    std::lock_guard<std::mutex> l(mu);
    started.push_back(std::this_thread::get_id());
  };
  hooks.on_thread_exit = [&] {
    EXPECT_TRUE(initialised);
    std::lock_guard<std::mutex> l(mu);
    exited.push_back(std::this_thread::get_id());
  };
  ThreadPool pool(3, std::move(hooks));
  std::atomic<int> running{0};
  std::vector<ConcurrentFuture<std::thread::id>> jobs;
  for (int i = 0; i < 3; ++i) {  // three jobs that meet: three workers
    jobs.push_back(pool.submit([&running] {
      EXPECT_TRUE(initialised);  // the start hook ran on this thread first
      ++running;
      while (running.load() < 3) std::this_thread::yield();
      return std::this_thread::get_id();
    }));
  }
  std::vector<std::thread::id> ran;
  for (auto& j : jobs) ran.push_back(j.result());
  pool.shutdown(true);
  EXPECT_EQ(pool.worker_count(), 3u);
  std::sort(started.begin(), started.end());
  std::sort(exited.begin(), exited.end());
  std::sort(ran.begin(), ran.end());
  EXPECT_EQ(started.size(), 3u);
  EXPECT_EQ(started, exited);  // once each, on the same threads
  EXPECT_EQ(started, ran);
  EXPECT_EQ(
      std::find(started.begin(), started.end(), std::this_thread::get_id()),
      started.end());
}

TEST(ThreadPool, NoThreadsNoHooks) {
  std::atomic<int> calls{0};
  {
    ThreadPool pool(2, {.on_thread_start = [&] { ++calls; },
                        .on_thread_exit = [&] { ++calls; }});
  }
  EXPECT_EQ(calls.load(), 0);  // threads start lazily: none, no hook
}

}  // namespace
}  // namespace aio
