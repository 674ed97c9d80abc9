#include "db/pool.h"

#include <cstdlib>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "db/error.h"
#include "db/internal/pool_core.h"
#include "loop/errors.h"
#include "loop/gather.h"
#include "loop/wait.h"

namespace aio::db {
namespace {

void init_library_once() {
  static std::once_flag once;
  // Not thread-safe itself, hence before any worker exists, once.
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

Coro<PermitGuard> take_permit(Semaphore* permits) {
  co_return co_await permits->acquire();
}

}  // namespace

Pool::Pool(std::shared_ptr<internal::PoolCore> core) : core_(std::move(core)) {}
Pool::Pool(Pool&&) noexcept = default;
Pool& Pool::operator=(Pool&& o) noexcept {
  if (this != &o) {
    if (core_) core_->shutdown();
    core_ = std::move(o.core_);
  }
  return *this;
}
Pool::~Pool() {
  if (core_) core_->shutdown();
}

const Options& Pool::options() const { return core_->options(); }

Pool::Stats Pool::stats() const {
  Stats s;
  if (!core_ || core_->closed()) return s;
  s.open = core_->open_count();
  s.idle = core_->idle_count();
  const auto free_permits =
      static_cast<size_t>(std::max<int64_t>(0, core_->permits().value()));
  const size_t max = core_->options().max_connections;
  s.leased = free_permits < max ? max - free_permits : 0;
  s.waiting = core_->permits().waiting();
  return s;
}

Coro<absl::StatusOr<Pool>> Pool::create(Options options) {
  if (absl::Status s = options.validate(); !s.ok()) co_return s;
  std::string password = std::move(options.password);
  options.password.clear();
  if (password.empty()) {
    if (const char* env = std::getenv("MARIADB_PASSWORD"); env && *env)
      password = env;
  }
  init_library_once();
  auto core = std::make_shared<internal::PoolCore>(
      std::move(options), std::move(password), &get_running_loop());
  const size_t n = std::max<size_t>(1, core->options().min_connections);
  std::vector<Coro<absl::Status>> opening;
  for (size_t i = 0; i < n; ++i) opening.push_back(core->open_idle());
  std::vector<absl::Status> opened = co_await gather(std::move(opening));
  for (const absl::Status& s : opened) {
    if (!s.ok()) {
      core->shutdown();
      co_return s;
    }
  }
  co_return Pool(std::move(core));
}

Coro<absl::StatusOr<Connection>> Pool::acquire() {
  std::shared_ptr<internal::PoolCore> core = core_;
  if (!core || core->closed()) co_return internal::PoolCore::pool_closed();
  Semaphore& permits = core->permits();
  const Duration timeout = core->options().acquire_timeout;
  PermitGuard permit;
  if (!permits.locked() || timeout == Duration::max()) {
    permit = co_await permits.acquire();
  } else if (timeout <= Duration::zero()) {
    co_return make_error(
        ErrorKind::kAcquireTimeout,
        absl::StrCat("no connection free (all ",
                     core->options().max_connections,
                     " in use) and acquire_timeout is 0"));
  } else {
    bool timed_out = false;
    try {
      permit = co_await wait_for(take_permit(&permits), timeout);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    if (timed_out) {
      co_return make_error(
          ErrorKind::kAcquireTimeout,
          absl::StrCat("no connection became free within ",
                       std::chrono::duration<double>(timeout).count(),
                       " s (all ", core->options().max_connections,
                       " in use)"));
    }
  }
  if (core->closed()) co_return internal::PoolCore::pool_closed();
  absl::StatusOr<std::shared_ptr<internal::Conn>> conn =
      co_await core->take_connection();
  if (!conn.ok()) co_return conn.status();
  (*conn)->leased = true;
  ++(*conn)->lease;
  co_return Connection(std::move(core), *std::move(conn), std::move(permit));
}

Coro<absl::StatusOr<ExecResult>> Pool::execute_values(
    Sql sql, std::vector<Value> params) {
  absl::StatusOr<Connection> conn = co_await acquire();
  if (!conn.ok()) co_return conn.status();
  co_return co_await conn->execute_values(std::move(sql), std::move(params));
}

Coro<absl::StatusOr<ResultSet>> Pool::query_values(Sql sql,
                                                   std::vector<Value> params) {
  absl::StatusOr<Connection> conn = co_await acquire();
  if (!conn.ok()) co_return conn.status();
  co_return co_await conn->query_values(std::move(sql), std::move(params));
}

Coro<absl::StatusOr<ExecResult>> Pool::executemany(
    Sql sql, std::vector<std::vector<Value>> rows) {
  absl::StatusOr<Connection> conn = co_await acquire();
  if (!conn.ok()) co_return conn.status();
  co_return co_await conn->executemany(std::move(sql), std::move(rows));
}

}  // namespace aio::db
