// aio::crawler::Progress: what a person watching a crawl sees.
//   on a terminal: one status line, redrawn in place every 250 ms
//     "  1234 pages  456.7 pages/s  32 in flight  1200 queued  1100 records  3 errors"
//     with "  database unreachable since 12:03:07, retrying" appended while
//     the job's database is (local time)
//   otherwise: the same as a log line every `log_interval` (default 5 s),
//     prefixed with the elapsed time, so logs and CI output stay readable.
// message() prints a line (e.g. "stopping...") without garbling the status
// line; finish() erases the status line before the summary is printed.
//
// Threads: one loop's thread. run() loops until its task is cancelled.
#ifndef AIO_CRAWLER_PROGRESS_H_
#define AIO_CRAWLER_PROGRESS_H_

#include <stdio.h>

#include <functional>
#include <string>
#include <string_view>

#include "crawler/options.h"
#include "crawler/stats.h"
#include "loop/clock.h"
#include "loop/coro.h"

namespace aio::crawler {

class Progress {
 public:
  // kAuto: kTty when `out` is a terminal, else kLog.
  Progress(FILE* out, ProgressMode mode, Duration log_interval);

  ProgressMode mode() const { return mode_; }
  Coro<void> run(std::function<CrawlStats()> sample);
  void message(std::string_view line);
  void finish();

  // The status text of `now`, with the rate measured since `before`
  // (exposed for tests).
  static std::string status_text(const CrawlStats& now,
                                 const CrawlStats& before);

 private:
  FILE* out_;
  ProgressMode mode_;
  Duration interval_;
  bool line_shown_ = false;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_PROGRESS_H_
