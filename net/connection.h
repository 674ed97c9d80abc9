// aio::net::open_connection: connect to a TCP server and get a reader/writer
// pair (asyncio.open_connection).
//
//   absl::StatusOr<aio::net::Connection> c =
//       co_await aio::net::open_connection("127.0.0.1", port);
//   if (!c.ok()) ...   // cannot resolve, refused, unreachable: Unavailable
//   auto& [reader, writer] = *c;
//
// Host names are resolved without blocking the loop (IP literals directly);
// each address is tried in turn until one connects. The socket is
// non-blocking, close-on-exec, with TCP_NODELAY (as asyncio does), and is
// driven by the loop's epoll. Cancelling the awaiting task abandons the
// attempt and closes the socket. Loop thread only.
#ifndef AIO_NET_CONNECTION_H_
#define AIO_NET_CONNECTION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "loop/coro.h"
#include "net/stream_reader.h"
#include "net/stream_writer.h"

namespace aio::net {

struct Connection {
  StreamReader reader;
  StreamWriter writer;
};

Coro<absl::StatusOr<Connection>> open_connection(std::string host,
                                                 uint16_t port);

}  // namespace aio::net

#endif  // AIO_NET_CONNECTION_H_
