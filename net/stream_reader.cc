#include "net/stream_reader.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "loop/io.h"
#include "net/internal/socket_state.h"

namespace aio::net {
namespace {

using internal::SocketState;
using Recv = SocketState::Recv;

std::shared_ptr<SocketState> need(const std::shared_ptr<SocketState>& s) {
  if (!s)
    throw std::logic_error(
        "aio::net::StreamReader: use of an empty or moved-from reader");
  return s;
}

// One read at a time per socket.
class ReadGuard {
 public:
  explicit ReadGuard(SocketState* s) : s_(s) { s_->begin_read(); }
  ~ReadGuard() { s_->end_read(); }
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;

 private:
  SocketState* s_;
};

std::string take(SocketState* s, size_t n) {
  std::string out(s->data(), n);
  s->consume(n);
  return out;
}

}  // namespace

StreamReader::StreamReader(std::shared_ptr<internal::SocketState> state)
    : state_(std::move(state)) {}
StreamReader::~StreamReader() = default;

// Every read below is one coroutine frame: it receives with the socket's
// synchronous steps and parks on aio::wait_readable when they would block.

Coro<absl::StatusOr<std::string>> StreamReader::read(size_t n) {
  std::shared_ptr<SocketState> st = need(state_);
  ReadGuard guard(st.get());
  if (n == 0) co_return std::string();
  while (st->buffered() == 0) {
    switch (st->recv_some(kDefaultLimit)) {
      case Recv::kData:
        break;
      case Recv::kEof:
        co_return std::string();
      case Recv::kError:
        co_return st->read_error();
      case Recv::kWouldBlock:
        co_await aio::wait_readable(st->fd());
        break;
    }
  }
  co_return take(st.get(), std::min(n, st->buffered()));
}

Coro<absl::StatusOr<std::string>> StreamReader::read_exactly(size_t n) {
  std::shared_ptr<SocketState> st = need(state_);
  ReadGuard guard(st.get());
  while (st->buffered() < n) {
    switch (st->recv_some(n)) {
      case Recv::kData:
        break;
      case Recv::kEof:
        co_return absl::OutOfRangeError(
            absl::StrCat("incomplete read from ", st->peername(), ": expected ",
                         n, " bytes, the stream ended after ", st->buffered()));
      case Recv::kError:
        co_return st->read_error();
      case Recv::kWouldBlock:
        co_await aio::wait_readable(st->fd());
        break;
    }
  }
  co_return take(st.get(), n);
}

Coro<absl::StatusOr<std::string>> StreamReader::read_until(
    std::string separator, size_t limit) {
  std::shared_ptr<SocketState> st = need(state_);
  if (separator.empty()) {
    co_return absl::InvalidArgumentError("read_until: empty separator");
  }
  ReadGuard guard(st.get());
  // The separator may end up to separator.size() bytes past `limit`;
  // saturating, so that limit = SIZE_MAX means "no limit" instead of
  // wrapping to a tiny buffer.
  const size_t max_buffer = limit > SIZE_MAX - separator.size()
                                ? SIZE_MAX
                                : limit + separator.size();
  size_t searched = 0;  // offset below which the separator cannot start
  for (;;) {
    std::string_view buf(st->data(), st->buffered());
    size_t pos = buf.find(separator, searched);
    if (pos != std::string_view::npos) {
      if (pos > limit) break;
      co_return take(st.get(), pos + separator.size());
    }
    if (buf.size() >= max_buffer) break;
    searched =
        buf.size() >= separator.size() ? buf.size() - separator.size() + 1 : 0;
    switch (st->recv_some(max_buffer)) {
      case Recv::kData:
        break;
      case Recv::kEof:
        co_return absl::OutOfRangeError(
            absl::StrCat("incomplete read from ", st->peername(),
                         ": the stream ended after ", buf.size(),
                         " bytes without the separator"));
      case Recv::kError:
        co_return st->read_error();
      case Recv::kWouldBlock:
        co_await aio::wait_readable(st->fd());
        break;
    }
  }
  co_return absl::ResourceExhaustedError(
      absl::StrCat("read_until from ", st->peername(),
                   ": separator not found within ", limit, " bytes"));
}

Coro<absl::StatusOr<std::string>> StreamReader::readline(size_t limit) {
  return read_until("\n", limit);
}

Coro<absl::StatusOr<size_t>> StreamReader::read_into(char* dst, size_t n) {
  std::shared_ptr<SocketState> st = need(state_);
  ReadGuard guard(st.get());
  if (n == 0) co_return size_t{0};
  for (;;) {
    if (size_t have = st->buffered()) {
      size_t k = std::min(have, n);
      std::memcpy(dst, st->data(), k);
      st->consume(k);
      co_return k;
    }
    size_t got = 0;
    switch (st->recv_into(dst, n, &got)) {
      case Recv::kData:
        co_return got;
      case Recv::kEof:
        co_return size_t{0};
      case Recv::kError:
        co_return st->read_error();
      case Recv::kWouldBlock:
        co_await aio::wait_readable(st->fd());
        break;
    }
  }
}

bool StreamReader::at_eof() const {
  return need(state_)->eof() && state_->buffered() == 0;
}
size_t StreamReader::buffered() const { return need(state_)->buffered(); }

}  // namespace aio::net
