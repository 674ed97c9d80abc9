#include "db/internal/pool_core.h"

#include <poll.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "loop/task.h"

namespace aio::db::internal {
namespace {

ThreadPool::ThreadHooks mariadb_thread_hooks() {
  ThreadPool::ThreadHooks hooks;
  hooks.on_thread_start = [] { mysql_thread_init(); };
  hooks.on_thread_exit = [] { mysql_thread_end(); };
  return hooks;
}

// Statements run one per connection; two more workers for KILL QUERY and
// for closing connections while every connection is busy.
size_t worker_count(const Options& o) { return o.max_connections + 2; }

// One I/O thread per 4 connections, at most 4. Measured with 16 connections
// on 2 shared cores (bench/db/RESULTS.md): 1 thread made every completion
// wait behind the other 15 connections' work and, on a loaded machine, got
// one thread's share of the CPU (per_row 6.1k rows/s); 2: 8.9k; 4: 10.9k;
// 8: 8.9k; 16: 6.7k (the hand-offs no longer batch).
size_t io_thread_count(const Options& o) {
  return std::clamp<size_t>((o.max_connections + 3) / 4, 1, 4);
}

}  // namespace

PoolCore::PoolCore(Options options, std::string password, EventLoop* loop)
    : options_(std::move(options)),
      password_(std::move(password)),
      loop_(loop),
      permits_(static_cast<int64_t>(options_.max_connections)),
      control_(&options_, &password_),
      threads_(worker_count(options_), mariadb_thread_hooks()) {
  for (size_t i = io_thread_count(options_); i > 0; --i)
    io_.push_back(std::make_unique<IoThread>());
}

std::shared_ptr<Conn> PoolCore::new_conn() {
  auto conn = std::make_shared<Conn>(&options_, &password_);
  conn->io = io_[next_io_++ % io_.size()].get();
  return conn;
}

PoolCore::~PoolCore() { shutdown(); }

absl::Status PoolCore::pool_closed() {
  return make_error(ErrorKind::kPoolClosed, "the pool is closed");
}

ConcurrentFuture<void> PoolCore::chain(Conn& conn,
                                       absl::AnyInvocable<void()> job) {
  ConcurrentFuture<void> next;
  auto run = [next, job = std::move(job)]() mutable {
    if (!next.set_running_or_notify_cancel()) return;  // cancelled: skip
    try {
      job();
    } catch (...) {
      next.set_exception(std::current_exception());
      return;
    }
    next.set_result();
  };
  link(conn, next, std::move(run), nullptr);
  return next;
}

ConcurrentFuture<void> PoolCore::chain_io(
    Conn& conn, absl::AnyInvocable<Coro<void>()> job) {
  ConcurrentFuture<void> next;
  IoThread* io = conn.io;
  auto start = [io, next, job = std::move(job)]() mutable {
    if (!next.set_running_or_notify_cancel()) return;  // cancelled: skip
    auto task = io->loop().create_task(run_io_job(std::move(job), next));
    (void)task;  // the I/O loop runs it; `next` reports its end
  };
  link(conn, next, std::move(start), io);
  return next;
}

Coro<void> PoolCore::run_io_job(absl::AnyInvocable<Coro<void>()> job,
                                ConcurrentFuture<void> next) {
  try {
    co_await job();
  } catch (...) {
    next.set_exception(std::current_exception());
    co_return;
  }
  next.set_result();
}

void PoolCore::link(Conn& conn, ConcurrentFuture<void> next,
                    absl::AnyInvocable<void()> start, IoThread* io) {
  ConcurrentFuture<void> prev = conn.tail;
  conn.tail = next;
  auto dispatch = [this, io](absl::AnyInvocable<void()> fn) {
    if (io) {
      io->post(std::move(fn));
    } else {
      threads_.submit(std::move(fn));
    }
  };
  if (!prev.valid() || prev.done()) {
    dispatch(std::move(start));
  } else {
    // Runs on the thread that completes `prev` (a worker, the I/O thread,
    // or the loop if it is cancelled): the pool's threads exist until
    // shutdown() waited for every tail, so dispatching there is safe.
    prev.add_done_callback(
        [dispatch, start = std::move(start)]() mutable {
          dispatch(std::move(start));
        });
  }
}

bool PoolCore::looks_alive(const Conn& conn) const {
  if (!conn.session.connected() || conn.session.broken()) return false;
  return true;
}

Coro<absl::StatusOr<std::shared_ptr<Conn>>> PoolCore::take_connection() {
  if (closed_) co_return pool_closed();
  while (!idle_.empty()) {
    std::shared_ptr<Conn> conn = std::move(idle_.back());
    idle_.pop_back();
    if (!looks_alive(*conn)) {
      discard(conn);
      continue;
    }
    // An idle connection has nothing to read. If its socket is readable,
    // the server closed it or sent an error (restart, KILL, wait_timeout),
    // or TLS sent a record: a ping tells which, and a dead one is replaced
    // before the caller sees it. No round trip in the common case.
    pollfd p{conn->session.fd(), POLLIN | POLLRDHUP, 0};
    bool suspicious = p.fd < 0 || ::poll(&p, 1, 0) != 0;
    if (suspicious) {
      absl::Status alive = co_await call<absl::Status>(
          conn, [](Session& s) { return s.ping(); });
      if (!alive.ok()) {
        absl::Status reconnected = co_await call<absl::Status>(
            conn, [](Session& s) { return s.connect(); });
        if (!reconnected.ok()) {
          discard(conn);
          co_return reconnected;
        }
      }
    }
    co_return conn;
  }
  std::shared_ptr<Conn> conn = new_conn();
  all_.push_back(conn);
  absl::Status s =
      co_await call<absl::Status>(conn, [](Session& s) { return s.connect(); });
  if (!s.ok()) {
    discard(conn);
    co_return s;
  }
  co_return conn;
}

Coro<absl::Status> PoolCore::open_idle() {
  absl::StatusOr<std::shared_ptr<Conn>> conn = co_await take_connection();
  if (!conn.ok()) co_return conn.status();
  idle_.push_back(*std::move(conn));
  co_return absl::OkStatus();
}

void PoolCore::discard(const std::shared_ptr<Conn>& conn) {
  auto it = std::find(all_.begin(), all_.end(), conn);
  if (it != all_.end()) all_.erase(it);
  if (closed_) return;
  // Close on a worker, after whatever still runs on it.
  chain(*conn, [conn] { conn->session.close(); });
  std::erase_if(retiring_, [](const std::shared_ptr<Conn>& c) {
    return c->tail.done();
  });
  retiring_.push_back(conn);
}

void PoolCore::put_back(const std::shared_ptr<Conn>& conn) {
  conn->leased = false;
  if (closed_) return;
  if (!looks_alive(*conn)) {
    discard(conn);
    return;
  }
  idle_.push_back(conn);
}

void PoolCore::release(std::shared_ptr<Conn> conn, PermitGuard permit) {
  if (closed_) return;
  bool settled = !conn->tail.valid() || conn->tail.done();
  if (settled && !conn->session.in_transaction()) {
    put_back(conn);
    return;  // the permit is released here, after the connection is back
  }
  // The task returns the permit itself at its end (a guard in its frame could
  // outlive the semaphore if the loop shuts down before the task ran: then
  // the permit dies with the pool).
  permit.detach();
  auto task =
      loop_->create_task(finish_release(shared_from_this(), std::move(conn)));
  (void)task;
}

Coro<void> PoolCore::finish_release(std::shared_ptr<PoolCore> self,
                                    std::shared_ptr<Conn> conn) {
  bool ok = true;
  try {
    // Wait for the statement that still runs (a cancelled caller's).
    while (conn->tail.valid() && !conn->tail.done()) {
      ConcurrentFuture<void> tail = conn->tail;
      try {
        co_await wrap_future(tail, Expect::kSlow);
      } catch (const CancelledError&) {
        throw;
      } catch (...) {
        // The job's own failure belongs to its caller.
      }
    }
    if (!self->closed_ && conn->session.in_transaction() &&
        !conn->session.broken()) {
      // Work the lease left uncommitted is rolled back, never kept.
      absl::AnyInvocable<Coro<absl::Status>(Session&)> rollback =
          [](Session& s) { return s.command_async("ROLLBACK"); };
      absl::Status s =
          co_await self->call_io<absl::Status>(conn, std::move(rollback));
      ok = s.ok();
    }
  } catch (const CancelledError&) {
    ok = false;  // the loop is going away: do not reuse the connection
  }
  if (!ok) {
    self->discard(conn);
    conn->leased = false;
  } else {
    self->put_back(conn);
  }
  self->permits_.release();
}

void PoolCore::kill_query(const std::shared_ptr<Conn>& conn) {
  if (closed_) return;
  unsigned long id = conn->session.thread_id();
  if (id == 0) return;
  ConcurrentFuture<void> killed = threads_.submit([this, id] {
    std::lock_guard<std::mutex> l(control_mu_);
    std::string kill = absl::StrCat("KILL QUERY ", id);
    if (!control_.connected() || control_.broken()) {
      if (!control_.connect().ok()) return;
    }
    if (!control_.command(kill).ok() && control_.broken()) {
      if (control_.connect().ok()) (void)control_.command(kill);
    }
  });
  // The connection is reused only once the KILL is done, so it cannot hit a
  // later statement.
  chain(*conn, [killed] {
    try {
      killed.result();
    } catch (...) {
    }
  });
}

void PoolCore::shutdown() {
  if (closed_) return;
  closed_ = true;
  // Wait for every running and queued statement.
  all_.insert(all_.end(), retiring_.begin(), retiring_.end());
  retiring_.clear();
  for (const auto& conn : all_) {
    if (!conn->tail.valid()) continue;
    try {
      conn->tail.result();
    } catch (...) {
    }
  }
  std::vector<ConcurrentFuture<void>> closing;
  for (const auto& conn : all_) {
    closing.push_back(threads_.submit([conn] { conn->session.close(); }));
  }
  closing.push_back(threads_.submit([this] {
    std::lock_guard<std::mutex> l(control_mu_);
    control_.close();
  }));
  for (auto& f : closing) {
    try {
      f.result();
    } catch (...) {
    }
  }
  for (auto& io : io_) io->stop();
  threads_.shutdown(true);
  idle_.clear();
  all_.clear();
  // Tasks still waiting in acquire() wake up and see the pool closed.
  while (permits_.waiting() > 0) permits_.release();
}

}  // namespace aio::db::internal
