// aio::http::Request: what to send — method, URL, headers, body, and
// per-request overrides of the client's options. A plain value type.
#ifndef AIO_NET_REQUEST_H_
#define AIO_NET_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>

#include "loop/clock.h"
#include "net/headers.h"

namespace aio::http {

struct Request {
  // An HTTP method token: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, ...
  // HEAD requests no body; other methods than GET send `body` (maybe empty).
  std::string method = "GET";
  // An absolute http:// or https:// URL.
  std::string url = {};
  // Added to (and overriding, by name) the client's default headers.
  Headers headers = {};
  std::string body = {};

  // Overrides of Client::Options for this request only. timeout: zero =
  // none, negative = an InvalidArgument status, Duration::max() = none in
  // practice.
  std::optional<Duration> timeout = {};
  std::optional<size_t> max_body_size = {};
  std::optional<bool> follow_redirects = {};
};

}  // namespace aio::http

#endif  // AIO_NET_REQUEST_H_
