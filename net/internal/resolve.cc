#include "net/internal/resolve.h"

#include <netdb.h>

#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "executor/run_in_executor.h"

namespace aio::net::internal {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

int lookup(const std::string& host, uint16_t port, bool passive,
           int extra_flags, AddrInfoPtr* out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV | extra_flags | (passive ? AI_PASSIVE : 0);
  std::string service = std::to_string(port);
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(),
                       &hints, &res);
  out->reset(res);
  return rc;
}

absl::StatusOr<std::vector<Endpoint>> to_endpoints(int rc,
                                                   const AddrInfoPtr& res,
                                                   const std::string& host) {
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve host '", host, "': ", gai_strerror(rc)));
  }
  std::vector<Endpoint> out;
  for (addrinfo* a = res.get(); a; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Endpoint e;
    std::memcpy(&e.addr, a->ai_addr, a->ai_addrlen);
    e.len = a->ai_addrlen;
    e.family = a->ai_family;
    out.push_back(e);
  }
  if (out.empty()) {
    return absl::UnavailableError(
        absl::StrCat("host '", host, "' has no TCP address"));
  }
  return out;
}

// A lookup's answer, moved from the resolver thread to the loop.
struct Answer {
  int rc = 0;
  AddrInfoPtr result;
};

Answer blocking_lookup(std::string host, uint16_t port, bool passive) {
  Answer a;
  a.rc = lookup(host, port, passive, 0, &a.result);
  return a;
}

}  // namespace

ThreadPool& resolver_pool() {
  // Never destroyed: a lookup that hangs (a DNS server that does not
  // answer) must not hold up the process's exit in a static destructor.
  static ThreadPool* pool = new ThreadPool(kResolverThreads);
  return *pool;
}

Coro<absl::StatusOr<std::vector<Endpoint>>> resolve(std::string host,
                                                    uint16_t port,
                                                    bool passive) {
  // IP literals (and the empty host when binding) need no lookup.
  AddrInfoPtr res;
  int rc = lookup(host, port, passive, AI_NUMERICHOST, &res);
  if (rc == 0 || host.empty()) co_return to_endpoints(rc, res, host);

  // glibc's resolver blocks: the lookup runs on net's small pool, and
  // lookups beyond its threads wait in its queue. Cancelling the awaiting
  // task drops a queued lookup, or the answer of a running one.
  std::optional<WrappedFuture<Answer>> pending;
  try {
    pending.emplace(
        run_in_executor(resolver_pool(), blocking_lookup, host, port, passive));
  } catch (const std::exception& e) {
    // Not one resolver thread could start (out of threads or memory).
    co_return absl::ResourceExhaustedError(absl::StrCat(
        "cannot resolve host '", host, "': no resolver thread: ", e.what()));
  }
  Answer answer = co_await *std::move(pending);
  co_return to_endpoints(answer.rc, answer.result, host);
}

}  // namespace aio::net::internal
