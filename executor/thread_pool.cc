#include "executor/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

#include "loop/cpu_relax.h"

namespace aio {

namespace {
// The pool whose worker this thread is (nullptr elsewhere).
thread_local const ThreadPool* t_worker_of = nullptr;
}  // namespace

size_t ThreadPool::default_max_workers() {
  size_t cores = std::thread::hardware_concurrency();
  if (cores == 0) cores = 1;
  return std::min<size_t>(32, cores + 4);
}

size_t ThreadPool::checked_max_workers(int64_t max_workers) {
  if (max_workers <= 0) {
    throw std::invalid_argument(
        "aio::ThreadPool: max_workers must be greater than 0, got " +
        std::to_string(max_workers));
  }
  return static_cast<size_t>(max_workers);
}

ThreadPool::ThreadPool(size_t max_workers)
    : ThreadPool(max_workers, ThreadHooks{}) {}

ThreadPool::ThreadPool(size_t max_workers, ThreadHooks hooks)
    : max_workers_(max_workers), hooks_(std::move(hooks)) {
  if (max_workers == 0) {
    throw std::invalid_argument(
        "aio::ThreadPool: max_workers must be greater than 0");
  }
}

ThreadPool::~ThreadPool() {
  if (on_own_worker()) {
    std::fprintf(
        stderr,
        "aio: ThreadPool destroyed from one of its own worker threads; "
        "it would have to wait for itself\n");
    std::abort();
  }
  shutdown(true, false);
}

bool ThreadPool::on_own_worker() const { return t_worker_of == this; }

size_t ThreadPool::worker_count() const {
  internal::MutexLock l(&mu_);
  return started_;
}

bool ThreadPool::is_shutdown() const {
  internal::MutexLock l(&mu_);
  return shutdown_;
}

void ThreadPool::enqueue(internal::JobNode* job) {
  internal::MutexLock l(&mu_);
  if (shutdown_)
    throw std::logic_error("aio::ThreadPool: cannot submit after shutdown()");
  job->next = nullptr;
  if (tail_) {
    tail_->next = job;
  } else {
    head_ = job;
  }
  tail_ = job;
  queued_.store(queued_.load(std::memory_order_relaxed) + 1,
                std::memory_order_relaxed);
  // A searching worker (spinning, just woken or just started) takes the job
  // and, if more are queued, wakes the next one (see take_job_locked). Waking
  // one worker at a time keeps a burst of short jobs from waking every idle
  // worker at once, which on a machine with fewer cores than workers only
  // makes them fight over the queue; long jobs still get a worker each,
  // one wake-up apart.
  if (searching_ > 0) return;
  try {
    wake_one_locked();
  } catch (...) {  // std::thread failed to start, or the vector to grow
    if (!threads_.empty()) return;  // the existing workers will run it
    head_ = tail_ = nullptr;        // nobody could ever run it
    queued_.store(0, std::memory_order_relaxed);
    throw;
  }
}

void ThreadPool::wake_one_locked() {
  if (idle_ > wakeups_) {
    ++wakeups_;
    ++searching_;
    work_cv_.notify_one();
    return;
  }
  if (threads_.size() >= max_workers_) return;  // a busy worker will get to it
  threads_.emplace_back(&ThreadPool::worker_main, this);
  ++started_;
  ++searching_;  // the new worker starts searching
}

// A worker that finds the queue empty busy-waits up to kSpin for the next
// job before it sleeps on the condition variable, and at most one worker does
// so at a time. A loop that awaits jobs one after another (the latency case)
// then hands each to a worker that is already awake: no futex wake-up and no
// scheduler latency on the way out. The cost is bounded: one core for kSpin
// after the pool goes idle. The spinner yields now and then, so that a thread
// the scheduler placed on its core (often the loop it just woke) gets to run.
namespace {
constexpr auto kSpin = std::chrono::microseconds(50);
constexpr unsigned kYieldEvery = 64;  // pauses between clock checks and yields
}  // namespace

void ThreadPool::spin_for_work() const {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (unsigned i = 1;; ++i) {
    if (queued_.load(std::memory_order_relaxed) > 0) return;
    cpu_relax();
    if (i % kYieldEvery == 0) {
      if (std::chrono::steady_clock::now() >= deadline) return;
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_main() {
  t_worker_of = this;
  if (hooks_.on_thread_start) hooks_.on_thread_start();
  mu_.lock();
  bool searching = true;  // counted in searching_ by wake_one_locked
  for (;;) {
    if (head_ == nullptr && !shutdown_ && spinning_ == 0) {
      ++spinning_;
      if (!searching) {
        searching = true;
        ++searching_;
      }
      mu_.unlock();
      spin_for_work();
      mu_.lock();
      --spinning_;
    }
    while (head_ == nullptr && !shutdown_) {
      if (searching) {
        searching = false;
        --searching_;
      }
      ++idle_;
      work_cv_.wait(&mu_);
      --idle_;
      if (wakeups_ > 0) {
        --wakeups_;  // this worker takes over the waker's searching_ count
        searching = true;
      }
    }
    internal::JobNode* job = head_;
    if (job == nullptr) break;  // shut down and drained
    head_ = job->next;
    if (head_ == nullptr) tail_ = nullptr;
    queued_.store(queued_.load(std::memory_order_relaxed) - 1,
                  std::memory_order_relaxed);
    if (searching) {
      searching = false;
      --searching_;
    }
    // More work and nobody looking for it: pass the search on.
    if (head_ != nullptr && searching_ == 0 && !shutdown_) {
      try {
        wake_one_locked();
      } catch (...) {
        // No new thread (std::thread failed to start, or the vector to
        // grow): the running workers will get to the job.
      }
    }
    mu_.unlock();
    job->run(job);
    mu_.lock();
  }
  if (searching) --searching_;
  mu_.unlock();
  if (hooks_.on_thread_exit) hooks_.on_thread_exit();
}

void ThreadPool::shutdown(bool wait, bool cancel_futures) {
  if (wait && on_own_worker()) {
    throw std::logic_error(
        "aio::ThreadPool::shutdown(wait=true) called from one of its own "
        "workers "
        "would wait for itself");
  }
  internal::JobNode* cancelled = nullptr;
  {
    internal::MutexLock l(&mu_);
    shutdown_ = true;
    if (cancel_futures) {
      cancelled = head_;
      head_ = tail_ = nullptr;
      queued_.store(0, std::memory_order_relaxed);
    }
    work_cv_.notify_all();
  }
  while (cancelled) {
    internal::JobNode* next = cancelled->next;
    cancelled->cancel(cancelled);
    cancelled = next;
  }
  if (!wait) return;
  internal::MutexLock join(&join_mu_);
  std::vector<std::thread> threads;
  {
    internal::MutexLock l(&mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

}  // namespace aio
