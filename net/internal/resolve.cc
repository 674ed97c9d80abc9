#include "net/internal/resolve.h"

#include <netdb.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "loop/event_loop.h"
#include "loop/park.h"

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

// Shared by the awaiting coroutine and the resolver thread.
struct Job {
  std::string host;
  uint16_t port;
  bool passive;
  std::mutex mu;
  EventLoop* loop = nullptr;  // guarded by mu; null once the awaiting side left
  // Loop thread only:
  bool done = false;
  int rc = 0;
  AddrInfoPtr result;
  aio::internal::WaitList waiters;
};

void run_job(std::shared_ptr<Job> job) {
  AddrInfoPtr res;
  int rc = lookup(job->host, job->port, job->passive, 0, &res);
  std::lock_guard<std::mutex> lock(job->mu);
  if (!job->loop || !aio::internal::loop_alive(job->loop)) return;
  auto* raw = res.release();
  try {
    job->loop->call_soon_threadsafe([job, rc, raw] {
      job->rc = rc;
      job->result.reset(raw);
      job->done = true;
      aio::internal::wake_all(job->waiters);
    });
  } catch (...) {
    freeaddrinfo(raw);  // the loop closed meanwhile
  }
}

// Detaches the awaiting side when its frame goes (result, cancel, or frame
// destroyed with its loop).
struct Detach {
  std::shared_ptr<Job> job;
  ~Detach() {
    std::lock_guard<std::mutex> lock(job->mu);
    job->loop = nullptr;
  }
};

}  // namespace

Coro<absl::StatusOr<std::vector<Endpoint>>> resolve(std::string host,
                                                    uint16_t port,
                                                    bool passive) {
  // IP literals (and the empty host when binding) need no lookup.
  AddrInfoPtr res;
  int rc = lookup(host, port, passive, AI_NUMERICHOST, &res);
  if (rc == 0 || host.empty()) co_return to_endpoints(rc, res, host);

  auto job = std::make_shared<Job>();
  job->host = host;
  job->port = port;
  job->passive = passive;
  job->loop = &get_running_loop();
  Detach detach{job};
  std::thread(run_job, job).detach();
  while (!job->done) co_await aio::internal::wait_in(job->waiters);
  co_return to_endpoints(job->rc, job->result, host);
}

}  // namespace aio::net::internal
