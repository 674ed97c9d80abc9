#include "net/client.h"

#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "net/http_error.h"
#include "net/internal/client_core.h"
#include "net/url.h"

namespace aio::http {
namespace {

absl::Status closed_error(const Request& request) {
  return make_error(
      ErrorKind::kClientClosed,
      "the aio::http::Client was destroyed before the request started (" +
          request.method + " " + request.url + ")");
}

// One exchange with libcurl. It holds the core only weakly: a client
// destroyed before the coroutine starts yields kClientClosed instead of a
// dangling pointer, and once the transfer is handed over, the frame never
// touches the core again except through Transfer (which the core detaches).
// With `self_follow`, libcurl does not follow redirects and the target of
// a 3xx response is left in `*redirect_url`.
Coro<absl::StatusOr<Response>> exchange(
    std::weak_ptr<internal::ClientCore> weak, Request request,
    bool self_follow, std::string* redirect_url) {
  internal::Transfer t;
  t.self_follow = self_follow;
  {
    std::shared_ptr<internal::ClientCore> core = weak.lock();
    if (!core) co_return closed_error(request);
    absl::Status s = core->start(&t, std::move(request));
    if (!s.ok()) co_return s;
  }
  co_await internal::TransferAwaiter(&t);
  if (redirect_url) *redirect_url = std::move(t.redirect_url);
  co_return std::move(t.result);
}

// libcurl 7.88 follows redirects as RFC 9110 15.4 asks for GET, HEAD and
// POST, but keeps a custom method (PUT, DELETE, PATCH, ...) on a 303,
// where the target must be fetched with GET: the client follows those
// itself.
bool follows_itself(const Request& r, const ClientOptions& options) {
  return r.follow_redirects.value_or(options.follow_redirects) &&
         r.method != "GET" && r.method != "HEAD" && r.method != "POST";
}

bool same_origin(std::string_view a, std::string_view b) {
  absl::StatusOr<Url> x = Url::parse(a);
  absl::StatusOr<Url> y = Url::parse(b);
  return x.ok() && y.ok() && x->scheme() == y->scheme() &&
         x->host() == y->host() && x->port() == y->port();
}

// The request coroutine: one exchange, or (follows_itself) one per hop.
Coro<absl::StatusOr<Response>> perform(std::weak_ptr<internal::ClientCore> weak,
                                       Request request) {
  int max_redirects = 0;
  Duration timeout{0};
  bool self_follow = false;
  {
    // (Not held across an await: the client's destruction must reach the
    // core while requests wait.)
    std::shared_ptr<internal::ClientCore> core = weak.lock();
    if (!core) co_return closed_error(request);
    self_follow = follows_itself(request, core->options());
    max_redirects = core->options().max_redirects;
    timeout = request.timeout.value_or(core->options().timeout);
  }
  if (!self_follow) {
    co_return co_await exchange(std::move(weak), std::move(request), false,
                                nullptr);
  }
  EventLoop& loop = get_running_loop();
  const TimePoint start = loop.time();
  std::chrono::microseconds earlier_hops{0};
  for (int hops = 0;; ++hops) {
    Request hop = request;
    if (timeout.count() > 0) {
      // The request's timeout covers every hop, as libcurl's does.
      Duration left = timeout - (loop.time() - start);
      if (left.count() <= 0) {
        co_return make_error(
            ErrorKind::kTimeout,
            absl::StrCat("timeout: the redirects took longer than the "
                         "request's timeout (",
                         request.method, " ", request.url, ")"));
      }
      hop.timeout = left;
    }
    std::string target;
    absl::StatusOr<Response> r =
        co_await exchange(weak, std::move(hop), true, &target);
    if (!r.ok()) co_return r;
    const int status = r->status;
    const bool redirect = status == 301 || status == 302 || status == 303 ||
                          status == 307 || status == 308;
    if (!redirect || target.empty()) {
      r->redirect_count = hops;
      r->timings.redirect = earlier_hops;
      r->timings.total += earlier_hops;
      co_return r;
    }
    if (hops == max_redirects) {
      co_return make_error(
          ErrorKind::kTooManyRedirects,
          absl::StrCat("too many redirects: Maximum (", max_redirects,
                       ") redirects followed (", request.method, " ",
                       request.url, ")"));
    }
    earlier_hops += r->timings.total;
    if (status == 303) {
      // "See Other": the answer is elsewhere, fetched with GET, no body.
      request.method = "GET";
      request.body.clear();
      request.headers.remove("Content-Type");
      request.headers.remove("Content-Length");
    }
    if (!same_origin(request.url, target)) {
      // Credentials stay with the origin they were meant for (as libcurl
      // does when it follows).
      request.headers.remove("Authorization");
      request.headers.remove("Proxy-Authorization");
      request.headers.remove("Cookie");
    }
    request.url = std::move(target);
  }
}

}  // namespace

Client::Client() : Client(get_event_loop(), Options{}) {}
Client::Client(Options options)
    : Client(get_event_loop(), std::move(options)) {}
Client::Client(EventLoop& loop, Options options)
    : core_(std::make_shared<internal::ClientCore>(&loop, std::move(options))) {
}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Coro<absl::StatusOr<Response>> Client::request(Request request) {
  return perform(core_, std::move(request));
}

Coro<absl::StatusOr<Response>> Client::get(std::string url, Headers headers) {
  Request r;
  r.url = std::move(url);
  r.headers = std::move(headers);
  return request(std::move(r));
}

Coro<absl::StatusOr<Response>> Client::head(std::string url, Headers headers) {
  Request r;
  r.method = "HEAD";
  r.url = std::move(url);
  r.headers = std::move(headers);
  return request(std::move(r));
}

Coro<absl::StatusOr<Response>> Client::post(std::string url, std::string body,
                                            Headers headers) {
  Request r;
  r.method = "POST";
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return request(std::move(r));
}

const Client::Options& Client::options() const {
  if (!core_)
    throw std::logic_error("aio::http::Client: use of a moved-from client");
  return core_->options();
}

Client::Stats Client::stats() const {
  if (!core_)
    throw std::logic_error("aio::http::Client: use of a moved-from client");
  return core_->stats();
}

}  // namespace aio::http
