#include "crawler/robots.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/canonical_url.h"

namespace aio::crawler {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '_';
}

// Does `pattern` (with '*' wildcards) match a prefix of `path` (all of it
// when `anchored`)? Greedy with backtracking to the last '*': O(n * m) at
// worst, no recursion.
bool wildcard_match(std::string_view pattern, std::string_view path,
                    bool anchored) {
  size_t p = 0, s = 0;
  size_t star = std::string_view::npos, star_s = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || s == path.size()) return true;
      // Anchored and text left: let the last '*' swallow more.
    } else if (pattern[p] == '*') {
      star = p++;
      star_s = s;
      continue;
    } else if (s < path.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
      continue;
    }
    if (star == std::string_view::npos || star_s >= path.size()) return false;
    p = star + 1;
    s = ++star_s;
  }
}

std::optional<Duration> parse_delay(std::string_view v) {
  std::string text(trim(v));
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || std::isnan(seconds) || seconds < 0) {
    return std::nullopt;
  }
  double max_seconds =
      std::chrono::duration<double>(Robots::kMaxCrawlDelay).count();
  if (!(seconds < max_seconds)) return Robots::kMaxCrawlDelay;
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(seconds));
}

}  // namespace

std::string product_token(std::string_view user_agent) {
  user_agent = trim(user_agent);
  size_t n = 0;
  while (n < user_agent.size() && is_token_char(user_agent[n])) ++n;
  return to_lower(user_agent.substr(0, n));
}

Robots Robots::allow_all() { return Robots(); }

Robots Robots::disallow_all() {
  Robots r;
  r.disallow_all_ = true;
  return r;
}

Robots Robots::parse(std::string_view body, std::string_view user_agent) {
  if (body.size() > kMaxBytes) {
    body = body.substr(0, kMaxBytes);
    // Drop a line cut in the middle.
    size_t last = body.find_last_of("\r\n");
    body = last == std::string_view::npos ? std::string_view()
                                          : body.substr(0, last + 1);
  }
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  const std::string token = product_token(user_agent);

  struct Group {
    bool mine = false;  // names our product token
    bool star = false;  // names "*"
    std::vector<Rule> rules;
    std::optional<Duration> delay;
  };
  std::vector<Group> groups;
  bool in_agents = false;  // the last line was a User-agent line

  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    if (eol + 1 < body.size() && body[eol] == '\r' && body[eol + 1] == '\n') {
      ++pos;
    }
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = to_lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));

    if (key == "user-agent" || key == "useragent" || key == "user agent") {
      if (!in_agents) groups.emplace_back();
      in_agents = true;
      Group& g = groups.back();
      if (value == "*") {
        g.star = true;
      } else {
        std::string t = product_token(value);
        if (!t.empty() && t == token) g.mine = true;
      }
      continue;
    }
    if (key == "allow" || key == "disallow") {
      in_agents = false;
      if (groups.empty()) continue;  // rules before any group
      if (value.empty()) continue;   // "Disallow:" allows everything
      Rule r;
      r.allow = key == "allow";
      std::string_view pattern = value;
      if (pattern.back() == '$') {
        r.anchored = true;
        pattern.remove_suffix(1);
      }
      r.pattern = normalize_percent_encoding(pattern);
      r.length = r.pattern.size() + (r.anchored ? 1 : 0);
      groups.back().rules.push_back(std::move(r));
      continue;
    }
    if (key == "crawl-delay") {
      in_agents = false;
      if (groups.empty()) continue;
      Group& g = groups.back();
      if (!g.delay) g.delay = parse_delay(value);
      continue;
    }
    // Sitemap and unknown keys: not part of any group, ignored. They do not
    // end the run of User-agent lines either (RFC 9309 2.2: other records
    // may be interleaved).
  }

  bool any_mine = false;
  for (const Group& g : groups) any_mine = any_mine || g.mine;
  Robots out;
  for (const Group& g : groups) {
    if (any_mine ? !g.mine : !g.star) continue;
    out.rules_.insert(out.rules_.end(), g.rules.begin(), g.rules.end());
    if (!out.crawl_delay_ && g.delay) out.crawl_delay_ = g.delay;
  }
  return out;
}

bool Robots::allowed(std::string_view path_and_query) const {
  std::string path = path_and_query.empty()
                         ? std::string("/")
                         : normalize_percent_encoding(path_and_query);
  if (path == "/robots.txt") return true;
  if (disallow_all_) return false;
  const Rule* best = nullptr;
  for (const Rule& r : rules_) {
    if (best != nullptr &&
        (r.length < best->length || (r.length == best->length && !r.allow))) {
      continue;
    }
    if (!wildcard_match(r.pattern, path, r.anchored)) continue;
    if (best == nullptr || r.length > best->length || r.allow) best = &r;
  }
  return best == nullptr || best->allow;
}

RobotsVerdict robots_for_status(int http_status) {
  if (http_status >= 200 && http_status < 300) return RobotsVerdict::kParse;
  if (http_status == 429) return RobotsVerdict::kDisallowForNow;
  if (http_status >= 300 && http_status < 500) return RobotsVerdict::kAllowAll;
  return RobotsVerdict::kDisallowForNow;
}

}  // namespace aio::crawler
