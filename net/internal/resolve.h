// Internal: host name resolution that does not block the loop.
//
// IP literals ("127.0.0.1", "::1") are converted at once. Names go to
// getaddrinfo on a short-lived helper thread (glibc's resolver blocks); the
// answer comes back through call_soon_threadsafe. Cancelling the awaiting
// task detaches it at once; the thread finishes on its own and its answer is
// dropped. Loop thread only.
#ifndef AIO_NET_INTERNAL_RESOLVE_H_
#define AIO_NET_INTERNAL_RESOLVE_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "loop/coro.h"

namespace aio::net::internal {

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = 0;
};

// Addresses of `host` for TCP on `port`; `passive` for binding (an empty
// host then means every interface). Unavailable status when the name does
// not resolve.
Coro<absl::StatusOr<std::vector<Endpoint>>> resolve(std::string host,
                                                    uint16_t port,
                                                    bool passive);

}  // namespace aio::net::internal

#endif  // AIO_NET_INTERNAL_RESOLVE_H_
