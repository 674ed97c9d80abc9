// aio::http::Response: the outcome of an HTTP exchange that reached a server,
// whatever its status code (a 404 or 503 is a Response, not an error).
// A plain value type.
#ifndef AIO_NET_RESPONSE_H_
#define AIO_NET_RESPONSE_H_

#include <chrono>
#include <string>

#include "net/headers.h"

namespace aio::http {

// Where the time went, measured by libcurl from the start of the request
// (each a point in time after the start, not a duration of its own phase;
// zero when the phase did not happen, e.g. no DNS for an IP literal or no TLS
// for http://). With redirects, the phases are those of the last hop and
// `redirect` is the time spent on the earlier hops.
struct Timings {
  std::chrono::microseconds name_lookup{0};    // DNS done
  std::chrono::microseconds connect{0};        // TCP connected
  std::chrono::microseconds tls_handshake{0};  // TLS done (https only)
  std::chrono::microseconds first_byte{0};     // first response byte
  std::chrono::microseconds total{0};     // whole request, redirects included
  std::chrono::microseconds redirect{0};  // all hops before the last
};

struct Response {
  int status = 0;          // the final response's status code
  int http_version = 0;    // 10, 11, 20 (HTTP/1.0, HTTP/1.1, HTTP/2)
  Headers headers = {};    // of the final response (at most 256 KiB)
  Headers trailers = {};   // its chunked trailer fields, kept apart from
                           // `headers` (at most 64 KiB and 128 fields)
  std::string body = {};   // decoded (gzip/deflate/br removed)
  std::string url = {};    // the final URL, after redirects
  int redirect_count = 0;  // redirects followed
  Timings timings = {};

  // True for 1xx-3xx status codes.
  bool ok() const { return status > 0 && status < 400; }
};

}  // namespace aio::http

#endif  // AIO_NET_RESPONSE_H_
