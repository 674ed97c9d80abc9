#include "db/options.h"

#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "db/error.h"

namespace aio::db {
namespace {

absl::Status bad_url(std::string what) {
  return make_error(ErrorKind::kInvalidArgument,
                    absl::StrCat("bad MariaDB URL: ", what));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> percent_decode(std::string s,
                                           std::string part) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 ||
        hex_value(s[i + 2]) < 0) {
      return bad_url(absl::StrCat("bad percent-escape in the ", part));
    }
    out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 +
                                    hex_value(s[i + 2])));
    i += 2;
  }
  return out;
}

absl::StatusOr<bool> parse_bool(std::string key, std::string v) {
  std::string l = absl::AsciiStrToLower(v);
  if (l == "1" || l == "true" || l == "yes" || l == "on") return true;
  if (l == "0" || l == "false" || l == "no" || l == "off") return false;
  return bad_url(absl::StrCat(key, "=", v, " is not true or false"));
}

absl::StatusOr<size_t> parse_count(std::string key, std::string v) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(v, &n) || v.empty() || v[0] == '-' || v[0] == '+') {
    return bad_url(absl::StrCat(key, "=", v, " is not a whole number"));
  }
  return static_cast<size_t>(n);
}

// "5s", "250ms", "2m", "1h", "1.5s" or "5" (seconds).
absl::StatusOr<Duration> parse_duration(std::string key,
                                        std::string v) {
  std::string num = v;
  double scale = 1e9;
  auto ends = [&](std::string suffix, double s) {
    if (num.size() > suffix.size() &&
        num.substr(num.size() - suffix.size()) == suffix) {
      num.resize(num.size() - suffix.size());
      scale = s;
      return true;
    }
    return false;
  };
  ends("ms", 1e6) || ends("us", 1e3) || ends("s", 1e9) || ends("m", 60e9) ||
      ends("h", 3600e9);
  double x = 0;
  if (!absl::SimpleAtod(num, &x) || !std::isfinite(x) || x < 0) {
    return bad_url(absl::StrCat(key, "=", v,
                                " is not a duration (like 5s or 250ms)"));
  }
  double ns = x * scale;
  if (ns >= static_cast<double>(std::numeric_limits<int64_t>::max()))
    return Duration::max();
  return Duration(static_cast<int64_t>(ns));
}

std::string format_duration(Duration d) {
  if (d == Duration::max()) return "forever";
  if (d.count() % 1000000000 == 0) return absl::StrCat(d.count() / 1000000000, "s");
  return absl::StrCat(d.count() / 1000000, "ms");
}

}  // namespace

absl::StatusOr<Options> Options::from_url(std::string_view url_view) {
  const std::string url(url_view);
  const std::string kScheme = "mariadb://";
  Options o;
  if (url.substr(0, kScheme.size()) != kScheme) {
    std::string scheme = url.substr(0, url.find(':'));
    if (url.find("://") == std::string::npos) {
      return bad_url("it must start with mariadb://");
    }
    return bad_url(absl::StrCat("scheme '", scheme,
                                "' is not supported (use mariadb://)"));
  }
  std::string rest = url.substr(kScheme.size());
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string authority = rest;
  std::string path;
  if (size_t s = rest.find('/'); s != std::string::npos) {
    authority = rest.substr(0, s);
    path = rest.substr(s + 1);
  }
  if (size_t at = authority.rfind('@'); at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (userinfo.find(':') != std::string::npos) {
      return bad_url(
          "a password in the URL is not accepted (command lines are visible "
          "to every user): set MARIADB_PASSWORD or use an option file");
    }
    auto user = percent_decode(userinfo, "user name");
    if (!user.ok()) return user.status();
    if (user->empty()) return bad_url("the user name before '@' is empty");
    o.user = *std::move(user);
  }
  if (!authority.empty()) {
    std::string host = authority;
    if (authority.front() == '[') {  // [IPv6]:port
      size_t close = authority.find(']');
      if (close == std::string::npos)
        return bad_url("the IPv6 host has no closing ']'");
      host = authority.substr(1, close - 1);
      std::string after = authority.substr(close + 1);
      if (!after.empty() && after.front() != ':')
        return bad_url("unexpected text after the IPv6 host");
      authority = after;
    } else if (size_t c = authority.rfind(':'); c != std::string::npos) {
      host = authority.substr(0, c);
      authority = authority.substr(c);
    } else {
      authority = "";
    }
    if (!authority.empty()) {  // ":port"
      std::string port = authority.substr(1);
      uint32_t p = 0;
      if (port.empty() || !absl::SimpleAtoi(port, &p) || p == 0 || p > 65535 ||
          port[0] == '+' || port[0] == '-') {
        return bad_url(absl::StrCat("port '", port,
                                    "' is not a number from 1 to 65535"));
      }
      o.port = static_cast<uint16_t>(p);
    }
    auto h = percent_decode(host, "host");
    if (!h.ok()) return h.status();
    if (h->empty()) return bad_url("the host is empty");
    o.host = *std::move(h);
  }
  if (!path.empty()) {
    if (path.find('/') != std::string::npos)
      return bad_url(absl::StrCat("database name '", path, "' contains '/'"));
    auto db = percent_decode(path, "database name");
    if (!db.ok()) return db.status();
    o.database = *std::move(db);
  }
  if (!query.empty()) {
    for (absl::string_view piece : absl::StrSplit(query, '&')) {
      const std::string pair(piece);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      if (eq == std::string::npos)
        return bad_url(absl::StrCat("parameter '", pair, "' has no '=value'"));
      std::string key = pair.substr(0, eq);
      auto value = percent_decode(pair.substr(eq + 1), "query");
      if (!value.ok()) return value.status();
      const std::string& v = *value;
      auto set_count = [&](size_t* out) -> absl::Status {
        auto n = parse_count(key, v);
        if (!n.ok()) return n.status();
        *out = *n;
        return absl::OkStatus();
      };
      auto set_duration = [&](Duration* out) -> absl::Status {
        auto d = parse_duration(key, v);
        if (!d.ok()) return d.status();
        *out = *d;
        return absl::OkStatus();
      };
      auto set_bool = [&](bool* out) -> absl::Status {
        auto b = parse_bool(key, v);
        if (!b.ok()) return b.status();
        *out = *b;
        return absl::OkStatus();
      };
      absl::Status s;
      if (key == "socket") {
        if (v.empty()) return bad_url("socket= is empty");
        o.socket = v;
      } else if (key == "min_connections") {
        s = set_count(&o.min_connections);
      } else if (key == "max_connections") {
        s = set_count(&o.max_connections);
      } else if (key == "statement_cache_size") {
        s = set_count(&o.statement_cache_size);
      } else if (key == "acquire_timeout") {
        s = set_duration(&o.acquire_timeout);
      } else if (key == "connect_timeout") {
        s = set_duration(&o.connect_timeout);
      } else if (key == "read_timeout") {
        s = set_duration(&o.read_timeout);
      } else if (key == "write_timeout") {
        s = set_duration(&o.write_timeout);
      } else if (key == "autocommit") {
        s = set_bool(&o.autocommit);
      } else if (key == "isolation") {
        absl::StatusOr<Isolation> i = parse_isolation(v);
        if (!i.ok()) return bad_url(std::string(i.status().message()));
        o.isolation = *i;
      } else if (key == "tls") {
        s = set_bool(&o.tls.enabled);
      } else if (key == "tls_verify") {
        s = set_bool(&o.tls.verify_server_cert);
      } else if (key == "tls_ca") {
        o.tls.ca_file = v;
        o.tls.enabled = true;
      } else if (key == "option_file") {
        o.option_file = v;
      } else if (key == "option_group") {
        o.option_group = v;
      } else if (key == "password") {
        return bad_url(
            "a password in the URL is not accepted (command lines are "
            "visible to every user): set MARIADB_PASSWORD or use an option "
            "file");
      } else {
        return bad_url(absl::StrCat("unknown parameter '", key, "'"));
      }
      if (!s.ok()) return s;
    }
  }
  if (absl::Status s = o.validate(); !s.ok()) {
    return bad_url(std::string(s.message()));
  }
  return o;
}

absl::Status Options::validate() const {
  auto bad = [](const std::string& what) {
    return make_error(ErrorKind::kInvalidArgument, what);
  };
  if (max_connections == 0) return bad("max_connections must be at least 1");
  if (min_connections > max_connections)
    return bad(absl::StrCat("min_connections (", min_connections,
                            ") is greater than max_connections (",
                            max_connections, ")"));
  if (statement_cache_size == 0)
    return bad("statement_cache_size must be at least 1");
  if (acquire_timeout < Duration::zero())
    return bad("acquire_timeout must not be negative");
  if (connect_timeout < Duration::zero())
    return bad("connect_timeout must not be negative");
  if (read_timeout < Duration::zero())
    return bad("read_timeout must not be negative");
  if (write_timeout < Duration::zero())
    return bad("write_timeout must not be negative");
  if (socket.empty() && host.empty()) return bad("host is empty");
  if (socket.size() >= 108)
    return bad(absl::StrCat("socket path is ", socket.size(),
                            " bytes; a unix socket path must be under 108"));
  return absl::OkStatus();
}

std::string Options::where() const {
  if (!socket.empty()) return absl::StrCat("socket ", socket);
  return absl::StrCat(host, ":", port);
}

std::string Options::to_string() const {
  std::string s = "mariadb://";
  if (!user.empty()) absl::StrAppend(&s, user, "@");
  if (socket.empty()) absl::StrAppend(&s, host, ":", port);
  absl::StrAppend(&s, "/", database);
  std::vector<std::string> q;
  if (!socket.empty()) q.push_back(absl::StrCat("socket=", socket));
  q.push_back(absl::StrCat("min_connections=", min_connections));
  q.push_back(absl::StrCat("max_connections=", max_connections));
  q.push_back(absl::StrCat("acquire_timeout=", format_duration(acquire_timeout)));
  q.push_back(absl::StrCat("connect_timeout=", format_duration(connect_timeout)));
  q.push_back(absl::StrCat("read_timeout=", format_duration(read_timeout)));
  q.push_back(absl::StrCat("write_timeout=", format_duration(write_timeout)));
  if (!autocommit) q.push_back("autocommit=false");
  if (isolation) {
    std::string level =
        absl::AsciiStrToLower(std::string(db::to_string(*isolation)));
    for (char& c : level) {
      if (c == ' ') c = '-';
    }
    q.push_back(absl::StrCat("isolation=", level));
  }
  if (tls.enabled) q.push_back("tls=true");
  if (!tls.ca_file.empty()) q.push_back(absl::StrCat("tls_ca=", tls.ca_file));
  if (!tls.verify_server_cert) q.push_back("tls_verify=false");
  if (!option_file.empty())
    q.push_back(absl::StrCat("option_file=", option_file));
  if (option_group != "client")
    q.push_back(absl::StrCat("option_group=", option_group));
  if (!password.empty()) q.push_back("password=<set>");
  absl::StrAppend(&s, "?", absl::StrJoin(q, "&"));
  return s;
}

}  // namespace aio::db
