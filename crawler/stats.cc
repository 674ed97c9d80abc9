#include "crawler/stats.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crawler/jsonl_output.h"

namespace aio::crawler {

uint64_t CrawlStats::error_count() const {
  uint64_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

double CrawlStats::pages_per_second() const {
  double s = std::chrono::duration<double>(elapsed).count();
  return s > 0 ? static_cast<double>(pages) / s : 0.0;
}

std::string format_bytes(uint64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  double v = static_cast<double>(bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return absl::StrFormat("%.1f %s", v, units[u]);
}

std::string summary_line(const CrawlStats& s) {
  std::string errors = absl::StrCat(s.error_count(), " errors");
  if (!s.errors.empty()) {
    errors += " (";
    bool first = true;
    for (const auto& [kind, count] : s.errors) {
      absl::StrAppend(&errors, first ? "" : ", ", kind, ": ", count);
      first = false;
    }
    errors += ")";
  }
  std::string out = absl::StrCat(s.pages, " pages, ", s.records, " records, ",
                                 errors, ", ", format_bytes(s.bytes), ", ");
  absl::StrAppendFormat(&out, "%.1f pages/s, %.2f s", s.pages_per_second(),
                        std::chrono::duration<double>(s.elapsed).count());
  if (s.robots_disallowed > 0) {
    absl::StrAppend(&out, ", ", s.robots_disallowed, " disallowed by robots.txt");
  }
  if (s.interrupted) absl::StrAppend(&out, ", interrupted (", s.queued, " left)");
  return out;
}

std::string summary_json(const CrawlStats& s) {
  std::string out = "{";
  auto num = [&](const char* k, uint64_t v) {
    absl::StrAppend(&out, "\"", k, "\":", v, ",");
  };
  num("pages", s.pages);
  num("html_pages", s.html_pages);
  num("records", s.records);
  num("requests", s.requests);
  num("retries", s.retries);
  num("robots_fetched", s.robots_fetched);
  num("robots_disallowed", s.robots_disallowed);
  num("redirects", s.redirects);
  num("bytes", s.bytes);
  num("links_off_scope", s.links_off_scope);
  num("links_filtered", s.links_filtered);
  num("max_in_flight", s.max_in_flight);
  num("queued", s.queued);
  num("error_count", s.error_count());
  out += "\"errors\":{";
  bool first = true;
  for (const auto& [kind, count] : s.errors) {
    if (!first) out += ",";
    first = false;
    append_json_string(out, kind);
    absl::StrAppend(&out, ":", count);
  }
  out += "},";
  absl::StrAppendFormat(&out, "\"elapsed_s\":%.6f,\"pages_per_s\":%.3f,",
                        std::chrono::duration<double>(s.elapsed).count(),
                        s.pages_per_second());
  absl::StrAppend(&out, "\"interrupted\":", s.interrupted ? "true" : "false",
                  "}");
  return out;
}

}  // namespace aio::crawler
