#include "crawler/job.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "crawler/canonical_url.h"
#include "crawler/flags.h"
#include "crawler/mariadb_output.h"
#include "db/error.h"
#include "third_party/absl_compat.h"

namespace aio::crawler {

namespace {

constexpr const char* kDdl[] = {
    "CREATE TABLE IF NOT EXISTS crawl_jobs ("
    " id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " name VARCHAR(64) NOT NULL,"
    " settings TEXT NOT NULL,"
    " max_pages BIGINT NOT NULL DEFAULT 0,"
    " budget_used BIGINT NOT NULL DEFAULT 0,"
    " created_at DATETIME(6) NOT NULL,"
    " UNIQUE KEY name (name)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",

    "CREATE TABLE IF NOT EXISTS crawl_origins ("
    " job_id BIGINT UNSIGNED NOT NULL,"
    " id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
    " origin VARCHAR(2100) NOT NULL,"
    " origin_hash BINARY(32) NOT NULL,"
    " last_claim DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:00',"
    " next_depth INT NOT NULL DEFAULT 0,"
    " next_seq BIGINT UNSIGNED NOT NULL DEFAULT 0,"
    " PRIMARY KEY (job_id, id),"
    " UNIQUE KEY origin (job_id, origin_hash),"
    " KEY id (id),"
    " KEY turn (job_id, last_claim, id)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",

    "CREATE TABLE IF NOT EXISTS crawl_urls ("
    " job_id BIGINT UNSIGNED NOT NULL,"
    " url_hash BINARY(32) NOT NULL,"
    " url TEXT NOT NULL,"
    " origin_id BIGINT UNSIGNED NOT NULL,"
    " depth INT NOT NULL,"
    " redirects INT NOT NULL,"
    " seq BIGINT UNSIGNED NOT NULL,"
    " state ENUM('queued','leased','done','failed','skipped') NOT NULL"
    "   DEFAULT 'queued',"
    " lease_owner VARCHAR(200) NULL,"
    " lease_token BIGINT UNSIGNED NULL,"
    " done_at DATETIME(6) NULL,"
    " reason VARCHAR(64) NULL,"
    " unfinished TINYINT AS (state IN ('queued', 'leased')) VIRTUAL,"
    " PRIMARY KEY (job_id, url_hash),"
    " KEY claim (job_id, origin_id, unfinished, depth, seq),"
    " KEY fresh (job_id, seq, depth)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",

    "CREATE TABLE IF NOT EXISTS crawl_workers ("
    " job_id BIGINT UNSIGNED NOT NULL,"
    " worker_id VARCHAR(200) NOT NULL,"
    " hostname VARCHAR(255) NOT NULL,"
    " pid BIGINT NOT NULL,"
    " started_at DATETIME(6) NOT NULL,"
    " last_seen DATETIME(6) NOT NULL,"
    " lease_us BIGINT NOT NULL,"
    " PRIMARY KEY (job_id, worker_id)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",

    "CREATE TABLE IF NOT EXISTS crawl_inflight ("
    " job_id BIGINT UNSIGNED NOT NULL,"
    " origin_id BIGINT UNSIGNED NOT NULL,"
    " worker_id VARCHAR(200) NOT NULL,"
    " n INT NOT NULL,"
    " PRIMARY KEY (job_id, origin_id, worker_id)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
};

std::string escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

absl::StatusOr<std::string> unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\') {
      out += v[i];
      continue;
    }
    if (++i == v.size()) return absl::DataLossError("settings: dangling \\");
    switch (v[i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default:
        return absl::DataLossError("settings: bad escape");
    }
  }
  return out;
}

std::string duration_text(Duration d) {
  return absl::FormatDuration(absl::FromChrono(d));
}

bool is_list(const std::string& flag) {
  return flag == "start_url" || flag == "allow_host" || flag == "allow" ||
         flag == "deny";
}

std::string shown(const std::vector<std::string>& v, const std::string& flag) {
  if (!is_list(flag)) return absl::StrCat("'", v.empty() ? "" : v[0], "'");
  if (v.empty()) return "none";
  std::vector<std::string> q;
  for (const std::string& s : v) q.push_back(absl::StrCat("'", s, "'"));
  return absl::StrJoin(q, ", ");
}

// Sets the Options field of `flag` from its stored values.
absl::Status set_option(const std::string& flag,
                        const std::vector<std::string>& v, Options& o) {
  auto one = [&]() -> std::string { return v.empty() ? "" : v[0]; };
  auto bad = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat(
        "the job's stored --", flag, " is damaged (", why, ")"));
  };
  auto to_int = [&](int64_t& out) {
    return absl::SimpleAtoi(one(), &out);
  };
  int64_t n = 0;
  if (flag == "start_url") {
    o.start_urls = v;
  } else if (flag == "allow_host") {
    o.allow_hosts = v;
  } else if (flag == "allow") {
    o.allow = v;
  } else if (flag == "deny") {
    o.deny = v;
  } else if (flag == "select") {
    o.select = one();
  } else if (flag == "user_agent") {
    o.user_agent = one();
  } else if (flag == "obey_robots") {
    o.obey_robots = one() == "true";
  } else if (flag == "rate") {
    if (one().empty()) {
      o.rate.reset();
    } else {
      absl::StatusOr<Rate> r = parse_rate(one());
      if (!r.ok()) return bad(r.status().message());
      o.rate = *r;
    }
  } else if (flag == "delay") {
    absl::Duration d;
    if (!absl::ParseDuration(one(), &d)) return bad("not a duration");
    o.delay = absl::ToChronoNanoseconds(d);
  } else {
    if (!to_int(n)) return bad("not a number");
    if (flag == "max_depth") o.max_depth = static_cast<int>(n);
    if (flag == "max_pages") o.max_pages = n;
    if (flag == "per_host") o.per_host = static_cast<int>(n);
    if (flag == "max_url_length") o.max_url_length = static_cast<size_t>(n);
    if (flag == "max_redirects") o.max_redirects = static_cast<int>(n);
  }
  return absl::OkStatus();
}

absl::Status db_error(const std::string& what, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
}

Coro<absl::StatusOr<Job>> job_from_row(const db::ResultSet& rs) {
  db::Row row = rs[0];
  Job j;
  absl::StatusOr<uint64_t> id = row.get<uint64_t>(0);
  absl::StatusOr<std::string> name = row.get<std::string>(1);
  absl::StatusOr<std::string> text = row.get<std::string>(2);
  absl::StatusOr<int64_t> max_pages = row.get<int64_t>(3);
  if (!id.ok() || !name.ok() || !text.ok() || !max_pages.ok()) {
    co_return absl::DataLossError("crawl_jobs: unexpected row");
  }
  absl::StatusOr<JobSettings> s = decode_settings(*text);
  if (!s.ok()) co_return s.status();
  j.id = *id;
  j.name = *name;
  j.settings = *std::move(s);
  j.max_pages = *max_pages;
  co_return j;
}

}  // namespace

JobSettings job_settings(const Options& o) {
  JobSettings s;
  std::vector<std::string> starts;
  for (const std::string& u : o.start_urls) {
    absl::StatusOr<std::string> c = canonicalize(u);
    starts.push_back(c.ok() ? *c : u);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  s["start_url"] = starts;
  std::vector<std::string> hosts;
  for (const std::string& h : o.allow_hosts) {
    hosts.push_back(absl::AsciiStrToLower(h));
  }
  std::sort(hosts.begin(), hosts.end());
  hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
  s["allow_host"] = hosts;
  s["allow"] = o.allow;
  s["deny"] = o.deny;
  s["select"] = {o.select};
  s["max_depth"] = {absl::StrCat(o.max_depth < 0 ? -1 : o.max_depth)};
  s["max_pages"] = {absl::StrCat(o.max_pages)};
  s["obey_robots"] = {o.obey_robots ? "true" : "false"};
  s["user_agent"] = {o.user_agent};
  s["per_host"] = {absl::StrCat(o.per_host)};
  s["rate"] = {o.rate ? absl::StrCat(o.rate->count, "/",
                                     duration_text(o.rate->period))
                      : ""};
  s["delay"] = {duration_text(o.delay)};
  s["max_url_length"] = {absl::StrCat(o.max_url_length)};
  s["max_redirects"] = {absl::StrCat(o.max_redirects)};
  return s;
}

std::string encode_settings(const JobSettings& settings) {
  std::string out;
  for (const char* flag : kJobFlags) {
    auto it = settings.find(flag);
    if (it == settings.end()) continue;
    if (it->second.empty()) absl::StrAppend(&out, flag, "\n");
    for (const std::string& v : it->second) {
      absl::StrAppend(&out, flag, "\t", escape(v), "\n");
    }
  }
  return out;
}

absl::StatusOr<JobSettings> decode_settings(std::string_view text) {
  JobSettings s;
  for (absl::string_view line : absl::StrSplit(to_absl(text), '\n')) {
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    std::string name(line.substr(0, tab));
    if (std::find_if(std::begin(kJobFlags), std::end(kJobFlags),
                     [&](const char* f) { return name == f; }) ==
        std::end(kJobFlags)) {
      return absl::DataLossError(
          absl::StrCat("the job's stored settings name an unknown flag '",
                       name, "'"));
    }
    std::vector<std::string>& values = s[name];
    if (tab == absl::string_view::npos) continue;  // an empty list
    absl::StatusOr<std::string> v = unescape(to_std(line.substr(tab + 1)));
    if (!v.ok()) return v.status();
    values.push_back(*std::move(v));
  }
  return s;
}

absl::Status apply_job_settings(const JobSettings& stored,
                                const std::set<std::string>& given,
                                Options& options) {
  JobSettings now = job_settings(options);
  std::vector<std::string> differ;
  for (const char* flag : kJobFlags) {
    auto st = stored.find(flag);
    if (st == stored.end()) continue;  // a job made before the flag existed
    if (given.contains(flag)) {
      if (now[flag] != st->second) {
        differ.push_back(absl::StrCat("--", flag, ": the job has ",
                                      shown(st->second, flag),
                                      ", this run says ", shown(now[flag], flag)));
      }
      continue;
    }
    absl::Status s = set_option(flag, st->second, options);
    if (!s.ok()) return s;
  }
  if (!differ.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        absl::StrJoin(differ, "; "),
        " (a job keeps the flags it was created with; use another --job or "
        "--reset it)"));
  }
  return absl::OkStatus();
}

absl::Status valid_job_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.' && c != '-') {
      ok = false;
    }
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--job=", to_absl(name), ": a job name is 1-64 characters of A-Z a-z 0-9 _ . -"));
}

Coro<absl::Status> create_job_tables(db::Pool& pool) {
  for (const char* ddl : kDdl) {
    absl::StatusOr<db::ExecResult> r = co_await pool.execute(db::Sql(ddl));
    if (!r.ok()) co_return db_error("creating the job tables", r.status());
  }
  // Tables made by an older layout stay as they were (IF NOT EXISTS): say
  // so instead of failing later on a missing column.
  absl::StatusOr<db::ResultSet> cols = co_await pool.query(
      "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME)"
      " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
      " AND ((TABLE_NAME = 'crawl_urls' AND COLUMN_NAME = 'unfinished')"
      "   OR (TABLE_NAME = 'crawl_origins' AND COLUMN_NAME = 'next_seq')"
      "   OR (TABLE_NAME = 'crawl_workers' AND COLUMN_NAME = 'lease_us'))"
      " UNION ALL SELECT DISTINCT CONCAT(TABLE_NAME, ' index ', INDEX_NAME)"
      " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
      " AND ((TABLE_NAME = 'crawl_origins' AND INDEX_NAME = 'turn')"
      "   OR (TABLE_NAME = 'crawl_urls' AND INDEX_NAME = 'fresh'))");
  if (!cols.ok()) co_return db_error("checking the job tables", cols.status());
  if (cols->size() != 5) {
    co_return absl::FailedPreconditionError(
        "the crawl_* tables in this database were made by an older version"
        " of the crawler (crawl_urls.unfinished, crawl_origins.next_seq,"
        " crawl_workers.lease_us, crawl_origins' index turn or crawl_urls'"
        " index fresh is missing):"
        " finish or drop those jobs, or use another database");
  }
  absl::StatusOr<db::ExecResult> t =
      co_await pool.execute(db::Sql(MariaDbOutput::kCreateTable));
  if (!t.ok()) co_return db_error("creating table titles", t.status());
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<std::optional<Job>>> find_job(db::Pool& pool,
                                                  std::string name) {
  absl::StatusOr<db::ResultSet> rs = co_await pool.query(
      "SELECT id, name, settings, max_pages FROM crawl_jobs WHERE name = ?",
      name);
  if (!rs.ok()) co_return db_error("reading crawl_jobs", rs.status());
  if (rs->empty()) co_return std::optional<Job>();
  absl::StatusOr<Job> j = co_await job_from_row(*rs);
  if (!j.ok()) co_return j.status();
  co_return std::optional<Job>(*std::move(j));
}

Coro<absl::StatusOr<Job>> create_job(db::Pool& pool, std::string name,
                                     const Options& options) {
  std::string text = encode_settings(job_settings(options));
  int64_t max_pages = options.max_pages > 0 ? options.max_pages : 0;
  absl::StatusOr<db::ExecResult> r = co_await pool.execute(
      db::idempotent("INSERT IGNORE INTO crawl_jobs"
                     " (name, settings, max_pages, budget_used, created_at)"
                     " VALUES (?, ?, ?, 0, UTC_TIMESTAMP(6))"),
      name, text, max_pages);
  if (!r.ok()) co_return db_error("creating the job", r.status());
  absl::StatusOr<std::optional<Job>> j = co_await find_job(pool, name);
  if (!j.ok()) co_return j.status();
  if (!*j) co_return absl::InternalError("the job vanished as it was made");
  co_return **j;
}

Coro<absl::StatusOr<JobStatus>> job_status(db::Pool& pool, std::string name) {
  absl::StatusOr<std::optional<Job>> job = co_await find_job(pool, name);
  if (!job.ok()) co_return job.status();
  if (!*job) {
    co_return absl::NotFoundError(
        absl::StrCat("no job ", name, " in ", pool.options().to_string()));
  }
  JobStatus st;
  st.name = name;
  st.settings = (*job)->settings;
  st.max_pages = (*job)->max_pages;
  const uint64_t id = (*job)->id;
  absl::StatusOr<db::ResultSet> j = co_await pool.query(
      "SELECT budget_used, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%S')"
      " FROM crawl_jobs WHERE id = ?",
      id);
  if (!j.ok()) co_return db_error("reading crawl_jobs", j.status());
  if (!j->empty()) {
    st.budget_used = (*j)[0].get<int64_t>(0).value_or(0);
    st.created_at = (*j)[0].get<std::string>(1).value_or("");
  }
  absl::StatusOr<db::ResultSet> states = co_await pool.query(
      "SELECT CAST(u.state AS CHAR), COUNT(*),"
      " SUM(u.state = 'leased' AND (w.worker_id IS NULL OR"
      "     w.last_seen + INTERVAL w.lease_us MICROSECOND < UTC_TIMESTAMP(6)))"
      " FROM crawl_urls u LEFT JOIN crawl_workers w"
      "   ON w.job_id = u.job_id AND w.worker_id = u.lease_owner"
      " WHERE u.job_id = ? GROUP BY u.state",
      id);
  if (!states.ok()) co_return db_error("reading crawl_urls", states.status());
  for (db::Row row : *states) {
    std::string s = row.get<std::string>(0).value_or("");
    uint64_t n = row.get<uint64_t>(1).value_or(0);
    if (s == "queued") st.queued = n;
    if (s == "leased") {
      st.leased = n;
      absl::StatusOr<std::string> e = row.get<std::string>(2);
      uint64_t ex = 0;
      if (e.ok()) (void)absl::SimpleAtoi(*e, &ex);
      st.expired = ex;
    }
    if (s == "done") st.done = n;
    if (s == "failed") st.failed = n;
    if (s == "skipped") st.skipped = n;
  }
  absl::StatusOr<db::ResultSet> reasons = co_await pool.query(
      "SELECT CAST(state AS CHAR), reason, COUNT(*) FROM crawl_urls"
      " WHERE job_id = ? AND reason IS NOT NULL"
      " GROUP BY state, reason ORDER BY state, COUNT(*) DESC, reason",
      id);
  if (!reasons.ok()) {
    co_return db_error("reading crawl_urls", reasons.status());
  }
  for (db::Row row : *reasons) {
    st.reasons.push_back(JobStatus::Reason{
        row.get<std::string>(0).value_or(""),
        row.get<std::string>(1).value_or(""),
        row.get<uint64_t>(2).value_or(0)});
  }
  absl::StatusOr<db::ResultSet> origins = co_await pool.query(
      "SELECT o.origin, SUM(u.state = 'queued'), SUM(u.state = 'leased'),"
      " SUM(u.state IN ('done', 'failed', 'skipped'))"
      " FROM crawl_origins o JOIN crawl_urls u"
      "   ON u.job_id = o.job_id AND u.origin_id = o.id"
      " WHERE o.job_id = ? GROUP BY o.id, o.origin ORDER BY o.origin",
      id);
  if (!origins.ok()) {
    co_return db_error("reading crawl_origins", origins.status());
  }
  auto num = [](db::Row row, size_t i) -> uint64_t {
    absl::StatusOr<std::string> s = row.get<std::string>(i);
    uint64_t n = 0;
    if (s.ok()) (void)absl::SimpleAtoi(*s, &n);
    return n;
  };
  for (db::Row row : *origins) {
    JobStatus::Origin o;
    o.origin = row.get<std::string>(0).value_or("");
    o.queued = num(row, 1);
    o.leased = num(row, 2);
    o.done = num(row, 3);
    st.origins.push_back(std::move(o));
  }
  // The per-host politeness state, when the host-state table exists
  // (crawler/mariadb_host_state.h makes it on first use).
  absl::StatusOr<db::ResultSet> hs = co_await pool.query(
      "SELECT origin, DATE_FORMAT(next_allowed_at, '%Y-%m-%d %H:%i:%S.%f'),"
      " CAST(robots_state AS CHAR)"
      " FROM crawl_host_state WHERE job_id = ?",
      id);
  if (hs.ok()) {
    absl::flat_hash_map<std::string, size_t> at;  // origin -> its index
    for (size_t i = 0; i < st.origins.size(); ++i) {
      at[st.origins[i].origin] = i;
    }
    for (db::Row row : *hs) {
      std::string origin = row.get<std::string>(0).value_or("");
      auto it = at.find(origin);
      if (it == at.end()) continue;
      JobStatus::Origin& o = st.origins[it->second];
      o.next_allowed_at =
          row.get<std::optional<std::string>>(1).value_or(std::nullopt)
              .value_or("");
      o.robots = row.get<std::optional<std::string>>(2)
                     .value_or(std::nullopt)
                     .value_or("");
    }
  }
  absl::StatusOr<db::ResultSet> workers = co_await pool.query(
      "SELECT worker_id, hostname, pid,"
      " DATE_FORMAT(last_seen, '%Y-%m-%d %H:%i:%S'),"
      " TIMESTAMPDIFF(MICROSECOND, last_seen, UTC_TIMESTAMP(6)) / 1e6"
      " FROM crawl_workers WHERE job_id = ?"
      " AND last_seen > UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE"
      " ORDER BY last_seen DESC",
      id);
  if (!workers.ok()) {
    co_return db_error("reading crawl_workers", workers.status());
  }
  for (db::Row row : *workers) {
    JobStatus::Worker w;
    w.worker_id = row.get<std::string>(0).value_or("");
    w.hostname = row.get<std::string>(1).value_or("");
    w.pid = row.get<int64_t>(2).value_or(0);
    w.last_seen = row.get<std::string>(3).value_or("");
    w.seconds_ago = row.get<double>(4).value_or(0);
    st.workers.push_back(std::move(w));
  }
  absl::StatusOr<db::ResultSet> records = co_await pool.query(
      "SELECT COUNT(*) FROM titles t JOIN crawl_urls u"
      " ON u.job_id = ? AND u.url_hash = t.url_hash AND u.state = 'done'",
      id);
  if (!records.ok()) co_return db_error("counting records", records.status());
  if (!records->empty()) st.records = (*records)[0].get<uint64_t>(0).value_or(0);
  co_return st;
}

std::string render_status(const JobStatus& s) {
  std::string out = absl::StrCat("job ", s.name, " (created ", s.created_at,
                                 " UTC)\n");
  uint64_t finished = s.done + s.failed + s.skipped;
  absl::StrAppend(&out, "  urls: ", s.queued + s.leased + finished, " seen, ",
                  s.queued, " queued, ", s.leased, " leased (in flight");
  if (s.expired > 0) absl::StrAppend(&out, ", ", s.expired, " expired");
  absl::StrAppend(&out, "), ", s.done, " done, ", s.failed, " failed, ",
                  s.skipped, " skipped\n");
  // "  failed: timeout 3, connection_refused 1" — one line per final state.
  for (size_t i = 0; i < s.reasons.size();) {
    const std::string& state = s.reasons[i].state;
    absl::StrAppend(&out, "  ",
                    state == "done" ? "done, yielding nothing" : state, ": ");
    const size_t first = i;
    for (; i < s.reasons.size() && s.reasons[i].state == state; ++i) {
      absl::StrAppend(&out, i == first ? "" : ", ", s.reasons[i].reason, " ",
                      s.reasons[i].count);
    }
    absl::StrAppend(&out, "\n");
  }
  if (s.max_pages > 0) {
    absl::StrAppend(&out, "  budget: ", s.budget_used, " of ", s.max_pages,
                    " pages used\n");
  }
  absl::StrAppend(&out, "  records: ", s.records, "\n");
  absl::StrAppend(&out, "  state: ",
                  s.queued + s.leased == 0 ? "finished"
                  : (s.max_pages > 0 && s.budget_used >= s.max_pages &&
                     s.leased == 0)
                      ? "finished (page budget used up)"
                      : "unfinished (run the same command to resume)",
                  "\n");
  absl::StrAppend(&out, "  hosts:\n");
  if (s.origins.empty()) absl::StrAppend(&out, "    none\n");
  // A crawl over many hosts shows the kStatusHosts with the most left to
  // do (most first), and one line for the rest.
  std::vector<const JobStatus::Origin*> shown;
  for (const JobStatus::Origin& o : s.origins) shown.push_back(&o);
  JobStatus::Origin rest;
  size_t more = 0;
  if (shown.size() > kStatusHosts) {
    std::stable_sort(shown.begin(), shown.end(),
                     [](const JobStatus::Origin* a, const JobStatus::Origin* b) {
                       return a->queued + a->leased > b->queued + b->leased;
                     });
    for (size_t i = kStatusHosts; i < shown.size(); ++i) {
      rest.queued += shown[i]->queued;
      rest.leased += shown[i]->leased;
      rest.done += shown[i]->done;
    }
    more = shown.size() - kStatusHosts;
    shown.resize(kStatusHosts);
  }
  for (const JobStatus::Origin* op : shown) {
    const JobStatus::Origin& o = *op;
    absl::StrAppend(&out, "    ", o.origin, ": ", o.queued, " queued, ",
                    o.leased, " leased, ", o.done, " done");
    if (!o.next_allowed_at.empty()) {
      absl::StrAppend(&out, ", next request at ", o.next_allowed_at, " UTC");
    }
    if (!o.robots.empty()) absl::StrAppend(&out, ", robots.txt ", o.robots);
    absl::StrAppend(&out, "\n");
  }
  if (more > 0) {
    absl::StrAppend(&out, "    ... ", more, " more hosts: ", rest.queued,
                    " queued, ", rest.leased, " leased, ", rest.done,
                    " done\n");
  }
  absl::StrAppend(&out, "  workers seen in the last minute:");
  if (s.workers.empty()) absl::StrAppend(&out, " none");
  absl::StrAppend(&out, "\n");
  for (const JobStatus::Worker& w : s.workers) {
    absl::StrAppend(&out, "    ", w.worker_id, " (host ", w.hostname, ", pid ",
                    w.pid, "): last seen ", w.last_seen, " UTC, ",
                    absl::StrFormat("%.1f", w.seconds_ago), " s ago\n");
  }
  absl::StrAppend(&out, "  settings:");
  for (const char* flag : kJobFlags) {
    auto it = s.settings.find(flag);
    if (it == s.settings.end()) continue;
    if (is_list(flag) && it->second.empty()) continue;
    if (!is_list(flag) && (it->second.empty() || it->second[0].empty())) {
      continue;
    }
    absl::StrAppend(&out, " --", flag, "=",
                    is_list(flag) ? absl::StrJoin(it->second, " --" +
                                                                std::string(flag) +
                                                                "=")
                                  : it->second[0]);
  }
  absl::StrAppend(&out, "\n");
  return out;
}

Coro<absl::StatusOr<JobSize>> job_size(db::Pool& pool, uint64_t job_id) {
  absl::StatusOr<db::ResultSet> rs = co_await pool.query(
      "SELECT COUNT(*), COALESCE(SUM(state IN ('done','failed','skipped')), 0)"
      " FROM crawl_urls WHERE job_id = ?",
      job_id);
  if (!rs.ok()) co_return db_error("reading crawl_urls", rs.status());
  JobSize s;
  s.urls = (*rs)[0].get<uint64_t>(0).value_or(0);
  absl::StatusOr<std::string> d = (*rs)[0].get<std::string>(1);
  if (d.ok()) (void)absl::SimpleAtoi(*d, &s.done);
  co_return s;
}

Coro<absl::Status> reset_job(db::Pool& pool, uint64_t job_id) {
  // Big tables in chunks: each DELETE a short transaction of its own.
  for (const char* table : {"crawl_urls", "crawl_origins", "crawl_workers",
                            "crawl_inflight"}) {
    for (;;) {
      absl::StatusOr<db::ExecResult> r = co_await pool.execute(
          db::idempotent(absl::StrCat("DELETE FROM ", table,
                                      " WHERE job_id = ? LIMIT 10000")),
          job_id);
      if (!r.ok()) co_return db_error(absl::StrCat("deleting from ", table),
                                      r.status());
      if (r->affected_rows < 10000) break;
    }
  }
  absl::StatusOr<db::ExecResult> hs = co_await pool.execute(
      db::idempotent("DELETE FROM crawl_host_state WHERE job_id = ?"), job_id);
  if (!hs.ok() && db::error_number(hs.status()) != 1146) {  // no such table
    co_return db_error("deleting from crawl_host_state", hs.status());
  }
  absl::StatusOr<db::ExecResult> j = co_await pool.execute(
      db::idempotent("DELETE FROM crawl_jobs WHERE id = ?"), job_id);
  if (!j.ok()) co_return db_error("deleting from crawl_jobs", j.status());
  co_return absl::OkStatus();
}

}  // namespace aio::crawler
