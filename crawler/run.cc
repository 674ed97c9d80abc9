// crawler::run(Options): the binary's life after flag parsing (engine.h).
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crawler/engine.h"
#include "crawler/fetcher.h"
#include "crawler/jsonl_output.h"
#include "crawler/memory_frontier.h"
#include "crawler/progress.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "loop/task.h"

namespace aio::crawler {

namespace {

http::ClientOptions client_options(const Config& c) {
  const Options& o = c.options;
  http::ClientOptions co;
  co.max_connections = o.concurrency;
  co.max_connections_per_host = o.per_host;
  co.max_idle_connections = std::max(o.concurrency, 16);
  co.timeout = o.timeout;
  co.connect_timeout = std::min<Duration>(o.timeout, std::chrono::seconds(10));
  co.low_speed_limit = 0;  // --timeout bounds the whole transfer instead
  co.max_body_size = o.max_body;
  co.follow_redirects = false;
  co.max_redirects = 5;  // robots.txt only (RFC 9309: at least five hops)
  co.user_agent = c.user_agent;
  co.decompress = true;
  co.cookies = false;
  return co;
}

absl::StatusOr<std::unique_ptr<Output>> open_output(const Config& c) {
  if (!c.options.db.empty()) {
    return absl::UnimplementedError(
        "--db: the MariaDB output is not available in this build");
  }
  absl::StatusOr<std::unique_ptr<JsonlOutput>> out =
      JsonlOutput::open(c.options.out);
  if (!out.ok()) return out.status();
  return std::unique_ptr<Output>(*std::move(out));
}

bool write_file(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (fclose(f) == 0) && ok;
  return ok;
}

}  // namespace

Coro<int> run(Options options) {
  absl::StatusOr<Config> config = prepare(options);
  if (!config.ok()) {
    absl::FPrintF(stderr, "crawler: %s\n", config.status().message());
    co_return 2;
  }
  absl::StatusOr<std::unique_ptr<Output>> output = open_output(*config);
  if (!output.ok()) {
    absl::FPrintF(stderr, "crawler: %s\n", output.status().message());
    co_return output.status().code() == absl::StatusCode::kInvalidArgument ? 2
                                                                           : 1;
  }
  // Progress and the summary go to stdout, or to stderr when the records do.
  FILE* status_out = config->options.db.empty() && config->options.out == "-"
                         ? stderr
                         : stdout;
  MemoryFrontier frontier(FrontierLimits{config->options.max_depth,
                                         config->options.max_pages});
  HttpFetcher fetcher(client_options(*config));
  Engine engine(*config, frontier, **output, fetcher);
  Progress progress(status_out, config->options.progress,
                    config->options.log_interval);

  EventLoop& loop = get_event_loop();
  auto on_signal = [&engine, &progress] {
    if (engine.stopping()) {
      // The second Ctrl-C: out at once. The output holds whole lines only
      // (each write(2) is whole lines), so nothing half-written is left.
      static const char kMsg[] = "\ncrawler: interrupted again, exiting now\n";
      (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
      _exit(130);
    }
    progress.message(
        "crawler: stopping (requests in flight finish; Ctrl-C again to quit "
        "now)");
    engine.stop();
  };
  loop.add_signal_handler(SIGINT, on_signal);
  loop.add_signal_handler(SIGTERM, on_signal);

  Task<void> ticker =
      create_task(progress.run([&engine] { return engine.stats(); }));
  absl::Status status = co_await engine.crawl();
  ticker.cancel();
  try {
    co_await ticker;
  } catch (const CancelledError&) {
  }
  absl::Status closed = co_await (*output)->close();
  if (status.ok()) status = closed;
  loop.remove_signal_handler(SIGINT);
  loop.remove_signal_handler(SIGTERM);

  CrawlStats stats = engine.stats();
  progress.finish();
  absl::FPrintF(status_out, "crawler: %s: %s\n",
                stats.interrupted ? "stopped" : "done", summary_line(stats));
  fflush(status_out);
  int code = 0;
  if (!status.ok()) {
    absl::FPrintF(stderr, "crawler: %s\n", status.message());
    code = 1;
  }
  if (!config->options.stats_json.empty() &&
      !write_file(config->options.stats_json, summary_json(stats) + "\n")) {
    absl::FPrintF(stderr, "crawler: cannot write --stats_json=%s\n",
                  config->options.stats_json);
    code = 1;
  }
  co_return code;
}

}  // namespace aio::crawler
