// aio::db::Transaction: a transaction on a leased Connection, rolled back
// unless committed.
//
//   absl::StatusOr<aio::db::Transaction> tx =
//       co_await conn->transaction(aio::db::Isolation::kReadCommitted);
//   if (!tx.ok()) return tx.status();
//   co_await conn->execute("UPDATE ...", ...);       // statements go through
//   co_await conn->execute("INSERT ...", ...);       // the connection
//   absl::Status s = co_await tx->commit();          // or rollback()
//   // destroyed without commit(): ROLLBACK, before the connection is reused
//
// After commit() or rollback() (whatever their outcome) the guard is
// inactive. A deadlock (kDeadlock) means the server already rolled the
// transaction back: start it again (retry_transaction does, db/retry.h).
//
// Threads: the loop thread of the pool, like its Connection. The guard must
// not outlive the Pool; it may outlive its lease (then it does nothing: the
// lease's end already rolled the transaction back).
#ifndef AIO_DB_TRANSACTION_H_
#define AIO_DB_TRANSACTION_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "db/isolation.h"
#include "loop/coro.h"

namespace aio::db {
namespace internal {
class PoolCore;
struct Conn;
}  // namespace internal

class Transaction {
 public:
  Transaction(Transaction&& o) noexcept;
  Transaction& operator=(Transaction&& o) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Coro<absl::Status> commit();
  Coro<absl::Status> rollback();
  bool active() const { return active_; }

 private:
  friend class Connection;
  Transaction(std::shared_ptr<internal::PoolCore> core,
              std::shared_ptr<internal::Conn> conn, uint64_t lease);
  Coro<absl::Status> finish(const char* sql);
  void rollback_in_background();
  bool owns_connection() const;

  std::shared_ptr<internal::PoolCore> core_;
  std::shared_ptr<internal::Conn> conn_;
  uint64_t lease_ = 0;
  bool active_ = false;
};

}  // namespace aio::db

#endif  // AIO_DB_TRANSACTION_H_
