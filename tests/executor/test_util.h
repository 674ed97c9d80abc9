// Helpers shared by the //executor tests.
#ifndef AIO_TESTS_EXECUTOR_TEST_UTIL_H_
#define AIO_TESTS_EXECUTOR_TEST_UTIL_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace aio::testing {

// A gate that jobs on worker threads wait at until the test opens it.
class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A meeting point for `n` jobs that must all run at the same time: arrive()
// returns true once all `n` have arrived. The limit is there only so that a
// missing worker fails the test (false) instead of hanging it; it is far
// above any scheduling delay of a loaded machine, so it is not a timing
// assertion.
class Rendezvous {
 public:
  explicit Rendezvous(int n) : n_(n) {}
  bool arrive(std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> l(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(l, limit, [this] { return arrived_ >= n_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  const int n_;
  int arrived_ = 0;
};

}  // namespace aio::testing

#endif  // AIO_TESTS_EXECUTOR_TEST_UTIL_H_
