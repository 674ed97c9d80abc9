// aio::net::start_server: a TCP server that runs a handler task per
// connection (asyncio.start_server).
//
//   aio::Coro<void> echo(aio::net::StreamReader r, aio::net::StreamWriter w);
//   absl::StatusOr<aio::net::Server> s =
//       co_await aio::net::start_server(echo, "127.0.0.1", 0);
//   uint16_t port = s->port();            // the port chosen for port 0
//   co_await s->serve_forever();          // or keep the Server object alive
//
// Accepting runs from a loop reader callback on the listening socket; each
// accepted socket (non-blocking, TCP_NODELAY) gets its own task running
// `handler(reader, writer)`. When the handler returns, the writer is closed
// gracefully (queued bytes are flushed first). An exception escaping a
// handler is reported through the loop's exception handler and the
// connection is aborted; it never stops the server.
//
// Threading and lifetime: loop thread only; the Server must not outlive its
// loop. close() stops accepting (open connections continue); close_clients()
// cancels every running handler; wait_closed() waits until the server is
// closed and every handler has finished. Destroying the Server closes it and
// cancels its handlers. The handler object is kept alive as long as any of
// its connections run, so a lambda's captures stay valid. Move-only.
#ifndef AIO_NET_SERVER_H_
#define AIO_NET_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "loop/coro.h"
#include "net/stream_reader.h"
#include "net/stream_writer.h"

namespace aio::net {

using ConnectionHandler = std::function<Coro<void>(StreamReader, StreamWriter)>;

struct ServerOptions {
  int backlog = 1024;
  bool reuse_address = true;  // SO_REUSEADDR
  bool reuse_port = false;    // SO_REUSEPORT
};

namespace internal {
class ServerState;
}

class Server {
 public:
  Server() = default;
  explicit Server(std::shared_ptr<internal::ServerState> state);
  Server(Server&&) noexcept;
  Server& operator=(Server&&) noexcept;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  bool valid() const { return state_ != nullptr; }
  // The bound port (useful after binding port 0) and address ("ip:port").
  uint16_t port() const;
  std::string sockname() const;
  bool is_serving() const;
  // Connections whose handler is still running.
  size_t active_connections() const;
  // Connections accepted so far.
  uint64_t connections_accepted() const;

  // Stops accepting and closes the listening socket. Idempotent.
  void close();
  // Cancels every running connection handler.
  void close_clients();
  // Completes once the server is closed and all handlers have finished.
  Coro<void> wait_closed();
  // Runs until close() is called; cancelling the awaiting task closes the
  // server (asyncio semantics).
  Coro<void> serve_forever();

 private:
  std::shared_ptr<internal::ServerState> state_;
};

// Binds `host`:`port` (port 0: any free port; host "" or "0.0.0.0": every
// IPv4 interface; a name binds its first address) and starts accepting.
// Errors (cannot resolve, address in use, permission) are statuses.
Coro<absl::StatusOr<Server>> start_server(ConnectionHandler handler,
                                          std::string host, uint16_t port,
                                          ServerOptions options = {});

}  // namespace aio::net

#endif  // AIO_NET_SERVER_H_
