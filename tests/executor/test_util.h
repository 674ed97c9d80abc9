// Helpers shared by the //executor tests.
#ifndef AIO_TESTS_EXECUTOR_TEST_UTIL_H_
#define AIO_TESTS_EXECUTOR_TEST_UTIL_H_

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

}  // namespace aio::testing

#endif  // AIO_TESTS_EXECUTOR_TEST_UTIL_H_
