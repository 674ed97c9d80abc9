// aio::net::StreamWriter: the writing half of a TCP connection (asyncio's
// StreamWriter), from open_connection() or a start_server() handler.
//
//   if (absl::Status s = writer.write(data); !s.ok()) ...
//   if (absl::Status s = co_await writer.drain(); !s.ok()) ...
//
// write() sends at once what the kernel takes and queues the rest; the loop
// flushes the queue in the background. Back-pressure: the queue is bounded.
// Once it holds the high-water mark (64 KiB by default) write() refuses with
// ResourceExhausted, so a peer that does not read cannot make the writer
// buffer more than the mark plus one write; drain() waits until the queue is
// at or below the low-water mark (16 KiB). Write errors (peer reset) are
// returned by write() and drain(), as Unavailable.
//
// close() closes the socket once the queue is flushed (then wait_closed()
// completes); abort() closes at once with a TCP reset, dropping the queue.
// write_eof() half-closes (the peer reads EOF; we may still read).
//
// Threading and lifetime: loop thread only. Each returned Coro must be
// awaited while the writer exists. Dropping both reader and writer without
// close() closes the socket at once and drops queued bytes. Move-only.
#ifndef AIO_NET_STREAM_WRITER_H_
#define AIO_NET_STREAM_WRITER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "loop/coro.h"

namespace aio::net {

namespace internal {
class SocketState;
}

class StreamWriter {
 public:
  StreamWriter() = default;
  explicit StreamWriter(std::shared_ptr<internal::SocketState> state);
  StreamWriter(StreamWriter&&) noexcept = default;
  StreamWriter& operator=(StreamWriter&&) noexcept = default;
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;
  ~StreamWriter();

  [[nodiscard]] absl::Status write(std::string_view data);
  // Waits until the queue is at or below the low-water mark.
  Coro<absl::Status> drain();
  [[nodiscard]] absl::Status write_eof();
  void close();
  void abort();
  bool is_closing() const;
  // Completes once the socket is closed.
  Coro<void> wait_closed();

  // Bytes queued, not yet taken by the kernel.
  size_t buffer_size() const;
  // High-water and low-water marks (low <= high; std::invalid_argument else).
  void set_write_buffer_limits(size_t high, size_t low);

  // "ip:port" of the peer and of our end.
  std::string peername() const;
  std::string sockname() const;
  bool valid() const { return state_ != nullptr; }

 private:
  std::shared_ptr<internal::SocketState> state_;
};

}  // namespace aio::net

#endif  // AIO_NET_STREAM_WRITER_H_
