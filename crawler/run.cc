// crawler::run(Options): the binary's life after flag parsing (engine.h).
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crawler/engine.h"
#include "crawler/fetcher.h"
#include "absl/strings/ascii.h"
#include "crawler/job.h"
#include "crawler/jsonl_output.h"
#include "crawler/mariadb_frontier.h"
#include "crawler/mariadb_host_state.h"
#include "crawler/mariadb_output.h"
#include "crawler/memory_frontier.h"
#include "crawler/progress.h"
#include "db/options.h"
#include "db/pool.h"
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

Coro<absl::StatusOr<std::unique_ptr<Output>>> open_output(const Config& c) {
  if (!c.options.db.empty()) {
    absl::StatusOr<std::unique_ptr<MariaDbOutput>> db =
        co_await MariaDbOutput::open(c.options.db);
    if (!db.ok()) co_return db.status();
    co_return std::unique_ptr<Output>(*std::move(db));
  }
  absl::StatusOr<std::unique_ptr<JsonlOutput>> out =
      JsonlOutput::open(c.options.out);
  if (!out.ok()) co_return out.status();
  co_return std::unique_ptr<Output>(*std::move(out));
}

bool write_file(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (fclose(f) == 0) && ok;
  return ok;
}

// Records of a --job crawl are stored by the frontier, inside each page's
// completion transaction; the engine's Output is then this no-op.
class FrontierStoresRecords final : public Output {
 public:
  explicit FrontierStoresRecords(std::string where) : where_(std::move(where)) {}
  Coro<absl::Status> write(std::vector<Record>) override {
    co_return absl::InternalError("records of a --job crawl go to the frontier");
  }
  Coro<absl::Status> flush() override { co_return absl::OkStatus(); }
  Coro<absl::Status> close() override { co_return absl::OkStatus(); }
  std::string describe() const override { return where_; }

 private:
  std::string where_;
};

// The crawl itself, once the frontier and output exist: signals, progress,
// summary, --stats_json. `job` is set for a --job crawl.
Coro<int> crawl(const Config& config, Frontier& frontier, Output& output,
                FILE* status_out, MariaDbFrontier* job, HostState* hosts) {
  HttpFetcher fetcher(client_options(config));
  Engine engine(config, frontier, output, fetcher, hosts);
  Progress progress(status_out, config.options.progress,
                    config.options.log_interval);

  EventLoop& loop = get_event_loop();
  auto on_signal = [&engine, &progress] {
    if (engine.stopping()) {
      // The second Ctrl-C: out at once. The output holds whole lines only
      // (each write(2) is whole lines), so nothing half-written is left; a
      // --job crawl's uncommitted pages are still leased and are fetched
      // again after the lease.
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
  absl::Status closed = co_await output.close();
  if (status.ok()) status = closed;
  std::string left;
  if (job) {
    absl::Status fc = co_await job->close();
    if (status.ok()) status = fc;
    absl::StatusOr<uint64_t> n = co_await job->left();
    if (n.ok()) {
      left = absl::StrCat("; ", *n, " URLs left in job ", config.options.job);
      const int64_t max_pages = config.options.max_pages;
      if (*n > 0 && max_pages > 0 &&
          job->stats().budget_used >= static_cast<uint64_t>(max_pages)) {
        left += " (its --max_pages budget is used up)";
      } else if (*n > 0) {
        left += " (the same command resumes it)";
      }
    }
  }
  loop.remove_signal_handler(SIGINT);
  loop.remove_signal_handler(SIGTERM);

  CrawlStats stats = engine.stats();
  progress.finish();
  absl::FPrintF(status_out, "crawler: %s: %s%s\n",
                stats.interrupted ? "stopped" : "done", summary_line(stats),
                left);
  fflush(status_out);
  int code = 0;
  if (!status.ok()) {
    absl::FPrintF(stderr, "crawler: %s\n", status.message());
    code = 1;
  }
  if (!config.options.stats_json.empty() &&
      !write_file(config.options.stats_json, summary_json(stats) + "\n")) {
    absl::FPrintF(stderr, "crawler: cannot write --stats_json=%s\n",
                  config.options.stats_json);
    code = 1;
  }
  co_return code;
}

int say(int code, absl::string_view message) {
  absl::FPrintF(stderr, "crawler: %s\n", message);
  return code;
}

// --reset's question on a terminal; true = go ahead.
bool confirm_reset(const std::string& name, const JobSize& size) {
  absl::FPrintF(stderr, "reset job %s (%d URLs, %d done)? [y/N] ", name,
                size.urls, size.done);
  fflush(stderr);
  char line[64] = {};
  if (!fgets(line, sizeof line, stdin)) return false;
  std::string answer = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line));
  return answer == "y" || answer == "yes";
}

// --job: the crawl's state in MariaDB (crawler/job.h).
Coro<int> run_job(Options options) {
  if (options.db.empty()) {
    co_return say(2, absl::StrCat("--job=", options.job,
                                  " needs --db=mariadb://... (the job's state "
                                  "lives in that database)"));
  }
  absl::Status name_ok = valid_job_name(options.job);
  if (!name_ok.ok()) co_return say(2, name_ok.message());
  absl::StatusOr<db::Options> dbo = db::Options::from_url(options.db);
  if (!dbo.ok()) co_return say(2, absl::StrCat("--db: ", dbo.status().message()));
  dbo->min_connections = 2;
  dbo->max_connections = 8;
  // A server that stops answering (not just refusing) must not hang a
  // statement forever: the outage retry loop takes over.
  dbo->read_timeout = std::chrono::seconds(60);
  // The job's transactions are READ COMMITTED (crawler/job.h): as the
  // sessions' default they need no SET TRANSACTION each.
  if (!dbo->isolation) dbo->isolation = db::Isolation::kReadCommitted;
  std::string where = dbo->to_string();
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(*dbo);
  if (!pool.ok()) {
    co_return say(1, absl::StrCat("cannot connect to MariaDB at ", dbo->where(),
                                  ": ", pool.status().message()));
  }
  absl::Status tables = co_await create_job_tables(*pool);
  if (!tables.ok()) co_return say(1, absl::StrCat(where, ": ", tables.message()));
  absl::StatusOr<std::optional<Job>> found =
      co_await find_job(*pool, options.job);
  if (!found.ok()) co_return say(1, found.status().message());

  if (options.status) {
    absl::StatusOr<JobStatus> st = co_await job_status(*pool, options.job);
    if (!st.ok()) co_return say(1, st.status().message());
    fputs(render_status(*st).c_str(), stdout);
    fflush(stdout);
    co_return 0;
  }
  if (options.reset) {
    if (!*found) {
      co_return say(1, absl::StrCat("no job ", options.job, " in ", where));
    }
    absl::StatusOr<JobSize> size = co_await job_size(*pool, (*found)->id);
    if (!size.ok()) co_return say(1, size.status().message());
    if (!options.yes) {
      if (!isatty(STDIN_FILENO)) {
        co_return say(2, absl::StrCat("--reset of job ", options.job, " (",
                                      size->urls, " URLs, ", size->done,
                                      " done) needs --yes when not on a "
                                      "terminal"));
      }
      if (!confirm_reset(options.job, *size)) {
        co_return say(1, absl::StrCat("job ", options.job, " not reset"));
      }
    }
    absl::Status r = co_await reset_job(*pool, (*found)->id);
    if (!r.ok()) co_return say(1, r.message());
    absl::FPrintF(stdout,
                  "crawler: job %s reset (%d URLs deleted; its records stay "
                  "in table titles)\n",
                  options.job, size->urls);
    co_return 0;
  }

  std::set<std::string> given = options.given;
  if (given.empty()) given.insert(std::begin(kJobFlags), std::end(kJobFlags));
  if (*found) {
    absl::Status m = apply_job_settings((*found)->settings, given, options);
    if (!m.ok()) co_return say(2, m.message());
  }
  absl::StatusOr<Config> config = prepare(options);
  if (!config.ok()) co_return say(2, config.status().message());
  Job job;
  if (*found) {
    job = **found;
  } else {
    absl::StatusOr<Job> made = co_await create_job(*pool, options.job, options);
    if (!made.ok()) co_return say(1, made.status().message());
    // Another worker may have made it first, with other flags.
    std::set<std::string> all(std::begin(kJobFlags), std::end(kJobFlags));
    Options check = options;
    absl::Status m = apply_job_settings(made->settings, all, check);
    if (!m.ok()) co_return say(2, m.message());
    job = *std::move(made);
  }
  MariaDbFrontierOptions fo;
  fo.per_host = config->options.per_host;
  fo.lease = config->options.lease;
  fo.db_outage = config->options.db_outage;
  fo.limits = FrontierLimits{config->options.max_depth,
                             config->options.max_pages};
  absl::StatusOr<std::unique_ptr<MariaDbFrontier>> frontier =
      co_await MariaDbFrontier::open(*pool, std::move(job), fo);
  if (!frontier.ok()) {
    co_return say(frontier.status().code() ==
                          absl::StatusCode::kInvalidArgument
                      ? 2
                      : 1,
                  frontier.status().message());
  }
  // robots.txt once per job and --delay / --rate over all workers.
  MariaDbHostStateOptions ho;
  ho.job_id = (*frontier)->job_id();
  ho.worker_id = (*frontier)->worker_id();
  ho.outage = config->options.db_outage;
  absl::StatusOr<std::unique_ptr<MariaDbHostState>> hosts =
      co_await MariaDbHostState::open(*pool, ho);
  if (!hosts.ok()) {
    absl::Status closed = co_await (*frontier)->close();
    (void)closed;
    co_return say(1, absl::StrCat(where, ": ", hosts.status().message()));
  }
  FrontierStoresRecords output(where);
  co_return co_await crawl(*config, **frontier, output, stdout,
                           frontier->get(), hosts->get());
}

}  // namespace

Coro<int> run(Options options) {
  if (!options.job.empty()) co_return co_await run_job(std::move(options));
  absl::StatusOr<Config> config = prepare(options);
  if (!config.ok()) {
    absl::FPrintF(stderr, "crawler: %s\n", config.status().message());
    co_return 2;
  }
  absl::StatusOr<std::unique_ptr<Output>> output =
      co_await open_output(*config);
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
  co_return co_await crawl(*config, frontier, **output, status_out, nullptr,
                           nullptr);
}

}  // namespace aio::crawler
