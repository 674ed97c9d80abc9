#include "db/internal/session.h"

#include <mariadb/errmsg.h>
#include <mariadb/mysqld_error.h>

#include <poll.h>
#include <sys/epoll.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <climits>
#include <cstring>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "db/error.h"
#include "loop/errors.h"
#include "loop/io.h"
#include "loop/sleep.h"
#include "loop/wait.h"

namespace aio::db::internal {
namespace {

unsigned int timeout_seconds(Duration d) {
  if (d <= Duration::zero()) return 0;
  int64_t s = (d.count() + 999999999) / 1000000000;
  return static_cast<unsigned int>(std::min<int64_t>(s, INT_MAX / 1000));
}

std::string sql_excerpt(const std::string& sql) {
  constexpr size_t kMax = 120;
  if (sql.size() <= kMax) return absl::StrCat("'", sql, "'");
  return absl::StrCat("'", sql.substr(0, kMax), "...'");
}

void to_mysql_time(const Value& v, MYSQL_TIME* t) {
  std::memset(t, 0, sizeof *t);
  if (const Date* d = v.get_if<Date>()) {
    t->year = d->year;
    t->month = d->month;
    t->day = d->day;
    t->time_type = MYSQL_TIMESTAMP_DATE;
  } else if (const DateTime* d = v.get_if<DateTime>()) {
    t->year = d->year;
    t->month = d->month;
    t->day = d->day;
    t->hour = d->hour;
    t->minute = d->minute;
    t->second = d->second;
    t->second_part = d->microsecond;
    t->time_type = MYSQL_TIMESTAMP_DATETIME;
  } else if (const Time* d = v.get_if<Time>()) {
    t->neg = d->negative;
    // The binary protocol sends a TIME's hours as days + one byte of hours
    // (Connector/C writes `day`, then `hour` truncated to a byte), so 300:00
    // must travel as 12 days 12 hours, not as hour = 300.
    t->day = static_cast<unsigned int>(d->hours) / 24;
    t->hour = static_cast<unsigned int>(d->hours) % 24;
    t->minute = d->minutes;
    t->second = d->seconds;
    t->second_part = d->microseconds;
    t->time_type = MYSQL_TIMESTAMP_TIME;
  }
}

size_t lenenc_size(size_t n) {
  if (n < 251) return 1;
  if (n < (1u << 16)) return 3;
  if (n < (1u << 24)) return 4;
  return 9;
}

// Upper bound of the bytes a value takes in an execute packet (its type is
// sent once per statement and counted separately).
size_t wire_size(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return 0;
    case Value::Kind::kInt:
    case Value::Kind::kUint:
    case Value::Kind::kDouble: return 8;
    case Value::Kind::kString: {
      size_t n = v.get_if<std::string>()->size();
      return lenenc_size(n) + n;
    }
    case Value::Kind::kBlob: {
      size_t n = v.get_if<Blob>()->bytes.size();
      return lenenc_size(n) + n;
    }
    case Value::Kind::kDate:
    case Value::Kind::kDateTime:
    case Value::Kind::kTime: return 13;
  }
  return 0;
}

// Fills `b` to send `v` (whose storage must outlive the execute).
void bind_value(const Value& v, MYSQL_BIND* b, MYSQL_TIME* time,
                unsigned long* length) {
  std::memset(b, 0, sizeof *b);
  switch (v.kind()) {
    case Value::Kind::kNull:
      b->buffer_type = MYSQL_TYPE_NULL;
      break;
    case Value::Kind::kInt:
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = const_cast<int64_t*>(v.get_if<int64_t>());
      break;
    case Value::Kind::kUint:
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = const_cast<uint64_t*>(v.get_if<uint64_t>());
      b->is_unsigned = 1;
      break;
    case Value::Kind::kDouble:
      b->buffer_type = MYSQL_TYPE_DOUBLE;
      b->buffer = const_cast<double*>(v.get_if<double>());
      break;
    case Value::Kind::kString: {
      const std::string* s = v.get_if<std::string>();
      b->buffer_type = MYSQL_TYPE_STRING;
      b->buffer = const_cast<char*>(s->data());
      b->buffer_length = *length = s->size();
      b->length = length;
      break;
    }
    case Value::Kind::kBlob: {
      const std::string& s = v.get_if<Blob>()->bytes;
      b->buffer_type = MYSQL_TYPE_BLOB;
      b->buffer = const_cast<char*>(s.data());
      b->buffer_length = *length = s.size();
      b->length = length;
      break;
    }
    case Value::Kind::kDate:
    case Value::Kind::kDateTime:
    case Value::Kind::kTime:
      to_mysql_time(v, time);
      b->buffer_type = v.kind() == Value::Kind::kDate ? MYSQL_TYPE_DATE
                       : v.kind() == Value::Kind::kTime ? MYSQL_TYPE_TIME
                                                        : MYSQL_TYPE_DATETIME;
      b->buffer = time;
      b->buffer_length = sizeof *time;
      break;
  }
}

bool is_integer_type(enum_field_types t) {
  return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT ||
         t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_INT24 ||
         t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR;
}

constexpr unsigned kBinaryCharset = 63;
constexpr size_t kNonblockingStack = 256 << 10;

// One result column's fetch buffers.
struct ResultBuffer {
  Value::Kind kind = Value::Kind::kString;
  int64_t integer = 0;
  double real = 0;
  MYSQL_TIME time{};
  std::string bytes;
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool error = 0;
};

Value read_cell(const ResultBuffer& rb) {
  if (rb.is_null) return Value(null);
  switch (rb.kind) {
    case Value::Kind::kInt:
      return Value(rb.integer);
    case Value::Kind::kUint:
      return Value(static_cast<uint64_t>(rb.integer));
    case Value::Kind::kDouble:
      return Value(rb.real);
    case Value::Kind::kDate:
      return Value(Date{static_cast<int>(rb.time.year),
                        static_cast<int>(rb.time.month),
                        static_cast<int>(rb.time.day)});
    case Value::Kind::kDateTime:
      return Value(DateTime{
          static_cast<int>(rb.time.year), static_cast<int>(rb.time.month),
          static_cast<int>(rb.time.day), static_cast<int>(rb.time.hour),
          static_cast<int>(rb.time.minute), static_cast<int>(rb.time.second),
          static_cast<int>(rb.time.second_part)});
    case Value::Kind::kTime:
      return Value(Time{rb.time.neg != 0,
                        static_cast<int>(rb.time.hour + rb.time.day * 24),
                        static_cast<int>(rb.time.minute),
                        static_cast<int>(rb.time.second),
                        static_cast<int>(rb.time.second_part)});
    case Value::Kind::kBlob:
      return Value(Blob{std::string(rb.bytes.data(), rb.length)});
    default:
      return Value(std::string(rb.bytes.data(), rb.length));
  }
}

}  // namespace

Session::Session(const Options* options, const std::string* password)
    : options_(options),
      password_(password),
      cache_(options->statement_cache_size) {}

Session::~Session() { close(); }

void Session::close() {
  if (mysql_ == nullptr) return;
  // mysql_close first: it detaches the statements, so closing them then only
  // frees memory and sends nothing over a connection that may be dead.
  mysql_close(mysql_);
  mysql_ = nullptr;
  cache_.clear();
  fd_ = -1;
  thread_id_ = 0;
  in_transaction_ = false;
}

absl::Status Session::connect() {
  close();
  broken_ = false;
  mysql_ = mysql_init(nullptr);
  if (mysql_ == nullptr) {
    return make_error(ErrorKind::kOther, "mysql_init failed (out of memory)");
  }
  const Options& o = *options_;
  unsigned int t = timeout_seconds(o.connect_timeout);
  if (t) mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &t);
  t = timeout_seconds(o.read_timeout);
  if (t) mysql_optionsv(mysql_, MYSQL_OPT_READ_TIMEOUT, &t);
  t = timeout_seconds(o.write_timeout);
  if (t) mysql_optionsv(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &t);
  if (!o.option_group.empty()) {
    if (!o.option_file.empty())
      mysql_optionsv(mysql_, MYSQL_READ_DEFAULT_FILE, o.option_file.c_str());
    mysql_optionsv(mysql_, MYSQL_READ_DEFAULT_GROUP, o.option_group.c_str());
  }
  // After the option files, so that these always win.
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  my_bool off = 0;
  mysql_optionsv(mysql_, MYSQL_OPT_RECONNECT, &off);
  // Statements run through the non-blocking API on the I/O thread (the
  // blocking calls keep working on such a handle). Connector/C runs them on
  // a stack of its own, of this size.
  mysql_optionsv(mysql_, MYSQL_OPT_NONBLOCK, &kNonblockingStack);
  unsigned int no_local_infile = 0;
  mysql_optionsv(mysql_, MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
  unsigned long max_packet = 1ul << 30;  // the client accepts what it is sent
  mysql_optionsv(mysql_, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
  if (o.tls.enabled) {
    my_bool on = 1;
    mysql_optionsv(mysql_, MYSQL_OPT_SSL_ENFORCE, &on);
    if (!o.tls.ca_file.empty())
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_CA, o.tls.ca_file.c_str());
    my_bool verify = o.tls.verify_server_cert ? 1 : 0;
    mysql_optionsv(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  const char* host = o.socket.empty() ? o.host.c_str() : "localhost";
  const char* password = password_->empty() ? nullptr : password_->c_str();
  if (!mysql_real_connect(mysql_, host,
                          o.user.empty() ? nullptr : o.user.c_str(), password,
                          o.database.empty() ? nullptr : o.database.c_str(),
                          o.socket.empty() ? o.port : 0,
                          o.socket.empty() ? nullptr : o.socket.c_str(), 0)) {
    std::string context =
        absl::StrCat("connecting to ", o.where(), " as '", o.user, "'");
    std::string message = mysql_error(mysql_);
    if (mysql_errno(mysql_) == CR_SSL_CONNECTION_ERROR && o.tls.enabled &&
        o.tls.verify_server_cert) {
      // Connector/C's text does not always say what was checked ("Validation
      // of SSL server certificate failed" for a wrong host name).
      absl::StrAppend(
          &message, " (with tls_verify, the server's certificate must be "
                    "signed by ",
          o.tls.ca_file.empty() ? std::string("a CA of the system's store")
                                : absl::StrCat("the CA in ", o.tls.ca_file),
          " and name the host '", o.host,
          "'; tls_verify=false encrypts without checking who answers)");
    }
    absl::Status s = make_mariadb_error(mysql_errno(mysql_),
                                        mysql_sqlstate(mysql_), message,
                                        context);
    mysql_close(mysql_);
    mysql_ = nullptr;
    return s;
  }
  if (!o.autocommit && mysql_autocommit(mysql_, 0)) {
    absl::Status s = mysql_failure("setting autocommit off");
    close();
    return s;
  }
  if (o.isolation) {
    std::string set = absl::StrCat("SET SESSION TRANSACTION ISOLATION LEVEL ",
                                   std::string(to_string(*o.isolation)));
    if (mysql_real_query(mysql_, set.data(), set.size()) != 0) {
      absl::Status s = mysql_failure("setting the session's isolation level");
      close();
      return s;
    }
  }
  thread_id_ = mysql_thread_id(mysql_);
  fd_ = static_cast<int>(mysql_get_socket(mysql_));
  if (mysql_real_query(mysql_, "SELECT @@max_allowed_packet", 27) == 0) {
    if (MYSQL_RES* res = mysql_store_result(mysql_)) {
      MYSQL_ROW row = mysql_fetch_row(res);
      uint64_t v = 0;
      if (row && row[0] && absl::SimpleAtoi(row[0], &v) && v > 0)
        max_packet_ = v;
      mysql_free_result(res);
    }
  } else {
    absl::Status s = mysql_failure("reading max_allowed_packet");
    close();
    return s;
  }
  after_statement();
  return absl::OkStatus();
}

absl::Status Session::not_connected() const {
  return make_error(ErrorKind::kConnectionLost,
                    "the connection is closed (lost earlier, or the pool was "
                    "destroyed)");
}

absl::Status Session::fail(unsigned number, const char* state,
                           const char* message, std::string_view context) {
  absl::Status s = make_mariadb_error(number, state ? state : "HY000",
                                      message ? message : "", context);
  if (error_kind(s) == ErrorKind::kConnectionLost) broken_ = true;
  return s;
}

absl::Status Session::mysql_failure(std::string_view context) {
  return fail(mysql_errno(mysql_), mysql_sqlstate(mysql_), mysql_error(mysql_),
              context);
}

absl::Status Session::stmt_error(MYSQL_STMT* stmt, const std::string& sql,
                                 std::string_view what) {
  return fail(mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt),
              mysql_stmt_error(stmt),
              absl::StrCat(std::string(what), " ", sql_excerpt(sql)));
}

absl::Status Session::stmt_failure(MYSQL_STMT* stmt, const std::string& sql,
                                   std::string_view what) {
  absl::Status s = stmt_error(stmt, sql, what);
  if (!broken_) {
    mysql_stmt_free_result(stmt);
    mysql_stmt_reset(stmt);
  }
  return s;
}

// Drives one non-blocking Connector/C call to its end inside a Session
// coroutine: `start` is the mysql_*_start(...) call, `cont` the matching
// mysql_*_cont function, which gets `ret` and `handle` and what wait_io saw.
#define AIO_DB_NONBLOCKING(start, cont, ret, handle)                   \
  do {                                                                 \
    int aio_db_status = (start);                                       \
    while (aio_db_status != 0) {                                       \
      int aio_db_ready = co_await wait_io(aio_db_status);              \
      aio_db_status = cont(ret, handle, aio_db_ready);                 \
    }                                                                  \
  } while (0)

Coro<int> Session::wait_io(int status) {
  const bool read = (status & MYSQL_WAIT_READ) != 0;
  const bool write = (status & MYSQL_WAIT_WRITE) != 0;
  if (read && write) {
    // Both (TLS may want either): writable now answers at once; otherwise
    // the record it waits for comes from the server.
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 0) > 0) co_return MYSQL_WAIT_WRITE;
  }
  std::optional<Duration> timeout;
  if (status & MYSQL_WAIT_TIMEOUT)
    timeout = std::chrono::milliseconds(mysql_get_timeout_value_ms(mysql_));
  uint32_t events = 0;
  // The I/O loop keeps no record of the socket once the wait is over: other
  // threads close and open sockets (a worker's connect or close, Connector/C
  // itself after an error), and the loop's lazy epoll bookkeeping would
  // otherwise touch a number that may by then belong to another socket.
  struct Forget {
    int fd;
    ~Forget() { get_running_loop().forget_fd(fd); }
  } forget{fd_};
  try {
    if (!read && !write) {
      co_await aio::sleep(timeout.value_or(Duration::zero()));
      co_return MYSQL_WAIT_TIMEOUT;
    }
    auto io = read ? aio::wait_readable(fd_) : aio::wait_writable(fd_);
    if (timeout) {
      events = co_await aio::wait_for(std::move(io), timeout);
    } else {
      events = co_await io;
    }
  } catch (const TimeoutError&) {
    co_return MYSQL_WAIT_TIMEOUT;
  }
  int ready = 0;
  if (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
    ready |= status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);
  if (events & EPOLLIN) ready |= status & MYSQL_WAIT_READ;
  if (events & EPOLLOUT) ready |= status & MYSQL_WAIT_WRITE;
  if (events & EPOLLPRI) ready |= status & MYSQL_WAIT_EXCEPT;
  co_return ready ? ready : (status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE));
}

Coro<void> Session::reset_async(MYSQL_STMT* stmt) {
  if (broken_) co_return;
  my_bool failed = 0;
  AIO_DB_NONBLOCKING(mysql_stmt_free_result_start(&failed, stmt),
                     mysql_stmt_free_result_cont, &failed, stmt);
  AIO_DB_NONBLOCKING(mysql_stmt_reset_start(&failed, stmt),
                     mysql_stmt_reset_cont, &failed, stmt);
}

void Session::after_statement() {
  if (mysql_) in_transaction_ = (mysql_->server_status & SERVER_STATUS_IN_TRANS) != 0;
}

absl::StatusOr<MYSQL_STMT*> Session::prepare(const std::string& sql) {
  if (!mysql_) return not_connected();
  if (MYSQL_STMT* s = cache_.find(sql)) return s;
  MYSQL_STMT* s = mysql_stmt_init(mysql_);
  if (s == nullptr) return mysql_failure("mysql_stmt_init");
  if (mysql_stmt_prepare(s, sql.data(), sql.size()) != 0) {
    absl::Status st =
        fail(mysql_stmt_errno(s), mysql_stmt_sqlstate(s), mysql_stmt_error(s),
             absl::StrCat("preparing ", sql_excerpt(sql)));
    mysql_stmt_close(s);
    return st;
  }
  cache_.insert(sql, s);
  return s;
}

Coro<absl::StatusOr<MYSQL_STMT*>> Session::prepare_async(
    const std::string& sql) {
  if (!mysql_) co_return not_connected();
  if (MYSQL_STMT* s = cache_.find(sql)) co_return s;
  MYSQL_STMT* s = mysql_stmt_init(mysql_);
  if (s == nullptr) co_return mysql_failure("mysql_stmt_init");
  int rc = 0;
  AIO_DB_NONBLOCKING(
      mysql_stmt_prepare_start(&rc, s, sql.data(), sql.size()),
      mysql_stmt_prepare_cont, &rc, s);
  if (rc != 0) {
    absl::Status st =
        fail(mysql_stmt_errno(s), mysql_stmt_sqlstate(s), mysql_stmt_error(s),
             absl::StrCat("preparing ", sql_excerpt(sql)));
    mysql_stmt_close(s);
    co_return st;
  }
  cache_.insert(sql, s);
  co_return s;
}

struct Session::ParamBinds {
  std::vector<MYSQL_BIND> binds;
  std::vector<MYSQL_TIME> times;
  std::vector<unsigned long> lengths;
};

absl::Status Session::bind_params(MYSQL_STMT* stmt, const std::string& sql,
                                  const std::vector<Value>& params,
                                  ParamBinds* b) {
  unsigned long expected = mysql_stmt_param_count(stmt);
  if (expected != params.size()) {
    return make_error(
        ErrorKind::kInvalidArgument,
        absl::StrCat(sql_excerpt(sql), " has ", expected, " placeholders, ",
                     params.size(), " values given"));
  }
  size_t bytes = 16 + 2 * params.size();
  for (const Value& v : params) bytes += wire_size(v) + 1;
  if (bytes > max_packet_) {
    return make_error(
        ErrorKind::kPacketTooLarge,
        absl::StrCat("the values of ", sql_excerpt(sql), " need ", bytes,
                     " bytes, more than the server's max_allowed_packet (",
                     max_packet_, ")"));
  }
  b->binds.resize(params.size());
  b->times.resize(params.size());
  b->lengths.resize(params.size());
  for (size_t i = 0; i < params.size(); ++i)
    bind_value(params[i], &b->binds[i], &b->times[i], &b->lengths[i]);
  unsigned int no_array = 0;
  mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &no_array);
  if (!params.empty() && mysql_stmt_bind_param(stmt, b->binds.data()))
    return stmt_error(stmt, sql, "binding the values of");
  return absl::OkStatus();
}

Coro<absl::StatusOr<MYSQL_STMT*>> Session::run_async(
    const std::string& sql, const std::vector<Value>& params) {
  absl::StatusOr<MYSQL_STMT*> prepared = co_await prepare_async(sql);
  if (!prepared.ok()) co_return prepared.status();
  MYSQL_STMT* stmt = *prepared;
  ParamBinds binds;
  absl::Status s = bind_params(stmt, sql, params, &binds);
  if (s.ok()) {
    int rc = 0;
    AIO_DB_NONBLOCKING(mysql_stmt_execute_start(&rc, stmt),
                       mysql_stmt_execute_cont, &rc, stmt);
    if (rc == 0) co_return stmt;
    s = stmt_error(stmt, sql, "executing");
  }
  if (error_kind(s) != ErrorKind::kInvalidArgument &&
      error_kind(s) != ErrorKind::kPacketTooLarge)
    co_await reset_async(stmt);
  after_statement();
  co_return s;
}

Coro<absl::StatusOr<ExecResult>> Session::execute_async(
    const std::string& sql, const std::vector<Value>& params) {
  absl::StatusOr<MYSQL_STMT*> ran = co_await run_async(sql, params);
  if (!ran.ok()) co_return ran.status();
  MYSQL_STMT* stmt = *ran;
  ExecResult r;
  r.round_trips = 1;
  if (mysql_stmt_field_count(stmt) > 0) {  // a result set nobody wants
    int rc = 0;
    AIO_DB_NONBLOCKING(mysql_stmt_store_result_start(&rc, stmt),
                       mysql_stmt_store_result_cont, &rc, stmt);
    if (rc != 0) {
      absl::Status s = stmt_error(stmt, sql, "reading the result of");
      co_await reset_async(stmt);
      after_statement();
      co_return s;
    }
    mysql_stmt_free_result(stmt);  // stored: frees memory, no I/O
  } else {
    my_ulonglong n = mysql_stmt_affected_rows(stmt);
    r.affected_rows = n == static_cast<my_ulonglong>(-1) ? 0 : n;
    r.last_insert_id = mysql_stmt_insert_id(stmt);
  }
  after_statement();
  co_return r;
}

Coro<absl::StatusOr<ResultSet>> Session::query_async(
    const std::string& sql, const std::vector<Value>& params) {
  absl::StatusOr<MYSQL_STMT*> ran = co_await run_async(sql, params);
  if (!ran.ok()) co_return ran.status();
  MYSQL_STMT* stmt = *ran;
  if (mysql_stmt_field_count(stmt) == 0) {
    after_statement();
    co_return ResultSet();
  }
  int rc = 0;
  AIO_DB_NONBLOCKING(mysql_stmt_store_result_start(&rc, stmt),
                     mysql_stmt_store_result_cont, &rc, stmt);
  absl::StatusOr<ResultSet> rows =
      rc == 0 ? read_rows(stmt, sql)
              : absl::StatusOr<ResultSet>(
                    stmt_error(stmt, sql, "reading the result of"));
  if (!rows.ok()) co_await reset_async(stmt);
  after_statement();
  co_return rows;
}

absl::StatusOr<ResultSet> Session::read_rows(MYSQL_STMT* stmt,
                                             const std::string& sql) {
  const unsigned n = mysql_stmt_field_count(stmt);
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
  if (meta == nullptr) return stmt_error(stmt, sql, "reading the columns of");
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  std::vector<Column> columns(n);
  std::vector<ResultBuffer> bufs(n);
  std::vector<MYSQL_BIND> binds(n);
  std::memset(binds.data(), 0, n * sizeof(MYSQL_BIND));
  for (unsigned i = 0; i < n; ++i) {
    const MYSQL_FIELD& f = fields[i];
    Column& c = columns[i];
    c.name.assign(f.name, f.name_length);
    c.mysql_type = f.type;
    c.is_unsigned = (f.flags & UNSIGNED_FLAG) != 0;
    c.nullable = (f.flags & NOT_NULL_FLAG) == 0;
    ResultBuffer& rb = bufs[i];
    MYSQL_BIND& b = binds[i];
    b.is_null = &rb.is_null;
    b.error = &rb.error;
    b.length = &rb.length;
    if (is_integer_type(f.type)) {
      rb.kind = c.is_unsigned ? Value::Kind::kUint : Value::Kind::kInt;
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = &rb.integer;
      b.is_unsigned = c.is_unsigned;
    } else if (f.type == MYSQL_TYPE_FLOAT || f.type == MYSQL_TYPE_DOUBLE) {
      rb.kind = Value::Kind::kDouble;
      b.buffer_type = MYSQL_TYPE_DOUBLE;
      b.buffer = &rb.real;
    } else if (f.type == MYSQL_TYPE_DATE || f.type == MYSQL_TYPE_NEWDATE ||
               f.type == MYSQL_TYPE_DATETIME ||
               f.type == MYSQL_TYPE_TIMESTAMP || f.type == MYSQL_TYPE_TIME) {
      rb.kind = f.type == MYSQL_TYPE_TIME ? Value::Kind::kTime
                : (f.type == MYSQL_TYPE_DATE || f.type == MYSQL_TYPE_NEWDATE)
                    ? Value::Kind::kDate
                    : Value::Kind::kDateTime;
      b.buffer_type = f.type == MYSQL_TYPE_NEWDATE ? MYSQL_TYPE_DATE : f.type;
      b.buffer = &rb.time;
      b.buffer_length = sizeof rb.time;
    } else {
      bool binary = f.charsetnr == kBinaryCharset &&
                    f.type != MYSQL_TYPE_NEWDECIMAL &&
                    f.type != MYSQL_TYPE_DECIMAL;
      rb.kind = binary ? Value::Kind::kBlob : Value::Kind::kString;
      rb.bytes.resize(std::clamp<size_t>(f.length, 64, 4096));
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = rb.bytes.data();
      b.buffer_length = rb.bytes.size();
    }
    c.kind = rb.kind;
  }
  mysql_free_result(meta);
  if (mysql_stmt_bind_result(stmt, binds.data()) != 0)
    return stmt_error(stmt, sql, "binding the columns of");
  std::vector<Value> cells;
  cells.reserve(static_cast<size_t>(mysql_stmt_num_rows(stmt)) * n);
  for (;;) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) return stmt_error(stmt, sql, "fetching the rows of");
    for (unsigned i = 0; i < n; ++i) {
      ResultBuffer& rb = bufs[i];
      if (rc == MYSQL_DATA_TRUNCATED && rb.error && !rb.is_null &&
          (rb.kind == Value::Kind::kString || rb.kind == Value::Kind::kBlob)) {
        // Longer than the buffer: fetch this cell whole, then restore the
        // column's binding (fetch_column leaves it as it was).
        std::string whole(rb.length, '\0');
        MYSQL_BIND one{};
        unsigned long len = 0;
        one.buffer_type = MYSQL_TYPE_STRING;
        one.buffer = whole.data();
        one.buffer_length = whole.size();
        one.length = &len;
        if (mysql_stmt_fetch_column(stmt, &one, i, 0) != 0)
          return stmt_error(stmt, sql, "fetching a long value of");
        if (rb.kind == Value::Kind::kBlob) {
          cells.emplace_back(Blob{std::move(whole)});
        } else {
          cells.emplace_back(std::move(whole));
        }
        continue;
      }
      cells.push_back(read_cell(rb));
    }
  }
  mysql_stmt_free_result(stmt);  // stored: frees memory, no I/O
  return ResultSet(std::move(columns), std::move(cells));
}

absl::StatusOr<ExecResult> Session::executemany(
    const std::string& sql, const std::vector<std::vector<Value>>& rows) {
  ExecResult total;
  if (rows.empty()) return total;
  absl::StatusOr<MYSQL_STMT*> stmt_or = prepare(sql);
  if (!stmt_or.ok()) return stmt_or.status();
  MYSQL_STMT* stmt = *stmt_or;
  const size_t ncols = mysql_stmt_param_count(stmt);
  const size_t nrows = rows.size();
  for (size_t r = 0; r < nrows; ++r) {
    if (rows[r].size() != ncols) {
      return make_error(
          ErrorKind::kInvalidArgument,
          absl::StrCat("executemany ", sql_excerpt(sql), ": row ", r, " has ",
                       rows[r].size(), " values, the statement has ", ncols,
                       " placeholders"));
    }
  }
  if (ncols == 0) {
    return make_error(ErrorKind::kInvalidArgument,
                      absl::StrCat("executemany ", sql_excerpt(sql),
                                   " has no placeholders"));
  }
  // Column-wise array binding: per column an array of values (or of
  // pointers for strings), of lengths and of indicators, one entry per row.
  enum class Class { kNull, kInt, kUint, kDouble, kBytes, kTime };
  struct ColumnArrays {
    Class cls = Class::kNull;
    enum_field_types type = MYSQL_TYPE_NULL;
    std::vector<int64_t> ints;
    std::vector<double> reals;
    std::vector<char*> ptrs;
    std::vector<unsigned long> lengths;
    std::vector<MYSQL_TIME> times;
    // Connector/C reads a date/time column of an array bind as an array of
    // pointers to MYSQL_TIME (like strings: ma_get_buffer_offset treats
    // types without a fixed pack length so), not as contiguous structs.
    std::vector<MYSQL_TIME*> time_ptrs;
    std::vector<char> indicators;
  };
  std::vector<ColumnArrays> cols(ncols);
  for (size_t c = 0; c < ncols; ++c) {
    ColumnArrays& a = cols[c];
    // The column's class: from its values (integers become doubles beside
    // doubles; signed and unsigned integers share a column when they fit).
    bool has_negative = false, has_big_unsigned = false;
    Value::Kind first = Value::Kind::kNull;
    for (size_t r = 0; r < nrows; ++r) {
      const Value& v = rows[r][c];
      Value::Kind k = v.kind();
      if (k == Value::Kind::kNull) continue;
      if (k == Value::Kind::kInt && *v.get_if<int64_t>() < 0)
        has_negative = true;
      if (k == Value::Kind::kUint &&
          *v.get_if<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        has_big_unsigned = true;
      Class cls;
      switch (k) {
        case Value::Kind::kInt:
        case Value::Kind::kUint: cls = Class::kInt; break;
        case Value::Kind::kDouble: cls = Class::kDouble; break;
        case Value::Kind::kString:
        case Value::Kind::kBlob: cls = Class::kBytes; break;
        default: cls = Class::kTime; break;
      }
      if (a.cls == Class::kNull) {
        a.cls = cls;
        first = k;
      } else if (a.cls != cls) {
        if ((a.cls == Class::kInt && cls == Class::kDouble) ||
            (a.cls == Class::kDouble && cls == Class::kInt)) {
          a.cls = Class::kDouble;
        } else {
          return make_error(
              ErrorKind::kInvalidArgument,
              absl::StrCat("executemany: column ", c, " holds ",
                           std::string(to_string(first)), " in an earlier row and ",
                           std::string(to_string(k)), " in row ", r));
        }
      } else if (cls == Class::kTime && k != first) {
        return make_error(
            ErrorKind::kInvalidArgument,
            absl::StrCat("executemany: column ", c, " holds ", std::string(to_string(first)),
                         " in an earlier row and ", std::string(to_string(k)), " in row ",
                         r));
      }
    }
    if (a.cls == Class::kInt && has_big_unsigned) {
      if (has_negative) {
        return make_error(ErrorKind::kInvalidArgument,
                          absl::StrCat("executemany: column ", c,
                                       " mixes negative integers with "
                                       "unsigned ones above INT64_MAX"));
      }
      a.cls = Class::kUint;
    }
    a.indicators.assign(nrows, STMT_INDICATOR_NONE);
    switch (a.cls) {
      case Class::kNull:
        a.type = MYSQL_TYPE_STRING;
        a.ptrs.assign(nrows, nullptr);
        a.lengths.assign(nrows, 0);
        break;
      case Class::kInt:
      case Class::kUint:
        a.type = MYSQL_TYPE_LONGLONG;
        a.ints.assign(nrows, 0);
        break;
      case Class::kDouble:
        a.type = MYSQL_TYPE_DOUBLE;
        a.reals.assign(nrows, 0);
        break;
      case Class::kBytes:
        a.type = first == Value::Kind::kBlob ? MYSQL_TYPE_BLOB
                                             : MYSQL_TYPE_STRING;
        a.ptrs.assign(nrows, nullptr);
        a.lengths.assign(nrows, 0);
        break;
      case Class::kTime:
        a.type = first == Value::Kind::kDate   ? MYSQL_TYPE_DATE
                 : first == Value::Kind::kTime ? MYSQL_TYPE_TIME
                                               : MYSQL_TYPE_DATETIME;
        a.times.assign(nrows, MYSQL_TIME{});
        a.time_ptrs.resize(nrows);
        for (size_t r = 0; r < nrows; ++r) a.time_ptrs[r] = &a.times[r];
        break;
    }
    for (size_t r = 0; r < nrows; ++r) {
      const Value& v = rows[r][c];
      if (v.is_null()) {
        a.indicators[r] = STMT_INDICATOR_NULL;
        continue;
      }
      switch (a.cls) {
        case Class::kInt:
        case Class::kUint:
          a.ints[r] = v.kind() == Value::Kind::kInt
                          ? *v.get_if<int64_t>()
                          : static_cast<int64_t>(*v.get_if<uint64_t>());
          break;
        case Class::kDouble:
          a.reals[r] = v.kind() == Value::Kind::kDouble ? *v.get_if<double>()
                       : v.kind() == Value::Kind::kInt
                           ? static_cast<double>(*v.get_if<int64_t>())
                           : static_cast<double>(*v.get_if<uint64_t>());
          break;
        case Class::kBytes: {
          const std::string& s = v.kind() == Value::Kind::kString
                                     ? *v.get_if<std::string>()
                                     : v.get_if<Blob>()->bytes;
          a.ptrs[r] = const_cast<char*>(s.data());
          a.lengths[r] = s.size();
          break;
        }
        case Class::kTime:
          to_mysql_time(v, &a.times[r]);
          break;
        case Class::kNull:
          break;
      }
    }
  }
  // Split into batches whose execute packet stays under max_allowed_packet.
  const size_t header = 16 + 2 * ncols;
  const size_t limit = max_packet_ > 4096 ? max_packet_ - 1024 : max_packet_;
  std::vector<MYSQL_BIND> binds(ncols);
  size_t start = 0;
  bool first_batch = true;
  while (start < nrows) {
    size_t bytes = header, end = start;
    while (end < nrows) {
      size_t row_bytes = 0;
      for (size_t c = 0; c < ncols; ++c) row_bytes += 1 + wire_size(rows[end][c]);
      if (bytes + row_bytes > limit) {
        if (end == start) {
          return make_error(
              ErrorKind::kPacketTooLarge,
              absl::StrCat("executemany ", sql_excerpt(sql), ": row ", start,
                           " needs ", header + row_bytes,
                           " bytes, more than the server's max_allowed_packet (",
                           max_packet_, ")"));
        }
        break;
      }
      bytes += row_bytes;
      ++end;
    }
    std::memset(binds.data(), 0, ncols * sizeof(MYSQL_BIND));
    for (size_t c = 0; c < ncols; ++c) {
      ColumnArrays& a = cols[c];
      MYSQL_BIND& b = binds[c];
      b.buffer_type = a.type;
      b.u.indicator = a.indicators.data() + start;
      switch (a.cls) {
        case Class::kInt:
        case Class::kUint:
          b.buffer = a.ints.data() + start;
          b.is_unsigned = a.cls == Class::kUint;
          break;
        case Class::kDouble:
          b.buffer = a.reals.data() + start;
          break;
        case Class::kNull:
        case Class::kBytes:
          b.buffer = a.ptrs.data() + start;
          b.length = a.lengths.data() + start;
          break;
        case Class::kTime:
          b.buffer = a.time_ptrs.data() + start;
          break;
      }
    }
    unsigned int array_size = static_cast<unsigned int>(end - start);
    mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size);
    if (mysql_stmt_bind_param(stmt, binds.data()) != 0) {
      after_statement();
      return stmt_failure(stmt, sql, "binding the rows of");
    }
    if (mysql_stmt_execute(stmt) != 0) {
      absl::Status s = stmt_failure(
          stmt, sql,
          absl::StrCat("executemany (rows ", start, " to ", end - 1, " of ",
                       nrows, ", ", total.affected_rows,
                       " rows affected before)"));
      after_statement();
      return s;
    }
    my_ulonglong n = mysql_stmt_affected_rows(stmt);
    if (n != static_cast<my_ulonglong>(-1)) total.affected_rows += n;
    if (first_batch) total.last_insert_id = mysql_stmt_insert_id(stmt);
    first_batch = false;
    ++total.round_trips;
    start = end;
  }
  unsigned int no_array = 0;
  mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &no_array);
  after_statement();
  return total;
}

absl::Status Session::ping() {
  if (!mysql_) return not_connected();
  if (mysql_ping(mysql_) != 0) return mysql_failure("checking the connection");
  return absl::OkStatus();
}

Coro<absl::Status> Session::begin_async(std::optional<Isolation> isolation) {
  if (isolation && isolation != options_->isolation) {
    std::string set = absl::StrCat("SET TRANSACTION ISOLATION LEVEL ",
                                   std::string(to_string(*isolation)));
    absl::Status st = co_await command_async(set);
    if (!st.ok()) co_return st;
  }
  co_return co_await command_async("START TRANSACTION");
}

Coro<absl::Status> Session::command_async(std::string_view sql) {
  if (!mysql_) co_return not_connected();
  int rc = 0;
  AIO_DB_NONBLOCKING(
      mysql_real_query_start(&rc, mysql_, sql.data(), sql.size()),
      mysql_real_query_cont, &rc, mysql_);
  if (rc != 0) {
    absl::Status s =
        mysql_failure(absl::StrCat("executing '", std::string(sql), "'"));
    after_statement();
    co_return s;
  }
  for (;;) {
    MYSQL_RES* res = nullptr;
    AIO_DB_NONBLOCKING(mysql_store_result_start(&res, mysql_),
                       mysql_store_result_cont, &res, mysql_);
    if (res) mysql_free_result(res);  // stored: no I/O
    int more = 0;
    AIO_DB_NONBLOCKING(mysql_next_result_start(&more, mysql_),
                       mysql_next_result_cont, &more, mysql_);
    if (more != 0) break;
  }
  after_statement();
  co_return absl::OkStatus();
}

absl::Status Session::command(std::string_view sql) {
  if (!mysql_) return not_connected();
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    absl::Status s = mysql_failure(absl::StrCat("executing '", std::string(sql), "'"));
    after_statement();
    return s;
  }
  do {
    if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
  } while (mysql_next_result(mysql_) == 0);
  after_statement();
  return absl::OkStatus();
}

}  // namespace aio::db::internal
