// aio::net::StreamReader: the reading half of a TCP connection (asyncio's
// StreamReader), from open_connection() or a start_server() handler.
//
//   auto line = co_await reader.read_until("\r\n");   // StatusOr<std::string>
//   if (!line.ok()) ...                               // reset, limit, EOF
//
// Results are values: bytes, or a status for what the network did (reset →
// Unavailable; the stream ended before read_exactly/read_until were satisfied
// → OutOfRange, the partial bytes stay buffered; a separator not found within
// the limit → ResourceExhausted). read() returns "" at the end of the stream.
// Cancelling the awaiting task raises aio::CancelledError; buffered bytes
// stay for the next read.
//
// Threading and lifetime: loop thread only; one read at a time (a second
// concurrent read throws std::logic_error). Each returned Coro must be awaited
// while the reader exists. The socket closes when the writer closes it, or
// when both reader and writer are gone. Move-only.
#ifndef AIO_NET_STREAM_READER_H_
#define AIO_NET_STREAM_READER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "loop/coro.h"

namespace aio::net {

namespace internal {
class SocketState;
}

class StreamReader {
 public:
  static constexpr size_t kDefaultReadSize = 64 * 1024;
  static constexpr size_t kDefaultLimit = 64 * 1024;

  StreamReader() = default;
  explicit StreamReader(std::shared_ptr<internal::SocketState> state);
  StreamReader(StreamReader&&) noexcept = default;
  StreamReader& operator=(StreamReader&&) noexcept = default;
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;
  ~StreamReader();

  // Up to `n` bytes, as soon as at least one is available; "" at the end of
  // the stream (or when n == 0).
  Coro<absl::StatusOr<std::string>> read(size_t n = kDefaultReadSize);
  // Exactly `n` bytes; OutOfRange if the stream ends first.
  Coro<absl::StatusOr<std::string>> read_exactly(size_t n);
  // Bytes up to and including `separator`; ResourceExhausted if it does not
  // appear within `limit` bytes, OutOfRange if the stream ends first.
  Coro<absl::StatusOr<std::string>> read_until(std::string separator,
                                               size_t limit = kDefaultLimit);
  // read_until("\n").
  Coro<absl::StatusOr<std::string>> readline(size_t limit = kDefaultLimit);
  // Up to `n` bytes into `dst` (no allocation; receives straight into `dst`
  // when nothing is buffered); 0 at the end of the stream. `dst` must stay
  // valid until the Coro completes.
  Coro<absl::StatusOr<size_t>> read_into(char* dst, size_t n);

  // True once the stream ended and the buffer is empty.
  bool at_eof() const;
  size_t buffered() const;
  bool valid() const { return state_ != nullptr; }

 private:
  std::shared_ptr<internal::SocketState> state_;
};

}  // namespace aio::net

#endif  // AIO_NET_STREAM_READER_H_
