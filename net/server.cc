#include "net/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "loop/park.h"
#include "loop/task.h"
#include "net/internal/resolve.h"
#include "net/internal/socket_state.h"
#include "sync/event.h"

namespace aio::net {
namespace internal {

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(EventLoop* loop, int fd, ConnectionHandler handler)
      : loop_(loop), fd_(fd), handler_(std::move(handler)) {
    no_connections_.set();
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      sockname_ = format_address(&ss, len);
      if (ss.ss_family == AF_INET)
        port_ = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
      if (ss.ss_family == AF_INET6)
        port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    }
  }
  ~ServerState() { close(); }

  void start_accepting() {
    loop_->add_reader(fd_, [this] { accept_some(); });
  }

  void close() {
    if (fd_ < 0) return;
    pause_timer_.cancel();
    loop_->forget_fd(fd_);
    ::close(fd_);
    fd_ = -1;
    closed_.set();
  }

  void close_clients() {
    std::vector<aio::internal::FutureBase*> tasks;
    tasks.reserve(connections_.size());
    for (auto& [id, task] : connections_) tasks.push_back(task);
    for (auto* t : tasks) t->cancel();
  }

  // A running connection handler; unregisters itself when its frame goes,
  // whether the task finished, was cancelled or was destroyed unstarted.
  struct Registration {
    std::shared_ptr<ServerState> state;
    uint64_t id = 0;
    Registration(std::shared_ptr<ServerState> s, uint64_t i)
        : state(std::move(s)), id(i) {}
    Registration(Registration&& o) noexcept
        : state(std::move(o.state)), id(o.id) {}
    Registration(const Registration&) = delete;
    ~Registration() {
      if (!state) return;
      state->connections_.erase(id);
      if (state->connections_.empty()) state->no_connections_.set();
    }
  };

  static Coro<void> serve(Registration reg, std::shared_ptr<SocketState> sock) {
    ServerState* st = reg.state.get();
    bool failed = false;
    try {
      co_await st->handler_(StreamReader(sock), StreamWriter(sock));
    } catch (const CancelledError&) {
      sock->abort();
      throw;
    } catch (...) {
      st->loop_->call_exception_handler(
          {absl::StrCat("Unhandled exception in the connection handler for ",
                        sock->peername()),
           std::current_exception(),
           {}});
      failed = true;
    }
    if (failed) {
      sock->abort();
    } else if (!sock->closed()) {
      sock->close();
      co_await SocketState::wait_closed(sock);
    }
  }

  void accept_some() {
    // A bounded batch per wake-up, so a connection storm cannot starve the
    // loop's other work.
    for (int i = 0; i < 128 && fd_ >= 0; ++i) {
      int cfd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (cfd < 0) {
        int err = errno;
        if (err == EINTR || err == ECONNABORTED) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) return;
        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
          // Out of descriptors or memory: stop accepting for a moment rather
          // than spinning on a readable listening socket.
          loop_->call_exception_handler(
              {absl::StrCat("accept on ", sockname_, " failed: ",
                            std::strerror(err), "; pausing accepts for 100 ms"),
               nullptr,
               {}});
          loop_->remove_reader(fd_);
          pause_timer_ =
              loop_->call_later(std::chrono::milliseconds(100), [this] {
                if (fd_ >= 0) start_accepting();
              });
          return;
        }
        loop_->call_exception_handler(
            {absl::StrCat("accept on ", sockname_,
                          " failed: ", std::strerror(err)),
             nullptr,
             {}});
        return;
      }
      int one = 1;
      ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++accepted_;
      auto sock = std::make_shared<SocketState>(loop_, cfd);
      uint64_t id = ++next_id_;
      Task<void> task =
          loop_->create_task(serve(Registration(shared_from_this(), id), sock));
      connections_.emplace(id, task.state());
      no_connections_.clear();
    }
  }

  Coro<void> wait_closed() {
    auto self = shared_from_this();
    co_await closed_.wait();
    // (No connection starts once the socket is closed.)
    co_await no_connections_.wait();
  }

  Coro<void> serve_forever() {
    auto self = shared_from_this();
    try {
      co_await closed_.wait();
    } catch (const CancelledError&) {
      close();
      throw;
    }
  }

  EventLoop* loop_;
  int fd_;
  ConnectionHandler handler_;
  std::string sockname_;
  uint16_t port_ = 0;
  uint64_t next_id_ = 0;
  uint64_t accepted_ = 0;
  // Non-owning: a task's frame owns its Registration, which owns us.
  std::unordered_map<uint64_t, aio::internal::FutureBase*> connections_;
  // //sync's Events: wait_closed() and serve_forever() park on them.
  aio::Event closed_;          // set once the listening socket is closed
  aio::Event no_connections_;  // set while no connection handler runs
  Handle pause_timer_;
};

}  // namespace internal

Server::Server(std::shared_ptr<internal::ServerState> state)
    : state_(std::move(state)) {}
Server::Server(Server&&) noexcept = default;
Server& Server::operator=(Server&& o) noexcept {
  if (this != &o) {
    if (state_) {
      state_->close();
      state_->close_clients();
    }
    state_ = std::move(o.state_);
  }
  return *this;
}
Server::~Server() {
  if (state_) {
    state_->close();
    state_->close_clients();
  }
}

namespace {
internal::ServerState* need(const std::shared_ptr<internal::ServerState>& s) {
  if (!s)
    throw std::logic_error(
        "aio::net::Server: use of an empty or moved-from server");
  return s.get();
}
Coro<void> wait_closed_on(std::shared_ptr<internal::ServerState> s) {
  co_await s->wait_closed();
}
Coro<void> serve_forever_on(std::shared_ptr<internal::ServerState> s) {
  co_await s->serve_forever();
}
}  // namespace

uint16_t Server::port() const { return need(state_)->port_; }
std::string Server::sockname() const { return need(state_)->sockname_; }
bool Server::is_serving() const { return need(state_)->fd_ >= 0; }
size_t Server::active_connections() const {
  return need(state_)->connections_.size();
}
uint64_t Server::connections_accepted() const {
  return need(state_)->accepted_;
}
void Server::close() { need(state_)->close(); }
void Server::close_clients() { need(state_)->close_clients(); }
Coro<void> Server::wait_closed() {
  need(state_);
  return wait_closed_on(state_);
}
Coro<void> Server::serve_forever() {
  need(state_);
  return serve_forever_on(state_);
}

Coro<absl::StatusOr<Server>> start_server(ConnectionHandler handler,
                                          std::string host, uint16_t port,
                                          ServerOptions options) {
  if (!handler)
    co_return absl::InvalidArgumentError("start_server: empty handler");
  if (host.empty()) host = "0.0.0.0";
  absl::StatusOr<std::vector<internal::Endpoint>> endpoints =
      co_await internal::resolve(host, port, true);
  if (!endpoints.ok()) co_return endpoints.status();
  const internal::Endpoint& ep = endpoints->front();
  std::string where = internal::format_address(&ep.addr, ep.len);
  int fd = ::socket(ep.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    IPPROTO_TCP);
  if (fd < 0) co_return absl::ErrnoToStatus(errno, "socket");
  int one = 1;
  if (options.reuse_address)
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options.reuse_port)
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) < 0) {
    int err = errno;
    ::close(fd);
    co_return absl::ErrnoToStatus(err, absl::StrCat("bind ", where));
  }
  if (::listen(fd, options.backlog) < 0) {
    int err = errno;
    ::close(fd);
    co_return absl::ErrnoToStatus(err, absl::StrCat("listen on ", where));
  }
  EventLoop& loop = get_running_loop();
  auto state =
      std::make_shared<internal::ServerState>(&loop, fd, std::move(handler));
  state->start_accepting();
  co_return Server(std::move(state));
}

}  // namespace aio::net
