#include "crawler/progress.h"

#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "loop/sleep.h"

namespace aio::crawler {

Progress::Progress(FILE* out, ProgressMode mode, Duration log_interval)
    : out_(out), mode_(mode), interval_(log_interval) {
  if (mode_ == ProgressMode::kAuto) {
    mode_ = isatty(fileno(out_)) ? ProgressMode::kTty : ProgressMode::kLog;
  }
}

std::string Progress::status_text(const CrawlStats& now,
                                  const CrawlStats& before) {
  double dt = std::chrono::duration<double>(now.elapsed - before.elapsed).count();
  double rate = dt > 0 ? static_cast<double>(now.pages - before.pages) / dt : 0;
  std::string text = absl::StrFormat(
      "%d pages  %.1f pages/s  %d in flight  %d queued  %d records  %d errors",
      now.pages, rate, now.in_flight, now.queued, now.records,
      now.error_count());
  if (now.paused_since) {
    absl::StrAppend(&text, "  database unreachable since ",
                    absl::FormatTime("%H:%M:%S",
                                     absl::FromChrono(*now.paused_since),
                                     absl::LocalTimeZone()),
                    ", retrying");
  }
  return text;
}

Coro<void> Progress::run(std::function<CrawlStats()> sample) {
  if (mode_ == ProgressMode::kNone) co_return;
  const bool tty = mode_ == ProgressMode::kTty;
  const Duration period = tty ? Duration(std::chrono::milliseconds(250)) : interval_;
  CrawlStats before = sample();
  for (;;) {
    co_await aio::sleep(period);
    CrawlStats now = sample();
    std::string text = status_text(now, before);
    if (tty) {
      absl::FPrintF(out_, "\r\033[K%s", text);
      line_shown_ = true;
    } else {
      absl::FPrintF(out_, "[%7.1fs] %s\n",
                    std::chrono::duration<double>(now.elapsed).count(), text);
    }
    fflush(out_);
    before = now;
  }
}

void Progress::message(std::string_view line) {
  if (line_shown_) absl::FPrintF(out_, "\r\033[K");
  line_shown_ = false;
  absl::FPrintF(out_, "%s\n", line);
  fflush(out_);
}

void Progress::finish() {
  if (line_shown_) absl::FPrintF(out_, "\r\033[K");
  line_shown_ = false;
  fflush(out_);
}

}  // namespace aio::crawler
