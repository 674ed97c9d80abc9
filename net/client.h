// aio::http::Client: an asynchronous HTTP client for the aio event loop
// (Python's httpx.AsyncClient), on libcurl's multi-socket interface.
//
//   aio::http::Client client;                      // on the current loop
//   absl::StatusOr<aio::http::Response> r = co_await client.get(url);
//   if (!r.ok()) { ... r.status(): DNS, refused, timeout, TLS ... }
//   else if (r->status == 200) { use(r->body); }
//
// Driven by the loop itself: libcurl's sockets are registered with the
// loop's epoll and its single timeout with a loop timer; no extra thread, no
// polling. Many requests run concurrently from many tasks; connections are
// kept alive and reused, limited per host and in total (ClientOptions).
//
// Results: absl::StatusOr<Response>. Failures of the network or server are
// statuses with a readable message and an ErrorKind (see http_error.h); any
// HTTP status code is a Response. Bad input (a malformed or non-http(s) URL,
// a bad method or header) is an InvalidArgument status, never a crash.
//
// Cancellation: cancelling a task that awaits a request removes the transfer
// from libcurl at once (its connection is closed if it was mid-exchange) and
// raises aio::CancelledError in the task, as every await does.
//
// Threading and lifetime: use a client only on the thread of the loop it was
// created for. Destroy it before that loop. Destroying the client aborts
// every request in flight: their awaiting tasks resume with a kClientClosed
// status. A request coroutine that starts after its client was destroyed
// returns kClientClosed too. Move-only.
#ifndef AIO_NET_CLIENT_H_
#define AIO_NET_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "loop/coro.h"
#include "loop/event_loop.h"
#include "net/client_options.h"
#include "net/headers.h"
#include "net/request.h"
#include "net/response.h"

namespace aio::http {

namespace internal {
class ClientCore;
}

class Client {
 public:
  using Options = ClientOptions;

  // Counters, for monitoring and tests.
  struct Stats {
    uint64_t requests_started = 0;
    uint64_t requests_succeeded = 0;  // a Response was returned
    uint64_t requests_failed = 0;     // an error status was returned
    uint64_t requests_cancelled = 0;  // the awaiting task was cancelled
    uint64_t connections_opened = 0;  // sockets libcurl opened
    uint64_t connections_closed = 0;
    size_t in_flight = 0;
  };

  // A client for get_event_loop() (the running loop, or the thread's loop).
  Client();
  explicit Client(Options options);
  Client(EventLoop& loop, Options options);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` and returns the final response (after redirects).
  Coro<absl::StatusOr<Response>> request(Request request);
  Coro<absl::StatusOr<Response>> get(std::string url, Headers headers = {});
  Coro<absl::StatusOr<Response>> head(std::string url, Headers headers = {});
  Coro<absl::StatusOr<Response>> post(std::string url, std::string body,
                                      Headers headers = {});

  const Options& options() const;
  Stats stats() const;
  size_t in_flight() const { return stats().in_flight; }

 private:
  std::shared_ptr<internal::ClientCore> core_;
};

}  // namespace aio::http

#endif  // AIO_NET_CLIENT_H_
