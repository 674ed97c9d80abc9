// Internal: host name resolution that does not block the loop.
//
// IP literals ("127.0.0.1", "::1") are converted at once. Names go to
// getaddrinfo (glibc's resolver blocks) on resolver_pool(), a small
// //executor ThreadPool owned by //net: at most kResolverThreads lookups
// run at once, the others wait in its queue; the answer comes back through
// the loop (run_in_executor) and the task resumes on the loop's thread.
// Cancelling the awaiting task drops a queued lookup at once, or the
// answer of a running one when it comes. resolve() is for the loop thread
// only; the pool is shared by every loop of the process.
#ifndef AIO_NET_INTERNAL_RESOLVE_H_
#define AIO_NET_INTERNAL_RESOLVE_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "executor/thread_pool.h"
#include "loop/coro.h"

namespace aio::net::internal {

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = 0;
};

inline constexpr size_t kResolverThreads = 4;

// The pool of resolver threads (created on first use, never destroyed).
ThreadPool& resolver_pool();

// Addresses of `host` for TCP on `port`; `passive` for binding (an empty
// host then means every interface). Unavailable status when the name does
// not resolve.
Coro<absl::StatusOr<std::vector<Endpoint>>> resolve(std::string host,
                                                    uint16_t port,
                                                    bool passive);

}  // namespace aio::net::internal

#endif  // AIO_NET_INTERNAL_RESOLVE_H_
