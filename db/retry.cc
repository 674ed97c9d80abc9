#include "db/retry.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"

namespace aio::db::internal {

Duration retry_backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const double base_ms = 10.0 * static_cast<double>(1 << std::min(attempt - 1, 7));
  const double capped = std::min(base_ms, 1000.0);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::milli>(capped * jitter(rng)));
}

bool retryable(const absl::Status& status) {
  ErrorKind k = error_kind(status);
  return k == ErrorKind::kDeadlock || k == ErrorKind::kLockWaitTimeout;
}

absl::Status bad_attempts(int attempts) {
  return make_error(ErrorKind::kInvalidArgument,
                    absl::StrCat("retry_transaction: attempts must be at "
                                 "least 1, not ",
                                 attempts));
}

}  // namespace aio::db::internal
