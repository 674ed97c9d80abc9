// aio::crawler::Fetcher: how the engine sends one HTTP request — the seam
// between crawl logic and the network. HttpFetcher is //net's client;
// engine tests use an in-process site on the loop's (virtual) clock.
//
// fetch() sends exactly one request and never follows redirects itself
// unless the request says so (Request::follow_redirects); it returns the
// response whatever its status, or a //net error status (net/http_error.h).
// Threads: one loop's thread; many fetches may be in flight at once.
#ifndef AIO_CRAWLER_FETCHER_H_
#define AIO_CRAWLER_FETCHER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "loop/coro.h"
#include "net/client.h"
#include "net/request.h"
#include "net/response.h"

namespace aio::crawler {

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual Coro<absl::StatusOr<http::Response>> fetch(http::Request request) = 0;
};

// Fetcher over an aio::http::Client (created on the current loop).
class HttpFetcher final : public Fetcher {
 public:
  explicit HttpFetcher(http::ClientOptions options)
      : client_(std::move(options)) {}
  Coro<absl::StatusOr<http::Response>> fetch(http::Request request) override {
    return client_.request(std::move(request));
  }
  http::Client& client() { return client_; }

 private:
  http::Client client_;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_FETCHER_H_
