#include "crawler/flags.h"

#include <stdio.h>
#include <stdlib.h>

#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "third_party/absl_compat.h"
#include "absl/time/time.h"

// ---- what to crawl ----
ABSL_FLAG(std::string, start_url, "",
          "URL to start from (depth 0); repeat for several. The crawl stays "
          "within the start URLs' origins (scheme, host and port)");
ABSL_FLAG(std::string, allow_host, "",
          "another host to crawl (any scheme and port), e.g. "
          "cdn.example.com; repeatable");
ABSL_FLAG(std::string, allow, "",
          "RE2 regular expression; when given, only URLs it matches are "
          "crawled. Matched anywhere (partial match) in the canonical URL, "
          "e.g. https://example.com/news/a?b=1 (lower-case scheme and host, "
          "no default port, no fragment); repeatable, any may match");
ABSL_FLAG(std::string, deny, "",
          "RE2 regular expression; URLs it matches are never crawled (wins "
          "over --allow). Matched like --allow; repeatable");
ABSL_FLAG(std::string, select, "title",
          "CSS selector of the records: one record per matching element, its "
          "text. Type, .class, #id, [attr], [attr=value], descendant and "
          "child (>) combinators, comma lists; e.g. 'h3.info-title.shuang'");
ABSL_FLAG(int, max_depth, 50,
          "deepest page requested (start URLs 0, their links 1, ...); a "
          "redirect keeps its source's depth; -1 = no limit");
ABSL_FLAG(int64_t, max_pages, 0,
          "at most this many pages requested in all, however many are in "
          "flight (robots.txt not counted); 0 = no limit");
ABSL_FLAG(int64_t, max_url_length, 2083, "links longer than this are dropped");
// ---- politeness and limits ----
ABSL_FLAG(int, concurrency, 32, "requests in flight in total, at most");
ABSL_FLAG(int, per_host, 8, "requests in flight to one origin, at most");
ABSL_FLAG(std::string, rate, "",
          "per-origin request rate N/PERIOD, e.g. 3/1m (3 per minute, any "
          "window of a minute) or 10/s; empty = no limit");
ABSL_FLAG(absl::Duration, delay, absl::ZeroDuration(),
          "pause between the starts of two requests to one origin; a longer "
          "robots.txt Crawl-delay wins");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "whole request (connect to last byte), also against servers that "
          "trickle");
ABSL_FLAG(std::string, max_body, "10MiB",
          "largest response body after decompression (K, M, G = 1024^n); "
          "larger pages fail as too_large");
ABSL_FLAG(int, retries, 2,
          "tries beyond the first for 5xx, 429, resets and timeouts (never "
          "other 4xx), with exponential backoff and jitter");
ABSL_FLAG(absl::Duration, backoff, absl::Milliseconds(500),
          "base of the retry backoff (doubles per try)");
ABSL_FLAG(absl::Duration, max_backoff, absl::Seconds(30),
          "longest wait before a retry, Retry-After included");
ABSL_FLAG(int, max_redirects, 10, "redirects followed from one link, at most");
ABSL_FLAG(bool, obey_robots, true,
          "fetch and obey each origin's robots.txt (RFC 9309) before any "
          "other request to it");
ABSL_FLAG(std::string, user_agent, "",
          "User-Agent header; robots.txt groups are chosen by its product "
          "token. Default: aio-crawler/<version> (+https://...)");
ABSL_FLAG(int, parse_threads, -1,
          "threads that decode and parse pages (0 = the event loop's own "
          "thread); -1 = one per core, at most 8");
// ---- output ----
ABSL_FLAG(std::string, out, "-",
          "JSON Lines file of the records, {\"url\": ..., \"title\": ...} per "
          "line; - = stdout (progress then goes to stderr)");
ABSL_FLAG(std::string, db, "",
          "write records to MariaDB instead: "
          "mariadb://user@host:port/dbname or "
          "mariadb://user@localhost/dbname?socket=/path; password from "
          "MARIADB_PASSWORD or the option files");
ABSL_FLAG(std::string, stats_json, "", "write the final summary as JSON here");
ABSL_FLAG(std::string, progress, "auto",
          "auto (a status line on a terminal, else a log line every "
          "--log_interval), tty, log or none");
ABSL_FLAG(absl::Duration, log_interval, absl::Seconds(5),
          "time between progress log lines when not on a terminal");
// ---- crash-safe crawls and many workers ----
ABSL_FLAG(std::string, job, "",
          "keep the whole crawl (frontier, leases, records) in the --db "
          "database under this name (1-64 of A-Z a-z 0-9 _ . -): the same "
          "command resumes it after a crash or Ctrl-C, and several workers "
          "(processes, machines) with the same --job and --db share it. The "
          "flags that define the crawl are stored with the job; on resume "
          "the ones not given are taken from it, and giving one with another "
          "value is an error");
ABSL_FLAG(bool, status, false,
          "with --job: print the job's state (queued, in flight, done, "
          "failed, per host, records, workers seen in the last minute) and "
          "exit without crawling");
ABSL_FLAG(bool, reset, false,
          "with --job: delete the job's state (every crawl_* row of it) and "
          "exit; its records stay in table titles (output, not state). Asks "
          "on a terminal; otherwise needs --yes");
ABSL_FLAG(bool, yes, false, "answer yes to --reset's question");
ABSL_FLAG(absl::Duration, lease, absl::Seconds(60),
          "with --job: how long this worker's claimed URLs stay its own "
          "after its last heartbeat (one every lease/3); a dead worker's "
          "URLs are taken over by the others after it. At least 1s");
ABSL_FLAG(absl::Duration, db_outage, absl::Seconds(120),
          "with --job: the database unreachable for longer than this stops "
          "the worker (exit 1; its leases expire). Until then it retries "
          "with backoff and the progress line says so");

namespace aio::crawler {

namespace {


struct Group {
  const char* title;
  std::vector<const char*> flags;
};

const std::vector<Group>& groups() {
  static const auto* g = new std::vector<Group>{
      {"What to crawl",
       {"start_url", "allow_host", "allow", "deny", "select", "max_depth",
        "max_pages", "max_url_length"}},
      {"Politeness and limits",
       {"concurrency", "per_host", "rate", "delay", "timeout", "max_body",
        "retries", "backoff", "max_backoff", "max_redirects", "obey_robots",
        "user_agent", "parse_threads"}},
      {"Output", {"out", "db", "stats_json", "progress", "log_interval"}},
      {"Crash-safe crawls and many workers (--job with --db)",
       {"job", "status", "reset", "yes", "lease", "db_outage"}},
  };
  return *g;
}

bool known(std::string_view name) {
  for (const Group& g : groups()) {
    for (const char* f : g.flags) {
      if (name == f) return true;
    }
  }
  return false;
}

absl::StatusOr<Duration> to_duration(absl::string_view flag, absl::Duration d,
                                     bool allow_zero) {
  if (d == absl::InfiniteDuration() || d == -absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": must be finite"));
  }
  if (d < absl::ZeroDuration() || (!allow_zero && d == absl::ZeroDuration())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": must be ", allow_zero ? ">= 0" : "> 0", " (got ",
        absl::FormatDuration(d), ")"));
  }
  if (d > absl::Hours(24 * 365)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": at most a year"));
  }
  return absl::ToChronoNanoseconds(d);
}

}  // namespace

absl::StatusOr<size_t> parse_size(std::string_view text_in) {
  absl::string_view text = to_absl(text_in);
  absl::string_view t = absl::StripAsciiWhitespace(text);
  size_t digits = 0;
  while (digits < t.size() && absl::ascii_isdigit(t[digits])) ++digits;
  uint64_t n = 0;
  if (digits == 0 || !absl::SimpleAtoi(t.substr(0, digits), &n)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a size (write e.g. 10MiB, 512K or 1048576)"));
  }
  std::string unit = absl::AsciiStrToLower(t.substr(digits));
  int shift = -1;
  if (unit.empty() || unit == "b") shift = 0;
  if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
  if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
  if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
  if (shift < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "': unknown unit '", unit, "' (use K, M or G)"));
  }
  if (n > (std::numeric_limits<uint64_t>::max() >> shift) ||
      (n << shift) > std::numeric_limits<size_t>::max() / 2) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is too big"));
  }
  return static_cast<size_t>(n << shift);
}

absl::StatusOr<Rate> parse_rate(std::string_view text_in) {
  absl::string_view text = to_absl(text_in);
  size_t slash = text.find('/');
  int64_t count = 0;
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a rate (write N/PERIOD, e.g. 3/1m or 10/s)"));
  };
  if (slash == std::string_view::npos ||
      !absl::SimpleAtoi(text.substr(0, slash), &count)) {
    return bad();
  }
  std::string period(absl::StripAsciiWhitespace(text.substr(slash + 1)));
  if (!period.empty() && !absl::ascii_isdigit(period[0])) period = "1" + period;
  absl::Duration d;
  if (!absl::ParseDuration(period, &d)) return bad();
  if (count < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': the count must be >= 1"));
  }
  absl::StatusOr<Duration> p = to_duration("rate", d, false);
  if (!p.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': the period must be > 0 and finite"));
  }
  return Rate{count, *p};
}

std::string usage_text() {
  std::string out = absl::StrCat(
      "crawler ", kVersion,
      ": a polite breadth-first web crawler that extracts the text of\n"
      "the elements a CSS selector matches, one record per element.\n\n"
      "Usage: crawler --start_url=URL [--start_url=URL ...] [flags]\n\n"
      "  crawler --start_url=https://example.com/ --select='h3.title' "
      "--out=titles.jsonl\n"
      "  crawler --start_url=https://example.com/ --max_pages=100 "
      "--rate=3/1m\n\n");
  for (const Group& g : groups()) {
    absl::StrAppend(&out, g.title, ":\n");
    for (const char* name : g.flags) {
      absl::CommandLineFlag* f = absl::FindCommandLineFlag(name);
      if (!f) continue;
      std::string def = f->DefaultValue();
      std::string head = absl::StrCat("  --", name);
      if (f->IsOfType<bool>()) {
        absl::StrAppend(&head, " (default ", def, ")");
      } else if (!def.empty()) {
        absl::StrAppend(&head, "=", def);
      }
      absl::StrAppend(&out, head, "\n");
      // Wrap the help at ~76 columns, indented.
      std::string help = f->Help();
      std::string line = "      ";
      for (absl::string_view word : absl::StrSplit(help, ' ')) {
        if (line.size() + word.size() > 78 && line.size() > 6) {
          absl::StrAppend(&out, line, "\n");
          line = "      ";
        }
        absl::StrAppend(&line, word, " ");
      }
      absl::StrAppend(&out, line, "\n");
    }
    out += "\n";
  }
  out +=
      "A crawl that survives crashes, shared by three workers:\n"
      "  crawler --job=news --db=mariadb://crawler@db:3306/crawl "
      "--start_url=https://example.com/\n"
      "  (the same command resumes it; run it on more machines for more "
      "workers;\n"
      "  --job=news --db=... --status shows where it stands)\n\n";
  out +=
      "Durations: 500ms, 5s, 1m30s. Booleans: --obey_robots=false or "
      "--noobey_robots.\n"
      "Exit status: 0 crawl ended (also after one Ctrl-C), 1 output or "
      "database failure,\n2 bad flags, 130 second Ctrl-C.\n";
  return out;
}

absl::StatusOr<Options> parse_command_line(int argc, char** argv) {
  std::vector<std::string> start_urls, allow_hosts, allow, deny;
  std::set<std::string> given;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      if (i + 1 < argc) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unexpected argument '", argv[i + 1], "' (see --help)"));
      }
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected argument '", arg,
          "' (URLs go in --start_url=URL; see --help)"));
    }
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    std::string name(arg.substr(0, arg.find('=')));
    std::optional<std::string> value;
    if (arg.find('=') != std::string_view::npos) {
      value = std::string(arg.substr(arg.find('=') + 1));
    }
    if (name == "help" || name == "helpfull" || name == "h" || name == "?") {
      fputs(usage_text().c_str(), stdout);
      exit(0);
    }
    if (name == "version") {
      printf("crawler %s\n", kVersion);
      exit(0);
    }
    absl::CommandLineFlag* flag = known(name) ? absl::FindCommandLineFlag(name)
                                              : nullptr;
    if (!flag && absl::StartsWith(name, "no") && !value) {
      absl::CommandLineFlag* f = known(name.substr(2))
                                     ? absl::FindCommandLineFlag(name.substr(2))
                                     : nullptr;
      if (f && f->IsOfType<bool>()) {
        flag = f;
        name = name.substr(2);
        value = "false";
      }
    }
    if (!flag) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!value) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
    }
    given.insert(name);
    if (name == "start_url") {
      start_urls.push_back(*value);
      continue;
    }
    if (name == "allow_host") {
      allow_hosts.push_back(*value);
      continue;
    }
    if (name == "allow") {
      allow.push_back(*value);
      continue;
    }
    if (name == "deny") {
      deny.push_back(*value);
      continue;
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, "=", *value, ": ", error.empty() ? "bad value" : error));
    }
  }

  Options o;
  o.start_urls = std::move(start_urls);
  o.allow_hosts = std::move(allow_hosts);
  o.allow = std::move(allow);
  o.deny = std::move(deny);
  o.select = absl::GetFlag(FLAGS_select);
  o.max_depth = absl::GetFlag(FLAGS_max_depth);
  o.max_pages = absl::GetFlag(FLAGS_max_pages);
  int64_t url_len = absl::GetFlag(FLAGS_max_url_length);
  if (url_len < 1) {
    return absl::InvalidArgumentError("--max_url_length: must be >= 1");
  }
  o.max_url_length = static_cast<size_t>(url_len);
  o.concurrency = absl::GetFlag(FLAGS_concurrency);
  o.per_host = absl::GetFlag(FLAGS_per_host);
  std::string rate = absl::GetFlag(FLAGS_rate);
  if (!rate.empty()) {
    absl::StatusOr<Rate> r = parse_rate(rate);
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rate: ", r.status().message()));
    }
    o.rate = *r;
  }
  struct D {
    const char* name;
    absl::Duration value;
    bool allow_zero;
    Duration* dst;
  };
  for (const D& d :
       {D{"delay", absl::GetFlag(FLAGS_delay), true, &o.delay},
        D{"timeout", absl::GetFlag(FLAGS_timeout), false, &o.timeout},
        D{"backoff", absl::GetFlag(FLAGS_backoff), true, &o.backoff},
        D{"max_backoff", absl::GetFlag(FLAGS_max_backoff), true,
          &o.max_backoff},
        D{"log_interval", absl::GetFlag(FLAGS_log_interval), false,
          &o.log_interval},
        D{"lease", absl::GetFlag(FLAGS_lease), false, &o.lease},
        D{"db_outage", absl::GetFlag(FLAGS_db_outage), false,
          &o.db_outage}}) {
    absl::StatusOr<Duration> v = to_duration(d.name, d.value, d.allow_zero);
    if (!v.ok()) return v.status();
    *d.dst = *v;
  }
  if (o.lease < std::chrono::seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lease: must be at least 1s (got ",
                     absl::FormatDuration(absl::GetFlag(FLAGS_lease)), ")"));
  }
  o.job = absl::GetFlag(FLAGS_job);
  o.status = absl::GetFlag(FLAGS_status);
  o.reset = absl::GetFlag(FLAGS_reset);
  o.yes = absl::GetFlag(FLAGS_yes);
  if ((o.status || o.reset || o.yes) && o.job.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", o.status ? "status" : o.reset ? "reset" : "yes",
                     " needs --job=NAME (and --db=...)"));
  }
  if (o.status && o.reset) {
    return absl::InvalidArgumentError("--status and --reset: pick one");
  }
  o.given = std::move(given);
  absl::StatusOr<size_t> body = parse_size(absl::GetFlag(FLAGS_max_body));
  if (!body.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_body: ", body.status().message()));
  }
  o.max_body = *body;
  o.retries = absl::GetFlag(FLAGS_retries);
  o.max_redirects = absl::GetFlag(FLAGS_max_redirects);
  o.obey_robots = absl::GetFlag(FLAGS_obey_robots);
  o.user_agent = absl::GetFlag(FLAGS_user_agent);
  o.parse_threads = absl::GetFlag(FLAGS_parse_threads);
  o.out = absl::GetFlag(FLAGS_out);
  o.db = absl::GetFlag(FLAGS_db);
  o.stats_json = absl::GetFlag(FLAGS_stats_json);
  std::string progress = absl::GetFlag(FLAGS_progress);
  if (progress == "auto") {
    o.progress = ProgressMode::kAuto;
  } else if (progress == "tty") {
    o.progress = ProgressMode::kTty;
  } else if (progress == "log") {
    o.progress = ProgressMode::kLog;
  } else if (progress == "none") {
    o.progress = ProgressMode::kNone;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--progress=", progress, ": must be auto, tty, log or none"));
  }
  return o;
}

}  // namespace aio::crawler
