#include "net/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "loop/event_loop.h"
#include "loop/io.h"
#include "net/internal/resolve.h"
#include "net/internal/socket_state.h"

namespace aio::net {
namespace {

// Closes a socket that is not handed over (failed or cancelled attempt).
class FdGuard {
 public:
  FdGuard(EventLoop* loop, int fd) : loop_(loop), fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd_ >= 0) {
      loop_->forget_fd(fd_);
      ::close(fd_);
    }
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  EventLoop* loop_;
  int fd_;
};

}  // namespace

Coro<absl::StatusOr<Connection>> open_connection(std::string host,
                                                 uint16_t port) {
  absl::StatusOr<std::vector<internal::Endpoint>> endpoints =
      co_await internal::resolve(host, port, false);
  if (!endpoints.ok()) co_return endpoints.status();
  EventLoop& loop = get_running_loop();
  absl::Status last = absl::UnavailableError("no address to connect to");
  for (const internal::Endpoint& ep : *endpoints) {
    std::string where = internal::format_address(&ep.addr, ep.len);
    int fd = ::socket(ep.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      IPPROTO_TCP);
    if (fd < 0) {
      last = absl::ErrnoToStatus(errno, "socket");
      continue;
    }
    FdGuard guard(&loop, fd);
    int err = 0;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) <
        0) {
      err = errno;
      if (err == EINPROGRESS || err == EINTR) {
        // The handshake goes on; writable means it ended, SO_ERROR says how.
        co_await aio::wait_writable(fd);
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      }
    }
    if (err != 0) {
      last = absl::ErrnoToStatus(err, absl::StrCat("connect to ", where));
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto state =
        std::make_shared<internal::SocketState>(&loop, guard.release());
    co_return Connection{StreamReader(state), StreamWriter(state)};
  }
  co_return last;
}

}  // namespace aio::net
