#include "db/transaction.h"

#include <utility>

#include "db/error.h"
#include "db/internal/pool_core.h"

namespace aio::db {

Transaction::Transaction(std::shared_ptr<internal::PoolCore> core,
                         std::shared_ptr<internal::Conn> conn, uint64_t lease)
    : core_(std::move(core)), conn_(std::move(conn)), lease_(lease),
      active_(true) {}

Transaction::Transaction(Transaction&& o) noexcept
    : core_(std::move(o.core_)),
      conn_(std::move(o.conn_)),
      lease_(o.lease_),
      active_(std::exchange(o.active_, false)) {}

Transaction& Transaction::operator=(Transaction&& o) noexcept {
  if (this != &o) {
    rollback_in_background();
    core_ = std::move(o.core_);
    conn_ = std::move(o.conn_);
    lease_ = o.lease_;
    active_ = std::exchange(o.active_, false);
  }
  return *this;
}

Transaction::~Transaction() { rollback_in_background(); }

bool Transaction::owns_connection() const {
  return conn_ && !core_->closed() && conn_->leased && conn_->lease == lease_;
}

void Transaction::rollback_in_background() {
  if (!active_) return;
  active_ = false;
  if (!owns_connection()) return;  // the lease's end rolled it back
  // Queued on the connection: it runs after any statement still running,
  // and the lease's end waits for it before the connection is reused.
  std::shared_ptr<internal::Conn> conn = conn_;
  core_->chain(*conn, [conn] { (void)conn->session.command("ROLLBACK"); });
}

Coro<absl::Status> Transaction::finish(const char* sql) {
  if (!active_) {
    co_return make_error(ErrorKind::kInvalidArgument,
                         "the transaction is no longer active");
  }
  active_ = false;
  if (!owns_connection()) {
    co_return make_error(ErrorKind::kPoolClosed,
                         "the transaction's connection was released");
  }
  absl::AnyInvocable<Coro<absl::Status>(internal::Session&)> job =
      [sql](internal::Session& s) { return s.command_async(sql); };
  co_return co_await core_->call_io<absl::Status>(conn_, std::move(job));
}

Coro<absl::Status> Transaction::commit() { return finish("COMMIT"); }
Coro<absl::Status> Transaction::rollback() { return finish("ROLLBACK"); }

}  // namespace aio::db
