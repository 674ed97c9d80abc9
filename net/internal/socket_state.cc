#include "net/internal/socket_state.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "loop/io.h"

namespace aio::net::internal {
namespace {

constexpr size_t kInitialBuffer = 64 * 1024;
constexpr size_t kMinRecv = 16 * 1024;

std::string address_of(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
               : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r < 0) return "?";
  return format_address(&ss, len);
}

}  // namespace

std::string format_address(const void* addr, size_t len) {
  const auto* sa = static_cast<const sockaddr*>(addr);
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* in = static_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    return absl::StrCat(buf, ":", ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* in6 = static_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    return absl::StrCat("[", buf, "]:", ntohs(in6->sin6_port));
  }
  return "?";
}

SocketState::SocketState(EventLoop* loop, int fd)
    : loop_(loop),
      fd_(fd),
      peername_(address_of(fd, true)),
      sockname_(address_of(fd, false)) {}

SocketState::~SocketState() {
  if (fd_ >= 0) {
    loop_->forget_fd(fd_);
    ::close(fd_);
    fd_ = -1;
  }
}

// ---------------------------------------------------------------- reading

void SocketState::begin_read() {
  if (reading_) {
    throw std::logic_error(
        "aio::net::StreamReader: another task is already reading from " +
        peername_);
  }
  reading_ = true;
}

void SocketState::consume(size_t n) {
  rstart_ += n;
  if (rstart_ == rend_) rstart_ = rend_ = 0;
}

SocketState::Recv SocketState::fail_read(int err) {
  rerr_ = absl::ErrnoToStatus(err, absl::StrCat("recv from ", peername_));
  return Recv::kError;
}

std::optional<SocketState::Recv> SocketState::recv_blocked() {
  if (!rerr_.ok()) return Recv::kError;
  if (eof_) return Recv::kEof;
  if (fd_ < 0) {
    // Closed locally (close/abort): nothing more will arrive.
    eof_ = true;
    return Recv::kEof;
  }
  if (drained_) {
    // The last recv emptied the socket: wait rather than make a recv that
    // would only say EAGAIN.
    drained_ = false;
    return Recv::kWouldBlock;
  }
  return std::nullopt;
}

SocketState::Recv SocketState::recv_once(char* dst, size_t n, size_t* got) {
  for (;;) {
    ssize_t r = ::recv(fd_, dst, n, 0);
    if (r > 0) {
      drained_ = static_cast<size_t>(r) < n;
      *got = static_cast<size_t>(r);
      return Recv::kData;
    }
    if (r == 0) {
      eof_ = true;
      return Recv::kEof;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Recv::kWouldBlock;
    return fail_read(errno);
  }
}

SocketState::Recv SocketState::recv_some(size_t max_buffer) {
  if (auto blocked = recv_blocked()) return *blocked;
  size_t have = buffered();
  if (!rbuf_) {
    rcap_ = kInitialBuffer;
    rbuf_ = std::make_unique<char[]>(rcap_);
  }
  if (rcap_ - rend_ < kMinRecv && rstart_ > 0) {
    std::memmove(rbuf_.get(), rbuf_.get() + rstart_, have);
    rstart_ = 0;
    rend_ = have;
  }
  if (rcap_ - rend_ < kMinRecv && rcap_ < max_buffer) {
    size_t ncap = std::min(std::max(rcap_ * 2, have + kMinRecv),
                           std::max(max_buffer, have + 1));
    auto nbuf = std::make_unique<char[]>(ncap);
    std::memcpy(nbuf.get(), rbuf_.get() + rstart_, have);
    rbuf_ = std::move(nbuf);
    rcap_ = ncap;
    rstart_ = 0;
    rend_ = have;
  }
  // Receive as much as fits: the buffer grows only to what callers ask for
  // (at least kInitialBuffer), which bounds memory.
  size_t room = rcap_ - rend_;
  if (room == 0) return Recv::kData;  // full: the caller decides
  size_t got = 0;
  Recv r = recv_once(rbuf_.get() + rend_, room, &got);
  rend_ += got;
  return r;
}

SocketState::Recv SocketState::recv_into(char* dst, size_t n, size_t* got) {
  if (auto blocked = recv_blocked()) return *blocked;
  return recv_once(dst, n, got);
}

// ---------------------------------------------------------------- writing

absl::Status SocketState::closed_error() const {
  return absl::FailedPreconditionError(
      absl::StrCat("the stream to ", peername_, " is closed"));
}

void SocketState::set_write_buffer_limits(size_t high, size_t low) {
  if (low > high)
    throw std::invalid_argument("set_write_buffer_limits: low > high");
  high_ = high;
  low_ = low;
  if (write_buffer_size() <= low_) aio::internal::wake_all(drain_waiters_);
}

void SocketState::set_write_error(int err) {
  werr_ = absl::ErrnoToStatus(err, absl::StrCat("send to ", peername_));
  wbuf_.clear();
  woff_ = 0;
  disarm_writer();
  aio::internal::wake_all(drain_waiters_);
}

size_t SocketState::send_some(std::string_view data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n =
        ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    set_write_error(n < 0 ? errno : EPIPE);
    return 0;  // set_write_error dropped the buffer: nothing to account for
  }
  return sent;
}

absl::Status SocketState::write(std::string_view data) {
  if (!werr_.ok()) return werr_;
  if (closing_ || fd_ < 0) return closed_error();
  if (eof_pending_ || shut_wr_) {
    return absl::FailedPreconditionError(
        "write after write_eof() on the stream to " + peername_);
  }
  if (data.empty()) return absl::OkStatus();
  size_t pending = write_buffer_size();
  if (pending > 0) {
    if (pending >= high_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("write buffer to ", peername_, " is full (", pending,
                       " bytes queued, limit ", high_,
                       "): await drain() before writing more"));
    }
    if (woff_ > 0 && woff_ >= wbuf_.size() / 2) {
      wbuf_.erase(0, woff_);
      woff_ = 0;
    }
    wbuf_.append(data);
    return absl::OkStatus();
  }
  data.remove_prefix(send_some(data));
  if (!werr_.ok()) return werr_;
  if (!data.empty()) {
    wbuf_.assign(data);
    woff_ = 0;
    arm_writer();
  }
  return absl::OkStatus();
}

void SocketState::arm_writer() {
  if (writer_armed_ || fd_ < 0) return;
  loop_->add_writer(fd_, [this] { on_writable(); });
  writer_armed_ = true;
}

void SocketState::disarm_writer() {
  if (!writer_armed_) return;
  writer_armed_ = false;
  if (fd_ >= 0) loop_->remove_writer(fd_);
}

void SocketState::on_writable() {
  woff_ += send_some(std::string_view(wbuf_).substr(woff_));
  if (write_buffer_size() == 0) {
    wbuf_.clear();
    woff_ = 0;
    disarm_writer();
    if (eof_pending_ && werr_.ok()) {
      eof_pending_ = false;
      shut_wr_ = true;
      ::shutdown(fd_, SHUT_WR);
    }
    if (closing_) finish_close();
  }
  if (write_buffer_size() <= low_) aio::internal::wake_all(drain_waiters_);
}

Coro<absl::Status> SocketState::drain(std::shared_ptr<SocketState> self) {
  for (;;) {
    if (!self->werr_.ok()) co_return self->werr_;
    if (self->aborted_) co_return self->closed_error();
    if (self->write_buffer_size() <= self->low_) co_return absl::OkStatus();
    co_await aio::internal::wait_in(self->drain_waiters_);
  }
}

absl::Status SocketState::write_eof() {
  if (!werr_.ok()) return werr_;
  if (closing_ || fd_ < 0) return closed_error();
  if (shut_wr_ || eof_pending_) return absl::OkStatus();
  if (write_buffer_size() > 0) {
    eof_pending_ = true;
  } else {
    shut_wr_ = true;
    if (::shutdown(fd_, SHUT_WR) < 0) {
      return absl::ErrnoToStatus(errno, "shutdown(SHUT_WR) to " + peername_);
    }
  }
  return absl::OkStatus();
}

void SocketState::close() {
  if (closing_ || fd_ < 0) return;
  closing_ = true;
  if (write_buffer_size() == 0 || !werr_.ok()) finish_close();
  // else: on_writable() closes once the queue is flushed.
}

void SocketState::abort() {
  if (fd_ < 0) return;
  aborted_ = true;
  closing_ = true;
  wbuf_.clear();
  woff_ = 0;
  // Linger 0: close() sends a TCP reset and drops unsent data.
  linger lg{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  finish_close();
}

void SocketState::finish_close() {
  if (fd_ < 0) return;
  // Out of epoll first (this also wakes a reader parked on the fd).
  loop_->forget_fd(fd_);
  writer_armed_ = false;
  ::close(fd_);
  fd_ = -1;
  aio::internal::wake_all(drain_waiters_);
  aio::internal::wake_all(close_waiters_);
}

Coro<void> SocketState::wait_closed(std::shared_ptr<SocketState> self) {
  while (self->fd_ >= 0) co_await aio::internal::wait_in(self->close_waiters_);
}

}  // namespace aio::net::internal
