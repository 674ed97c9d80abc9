// Internal: one connected, non-blocking TCP socket shared by a StreamReader
// and a StreamWriter (asyncio's transport + StreamReader buffer).
//
// Reading: bytes are received into a buffer that the reader consumes. After
// a short read the socket is known to be drained, so the next receive waits
// for readability first instead of trying a recv that would only say EAGAIN.
// Writing: write() sends at once when nothing is queued; what the kernel
// does not take is queued and flushed by a loop writer callback. The queue
// is bounded: past the high-water mark write() refuses, and drain() waits
// until the queue is at or below the low-water mark.
//
// Loop thread only. The fd is closed by close() (after the queue is
// flushed), abort() (at once, with a TCP reset), or the destructor (at once;
// queued bytes are dropped). The state must not outlive its loop.
#ifndef AIO_NET_INTERNAL_SOCKET_STATE_H_
#define AIO_NET_INTERNAL_SOCKET_STATE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "loop/coro.h"
#include "loop/event_loop.h"
#include "loop/park.h"

namespace aio::net::internal {

class SocketState {
 public:
  static constexpr size_t kDefaultHighWater = 64 * 1024;
  static constexpr size_t kDefaultLowWater = 16 * 1024;

  // Takes ownership of `fd` (connected, non-blocking).
  SocketState(EventLoop* loop, int fd);
  ~SocketState();
  SocketState(const SocketState&) = delete;
  SocketState& operator=(const SocketState&) = delete;

  EventLoop* loop() const { return loop_; }
  int fd() const { return fd_; }
  bool closed() const { return fd_ < 0; }
  const std::string& peername() const { return peername_; }
  const std::string& sockname() const { return sockname_; }

  // ---- reading ----
  // Reading is split into synchronous steps, so that each public read is a
  // single coroutine frame: a read calls recv_some() (or recv_into()) and,
  // on kWouldBlock, co_awaits aio::wait_readable(fd()) and tries again.
  enum class Recv { kData, kEof, kWouldBlock, kError };
  size_t buffered() const { return rend_ - rstart_; }
  const char* data() const { return rbuf_.get() + rstart_; }
  void consume(size_t n);
  bool eof() const { return eof_; }
  // One non-blocking recv into the buffer, which grows up to `max_buffer`
  // bytes (at least 64 KiB). kWouldBlock right after a short read, without
  // a syscall: the socket is known to be drained. kEof at the end of the
  // stream or once the socket was closed locally; kError: see read_error().
  Recv recv_some(size_t max_buffer);
  // One non-blocking recv straight into `dst` (only when nothing is
  // buffered); `*got` is set for kData.
  Recv recv_into(char* dst, size_t n, size_t* got);
  const absl::Status& read_error() const { return rerr_; }
  // Guards against two tasks reading at once (a logic_error).
  void begin_read();
  void end_read() { reading_ = false; }

  // ---- writing ----
  absl::Status write(std::string_view data);
  // The frame holds `self`, so the state outlives a parked drain.
  static Coro<absl::Status> drain(std::shared_ptr<SocketState> self);
  absl::Status write_eof();
  void close();
  void abort();
  static Coro<void> wait_closed(std::shared_ptr<SocketState> self);
  bool closing() const { return closing_ || fd_ < 0; }
  size_t write_buffer_size() const { return wbuf_.size() - woff_; }
  void set_write_buffer_limits(size_t high, size_t low);
  size_t high_water() const { return high_; }

 private:
  void on_writable();
  void arm_writer();
  void disarm_writer();
  void finish_close();
  void set_write_error(int err);
  // Sends as much of `data` as the socket takes now (EINTR retried); returns
  // how many bytes went. A send error is recorded with set_write_error (and
  // 0 returned).
  size_t send_some(std::string_view data);
  Recv fail_read(int err);
  // The checks before any recv: an error, EOF, a locally closed fd, or a
  // socket the last recv drained; nullopt when a recv should be made.
  std::optional<Recv> recv_blocked();
  // One recv(2) into dst (retrying EINTR); sets drained_ and eof_.
  Recv recv_once(char* dst, size_t n, size_t* got);
  absl::Status closed_error() const;

  EventLoop* loop_;
  int fd_;
  std::string peername_;
  std::string sockname_;

  // Reading.
  std::unique_ptr<char[]> rbuf_;
  size_t rcap_ = 0;
  size_t rstart_ = 0;
  size_t rend_ = 0;
  bool eof_ = false;
  bool drained_ = false;  // the last recv returned less than asked
  bool reading_ = false;
  absl::Status rerr_;

  // Writing.
  std::string wbuf_;
  size_t woff_ = 0;
  size_t high_ = kDefaultHighWater;
  size_t low_ = kDefaultLowWater;
  bool writer_armed_ = false;
  bool closing_ = false;
  bool eof_pending_ = false;  // shutdown(SHUT_WR) once the queue is flushed
  bool shut_wr_ = false;
  bool aborted_ = false;
  absl::Status werr_;
  aio::internal::WaitList drain_waiters_;
  aio::internal::WaitList close_waiters_;
};

// "ip:port" ("[ip6]:port") of a socket address.
std::string format_address(const void* sockaddr, size_t len);

}  // namespace aio::net::internal

#endif  // AIO_NET_INTERNAL_SOCKET_STATE_H_
