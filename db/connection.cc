#include "db/connection.h"

#include "absl/strings/str_cat.h"
#include "db/error.h"
#include "db/internal/pool_core.h"

namespace aio::db {

using internal::Session;

Connection::Connection(std::shared_ptr<internal::PoolCore> core,
                       std::shared_ptr<internal::Conn> conn,
                       PermitGuard permit)
    : core_(std::move(core)), conn_(std::move(conn)), permit_(std::move(permit)) {}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    release();
    core_ = std::move(o.core_);
    conn_ = std::move(o.conn_);
    permit_ = std::move(o.permit_);
  }
  return *this;
}

Connection::~Connection() { release(); }

void Connection::release() {
  if (!conn_) return;
  std::shared_ptr<internal::PoolCore> core = std::move(core_);
  core->release(std::move(conn_), std::move(permit_));
  conn_ = nullptr;
}

absl::Status Connection::check() const {
  if (!conn_) {
    return make_error(ErrorKind::kPoolClosed,
                      "the Connection was released or moved from");
  }
  if (core_->closed()) return internal::PoolCore::pool_closed();
  return absl::OkStatus();
}

bool Connection::in_transaction() const {
  return conn_ && conn_->session.in_transaction();
}

unsigned long Connection::server_thread_id() const {
  return conn_ ? conn_->session.thread_id() : 0;
}

namespace {

bool replayable(const Sql& sql, const absl::Status& s, bool in_transaction) {
  return sql.idempotent && !in_transaction &&
         error_kind(s) == ErrorKind::kConnectionLost;
}

}  // namespace

template <typename R, typename Method>
Coro<absl::StatusOr<R>> Connection::run_replayable(Sql sql,
                                                   std::vector<Value> params,
                                                   Method method) {
  if (absl::Status s = check(); !s.ok()) co_return s;
  auto text = std::make_shared<const std::string>(std::move(sql.text));
  auto values = std::make_shared<const std::vector<Value>>(std::move(params));
  for (int attempt = 0;; ++attempt) {
    bool in_tx = conn_->session.in_transaction();
    // Named before the co_await: GCC 12 destroys a lambda temporary of a
    // co_await expression twice (see STYLE.md).
    absl::AnyInvocable<Coro<absl::StatusOr<R>>(Session&)> job =
        [text, values, method](Session& s) {
          return (s.*method)(*text, *values);
        };
    absl::StatusOr<R> r =
        co_await core_->call_io<absl::StatusOr<R>>(conn_, std::move(job));
    if (r.ok() || attempt > 0 || !replayable(sql, r.status(), in_tx))
      co_return r;
    absl::AnyInvocable<absl::Status(Session&)> reconnect =
        [](Session& s) { return s.connect(); };
    absl::Status again =
        co_await core_->call<absl::Status>(conn_, std::move(reconnect));
    if (!again.ok()) co_return r;
  }
}

Coro<absl::StatusOr<ExecResult>> Connection::execute_values(
    Sql sql, std::vector<Value> params) {
  return run_replayable<ExecResult>(std::move(sql), std::move(params),
                                    &Session::execute_async);
}

Coro<absl::StatusOr<ResultSet>> Connection::query_values(
    Sql sql, std::vector<Value> params) {
  return run_replayable<ResultSet>(std::move(sql), std::move(params),
                                   &Session::query_async);
}

Coro<absl::StatusOr<ExecResult>> Connection::executemany(
    Sql sql, std::vector<std::vector<Value>> rows) {
  if (absl::Status s = check(); !s.ok()) co_return s;
  auto text = std::make_shared<const std::string>(std::move(sql.text));
  auto all = std::make_shared<const std::vector<std::vector<Value>>>(
      std::move(rows));
  for (int attempt = 0;; ++attempt) {
    bool in_tx = conn_->session.in_transaction();
    absl::AnyInvocable<absl::StatusOr<ExecResult>(Session&)> job =
        [text, all](Session& s) { return s.executemany(*text, *all); };
    absl::StatusOr<ExecResult> r =
        co_await core_->call<absl::StatusOr<ExecResult>>(conn_, std::move(job));
    if (r.ok() || attempt > 0 || !replayable(sql, r.status(), in_tx))
      co_return r;
    absl::Status again = co_await core_->call<absl::Status>(
        conn_, [](Session& s) { return s.connect(); });
    if (!again.ok()) co_return r;
  }
}

Coro<absl::StatusOr<Transaction>> Connection::transaction(
    std::optional<Isolation> isolation) {
  if (absl::Status s = check(); !s.ok()) co_return s;
  if (conn_->session.in_transaction()) {
    co_return make_error(ErrorKind::kInvalidArgument,
                         "a transaction is already open on this connection");
  }
  absl::AnyInvocable<Coro<absl::Status>(Session&)> job =
      [isolation](Session& session) { return session.begin_async(isolation); };
  absl::Status s = co_await core_->call_io<absl::Status>(conn_, std::move(job));
  if (!s.ok()) co_return s;
  co_return Transaction(core_, conn_, conn_->lease);
}

}  // namespace aio::db
