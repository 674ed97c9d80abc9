#include "crawler/send_schedule.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/str_cat.h"

namespace aio::crawler {

namespace {

int64_t sat_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    return b > 0 ? SendSchedule::kNever : std::numeric_limits<int64_t>::min();
  }
  return r;
}

}  // namespace

absl::Status check_limits(const SendLimits& limits) {
  if (limits.spacing < Duration::zero()) {
    return absl::InvalidArgumentError(
        absl::StrCat("send spacing must be >= 0 (got ",
                     limits.spacing.count(), " ns)"));
  }
  if (limits.rate) {
    if (limits.rate->count < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rate count must be >= 1 (got ", limits.rate->count, ")"));
    }
    if (limits.rate->period <= Duration::zero()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rate period must be > 0 (got ",
                       limits.rate->period.count(), " ns)"));
    }
  }
  return absl::OkStatus();
}

int64_t SendSchedule::reserve(int64_t now_ns, const SendLimits& limits) {
  assert(check_limits(limits).ok());
  int64_t t = std::max(now_ns, next_allowed_);
  if (limits.rate) {
    const uint64_t n = static_cast<uint64_t>(limits.rate->count);
    const int64_t p = limits.rate->period.count();
    if (n <= max_exact_) {
      // The n-th latest reservation must have left the window (t - p, t].
      if (recent_.size() >= n) {
        t = std::max(t, sat_add(recent_[recent_.size() - n], p));
      }
      recent_.push_back(t);
      while (recent_.size() > n) recent_.pop_front();
      // Times at or before t - p count for no later reservation.
      while (!recent_.empty() && sat_add(recent_.front(), p) <= t) {
        recent_.pop_front();
      }
    } else {
      // Too many to remember: evenly spaced, period / n apart.
      const int64_t interval =
          p / static_cast<int64_t>(n) + (p % static_cast<int64_t>(n) != 0);
      if (!recent_.empty()) t = std::max(t, sat_add(recent_.back(), interval));
      recent_.assign(1, t);
    }
  }
  next_allowed_ = sat_add(t, limits.spacing.count());
  return t;
}

std::string SendSchedule::encode_recent() const {
  std::string out;
  out.reserve(recent_.size() * 8);
  for (int64_t t : recent_) {
    uint64_t u = static_cast<uint64_t>(t);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(u >> (8 * i)));
  }
  return out;
}

absl::StatusOr<SendSchedule> SendSchedule::decode(int64_t next_allowed,
                                                  std::string_view recent,
                                                  size_t max_exact) {
  if (recent.size() % 8 != 0) {
    return absl::DataLossError(absl::StrCat(
        "send schedule: ", recent.size(), " bytes is not a list of times"));
  }
  SendSchedule s(max_exact);
  s.next_allowed_ = next_allowed;
  for (size_t i = 0; i < recent.size(); i += 8) {
    uint64_t u = 0;
    for (int b = 0; b < 8; ++b) {
      u |= static_cast<uint64_t>(static_cast<unsigned char>(recent[i + b]))
           << (8 * b);
    }
    int64_t t = static_cast<int64_t>(u);
    if (!s.recent_.empty() && t < s.recent_.back()) {
      return absl::DataLossError("send schedule: times not ascending");
    }
    s.recent_.push_back(t);
  }
  return s;
}

}  // namespace aio::crawler
