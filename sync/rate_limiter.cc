#include "sync/rate_limiter.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "loop/errors.h"

namespace aio {

using internal::ListWaiter;

namespace {

// A period may be as long as Duration::max(), so the limiter computes in 128
// bits, where no sum of two times overflows, and a time past the int64 range
// means "never" (kNever): nothing can be admitted then.
using Wide = __int128;
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

int64_t clamp_time(Wide t) {
  return t >= kNever ? kNever : static_cast<int64_t>(t);
}

}  // namespace

RateLimiter::RateLimiter(int64_t max_rate, Duration period)
    : RateLimiter(max_rate, period, max_rate) {}

RateLimiter::RateLimiter(int64_t max_rate, Duration period, int64_t burst)
    : max_rate_(max_rate), period_ns_(period.count()), burst_(burst) {
  if (max_rate < 1) {
    throw std::invalid_argument(
        "aio::RateLimiter: max_rate must be >= 1, got " +
        std::to_string(max_rate));
  }
  if (period_ns_ <= 0) {
    throw std::invalid_argument("aio::RateLimiter: period must be positive");
  }
  if (burst < 1 || burst > max_rate) {
    throw std::invalid_argument(
        "aio::RateLimiter: burst must be in [1, max_rate=" +
        std::to_string(max_rate) + "], got " + std::to_string(burst));
  }
  interval_ns_ = period_ns_ / max_rate_ + (period_ns_ % max_rate_ != 0 ? 1 : 0);
  timer_.owner = this;
  timer_.fire = &on_timer;
}

RateLimiter::~RateLimiter() {
  disarm();
  internal::abandon(waiters_, granted_);
}

void RateLimiter::check() { binding_.check("aio::RateLimiter", idle()); }

int64_t RateLimiter::next_allowed(int64_t now) {
  const Wide window_start = Wide{now} - period_ns_;
  while (!log_.empty() && log_.front() <= window_start) log_.pop_front();
  Wide t = now;
  if (static_cast<int64_t>(log_.size()) >= max_rate_) {
    t = std::max(t, Wide{log_.front()} + period_ns_);
  }
  if (used_bucket_) {
    t = std::max(t, tat_ - Wide{burst_ - 1} * interval_ns_);
  }
  return clamp_time(t);
}

void RateLimiter::record(int64_t t) {
  log_.push_back(t);
  tat_ = (used_bucket_ ? std::max(Wide{t}, tat_) : Wide{t}) + interval_ns_;
  used_bucket_ = true;
}

void RateLimiter::unrecord(int64_t t) {
  for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
    if (*it == t) {
      log_.erase(std::next(it).base());
      break;
    }
  }
  if (used_bucket_) tat_ -= interval_ns_;
}

void RateLimiter::disarm() {
  // Queued implies the loop is open (close() unlinks every timer).
  if (timer_.queued()) timer_loop_->remove_timer(&timer_);
}

void RateLimiter::serve() {
  EventLoop* loop = binding_.loop();
  if (loop == nullptr) return;
  const int64_t now = loop->now_ns();
  while (!waiters_.empty()) {
    const int64_t t = next_allowed(now);
    if (t == kNever) break;  // only a cancellation ends this wait
    if (t > now) {
      if (!timer_.queued() || timer_.when != t || timer_loop_ != loop) {
        disarm();
        timer_.when = t;
        timer_loop_ = loop;
        loop->add_timer(&timer_);
      }
      return;
    }
    auto* w = static_cast<AcquireAwaiter*>(waiters_.pop_front());
    record(now);
    w->granted_at_ = now;
    internal::grant(w, granted_);
  }
  disarm();
}

bool RateLimiter::loop_usable() const {
  EventLoop* loop = binding_.loop();
  return loop != nullptr && internal::loop_alive(loop) && !loop->is_closed();
}

void RateLimiter::on_timer(internal::TimerNode* t) {
  static_cast<Timer*>(t)->owner->serve();
}

bool RateLimiter::try_acquire() {
  check();
  if (!waiters_.empty()) return false;
  EventLoop* loop = get_running_loop_or_null();
  if (loop == nullptr) loop = binding_.loop();
  if (loop == nullptr) {
    throw std::logic_error(
        "aio::RateLimiter::try_acquire needs an event loop for its clock: call "
        "it inside a running loop");
  }
  const int64_t now = loop->now_ns();
  if (next_allowed(now) > now) return false;
  record(now);
  return true;
}

// ---- AcquireAwaiter

bool RateLimiter::AcquireAwaiter::await_ready() {
  rl_->check();
  EventLoop* loop = get_running_loop_or_null();
  if (loop == nullptr || !rl_->waiters_.empty()) return false;
  const int64_t now = loop->now_ns();
  if (rl_->next_allowed(now) > now) return false;
  rl_->record(now);
  outcome = ListWaiter::WaitState::kTaken;  // await_resume: acquired at once
  return true;
}

bool RateLimiter::AcquireAwaiter::await_suspend(std::coroutine_handle<> h) {
  cancel = &on_cancel;
  if (!internal::park(this, rl_->waiters_, h, "aio::RateLimiter::acquire"))
    return false;
  if (rl_->waiters_.front() == this) rl_->serve();
  return true;
}

bool RateLimiter::AcquireAwaiter::on_cancel(CancelHook* hook, Op op,
                                            std::string& msg) {
  auto* self = static_cast<AcquireAwaiter*>(static_cast<ListWaiter*>(hook));
  RateLimiter* rl = self->rl_;
  const bool was_head = rl->waiters_.front() == self;
  internal::cancel_parked(hook, op, msg);
  // A closing loop (kDetach) takes no new timers.
  if (was_head && op == kCancel) rl->serve();
  return false;
}

void RateLimiter::AcquireAwaiter::await_resume() {
  switch (outcome) {
    case ListWaiter::WaitState::kTaken:
      return;
    case ListWaiter::WaitState::kGranted:
      internal::take_grant(this);
      if (task->must_cancel()) {
        // Cancelled after the slot was granted: give it back.
        rl_->unrecord(granted_at_);
        rl_->serve();
        task->throw_if_must_cancel();
      }
      return;
    case ListWaiter::WaitState::kAbandoned:
      throw std::logic_error(
          "aio::RateLimiter destroyed while a task was waiting to acquire it");
    default:
      break;
  }
  task->throw_if_must_cancel();
  throw std::logic_error("aio::RateLimiter::acquire: resumed without a slot");
}

RateLimiter::AcquireAwaiter::~AcquireAwaiter() {
  if (outcome == ListWaiter::WaitState::kAbandoned) return;
  const bool was_head = linked() && rl_->waiters_.front() == this;
  internal::unpark(this);
  const bool refund = outcome == ListWaiter::WaitState::kGranted;
  if (refund) rl_->unrecord(granted_at_);
  // The frame may die while its loop closes: only touch timers of a live loop.
  if ((refund || was_head) && rl_->loop_usable()) rl_->serve();
}

}  // namespace aio
