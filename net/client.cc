#include "net/client.h"

#include <stdexcept>
#include <utility>

#include "net/http_error.h"
#include "net/internal/client_core.h"

namespace aio::http {
namespace {

// The request coroutine. It holds the core only weakly: a client destroyed
// before the coroutine starts yields kClientClosed instead of a dangling
// pointer, and once the transfer is handed over, the frame never touches
// the core again except through Transfer (which the core detaches).
Coro<absl::StatusOr<Response>> perform(std::weak_ptr<internal::ClientCore> weak,
                                       Request request) {
  internal::Transfer t;
  {
    std::shared_ptr<internal::ClientCore> core = weak.lock();
    if (!core) {
      co_return make_error(
          ErrorKind::kClientClosed,
          "the aio::http::Client was destroyed before the request started (" +
              request.method + " " + request.url + ")");
    }
    absl::Status s = core->start(&t, std::move(request));
    if (!s.ok()) co_return s;
  }
  co_await internal::TransferAwaiter(&t);
  co_return std::move(t.result);
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
