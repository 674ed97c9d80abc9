// aio::RateLimiter: at most `max_rate` acquisitions in any window of length
// `period`, optionally spread out by a smaller `burst`.
//
//   aio::RateLimiter limiter(3, std::chrono::minutes(1));   // 3 per minute
//   co_await limiter.acquire();                              // then request
//
// The rule, exactly: an acquisition at time t is allowed when (1) fewer than
// max_rate acquisitions happened in (t - period, t] (a sliding window, so
// "3 per minute" lets 3 go at once and the 4th exactly a minute after the
// 1st), and (2) a token bucket of capacity `burst` that refills one token
// every period / max_rate (rounded up to whole nanoseconds) has a token.
// burst == max_rate (the default) leaves rule (1) alone; burst == 1 spaces
// acquisitions evenly. Nothing is held after acquire() returns, so, unlike a
// Semaphore plus a sleep, no permit is held while waiting for the window.
//
// Time is the loop's clock, so under virtual time (EventLoop::Options) a
// "3 per minute" test takes microseconds. Memory: up to max_rate timestamps.
//
// Fairness and cancellation: waiters are served in arrival order (a new
// acquire() never overtakes a waiting one). A task cancelled while waiting
// consumes nothing; one cancelled after its slot was granted but before it ran
// gives the slot back, and the next waiter is re-evaluated at once.
//
// Threads and loops: one loop's thread; binds to the first loop that uses it
// (std::logic_error from another loop); waiters resume on that loop, woken by
// one loop timer for the head of the queue. Destroying a limiter that tasks
// wait on wakes them with std::logic_error.
#ifndef AIO_SYNC_RATE_LIMITER_H_
#define AIO_SYNC_RATE_LIMITER_H_

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "loop/clock.h"
#include "loop/park.h"
#include "sync/internal/loop_binding.h"

namespace aio {

class RateLimiter {
 public:
  // std::invalid_argument unless max_rate >= 1, period > 0 and
  // 1 <= burst <= max_rate.
  RateLimiter(int64_t max_rate, Duration period);
  RateLimiter(int64_t max_rate, Duration period, int64_t burst);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  class [[nodiscard]] AcquireAwaiter : private internal::ListWaiter {
   public:
    explicit AcquireAwaiter(RateLimiter* rl) : rl_(rl) {}
    AcquireAwaiter(AcquireAwaiter&&) = default;  // until awaited (park.h)
    AcquireAwaiter& operator=(const AcquireAwaiter&) = delete;
    ~AcquireAwaiter();
    bool await_ready();
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();

   private:
    friend class RateLimiter;
    static bool on_cancel(CancelHook* hook, Op op, std::string& msg);
    RateLimiter* rl_;
    int64_t granted_at_ = 0;
  };

  // Waits until an acquisition is allowed, then records it.
  AcquireAwaiter acquire() { return AcquireAwaiter(this); }
  // Acquires now if allowed and nobody is waiting; never waits.
  bool try_acquire();

  int64_t max_rate() const { return max_rate_; }
  Duration period() const { return Duration(period_ns_); }
  int64_t burst() const { return burst_; }
  size_t waiting() const { return waiters_.size(); }

 private:
  struct Timer : internal::TimerNode {
    RateLimiter* owner = nullptr;
  };
  void check();
  bool idle() const { return waiters_.empty() && granted_.empty(); }
  // The earliest time >= now at which an acquisition is allowed.
  int64_t next_allowed(int64_t now);
  void record(int64_t t);
  void unrecord(int64_t t);
  // Grants waiters that are allowed now, then arms the timer for the next.
  void serve();
  void disarm();
  static void on_timer(internal::TimerNode* t);
  // The loop is usable for timers (a waiter's frame may die during close()).
  bool loop_usable() const;

  int64_t max_rate_;
  int64_t period_ns_;
  int64_t burst_;
  int64_t interval_ns_;      // period / max_rate, rounded up
  std::deque<int64_t> log_;  // times of recent acquisitions, ascending
  // Token bucket (GCRA): the theoretical arrival time, once used. 128 bits:
  // with a period near Duration::max() it may pass the int64 range.
  __int128 tat_ = 0;
  bool used_bucket_ = false;
  internal::WaitList waiters_;
  internal::WaitList granted_;
  Timer timer_;
  EventLoop* timer_loop_ = nullptr;  // where timer_ is queued
  internal::LoopBinding binding_;
};

}  // namespace aio

#endif  // AIO_SYNC_RATE_LIMITER_H_
