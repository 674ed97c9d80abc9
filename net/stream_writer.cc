#include "net/stream_writer.h"

#include <stdexcept>
#include <utility>

#include "net/internal/socket_state.h"

namespace aio::net {
namespace {

internal::SocketState* need(const std::shared_ptr<internal::SocketState>& s) {
  if (!s)
    throw std::logic_error(
        "aio::net::StreamWriter: use of an empty or moved-from writer");
  return s.get();
}

}  // namespace

StreamWriter::StreamWriter(std::shared_ptr<internal::SocketState> state)
    : state_(std::move(state)) {}
StreamWriter::~StreamWriter() = default;

absl::Status StreamWriter::write(std::string_view data) {
  return need(state_)->write(data);
}

Coro<absl::Status> StreamWriter::drain() {
  need(state_);
  return internal::SocketState::drain(state_);
}

absl::Status StreamWriter::write_eof() { return need(state_)->write_eof(); }
void StreamWriter::close() { need(state_)->close(); }
void StreamWriter::abort() { need(state_)->abort(); }
bool StreamWriter::is_closing() const { return need(state_)->closing(); }

Coro<void> StreamWriter::wait_closed() {
  need(state_);
  return internal::SocketState::wait_closed(state_);
}

size_t StreamWriter::buffer_size() const {
  return need(state_)->write_buffer_size();
}
void StreamWriter::set_write_buffer_limits(size_t high, size_t low) {
  need(state_)->set_write_buffer_limits(high, low);
}
std::string StreamWriter::peername() const { return need(state_)->peername(); }
std::string StreamWriter::sockname() const { return need(state_)->sockname(); }

}  // namespace aio::net
