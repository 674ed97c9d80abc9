// Errors of aio::http: what went wrong with a request, as a value.
//
// Every failure of the outside world (DNS, connect, TLS, timeouts, a body
// too large, a broken server) comes back from aio::http::Client as an
// absl::Status whose message says what happened to which URL, and whose kind
// (error_kind(status)) tells the categories apart without parsing text:
//
// clang-format off
//   kind                  status code          example message
//   kInvalidUrl           kInvalidArgument     invalid URL 'http://a b/': Bad hostname
//   kUnsupportedProtocol  kInvalidArgument     unsupported URL scheme 'ftp' ... (only http and https)
//   kDns                  kUnavailable         DNS lookup failed: Could not resolve host: x.invalid
//   kConnectionRefused    kUnavailable         connection refused: Failed to connect to ...
//   kConnectionReset      kUnavailable         connection reset: Recv failure: Connection reset by peer
//                                              connection closed without a response: Empty reply ...
//   kNetwork              kUnavailable         network error: (other send/receive/connect failures)
//   kTimeout              kDeadlineExceeded    timeout: Operation timed out after 200 milliseconds ...
//                                              connect timeout / DNS timeout / low-speed timeout: ...
//                                              pool timeout (no free connection): ... (queued behind
//                                              max_connections or max_connections_per_host)
//   kTls                  kUnauthenticated     TLS error: SSL certificate problem: self-signed certificate
//   kTooLarge             kResourceExhausted   response body too large: more than 1048576 bytes
//   kTooManyRedirects     kFailedPrecondition  too many redirects: Maximum (5) redirects followed
//   kTruncated            kDataLoss            truncated response: transfer closed with 50 bytes remaining
//                                              (also a connection closed inside the response head)
//   kProtocol             kDataLoss            protocol error: the server broke HTTP: a malformed
//                                              status line, a bad chunk size, conflicting
//                                              Content-Length values, a head over 256 KiB or a header
//                                              line over libcurl's 100 KB, trailers over 64 KiB or 128
//                                              fields, an HTTP/2 stream error, bad content encoding
//   kClientClosed         kCancelled           the aio::http::Client was destroyed during the request
//   kOther                kUnknown             (anything else libcurl reports)
// clang-format on
//
// An HTTP error status (404, 503) is not an error here: it is a Response.
// Retrying makes sense for kUnavailable and kDeadlineExceeded codes (a
// network failure, a timeout); kProtocol, kTooLarge and kTruncated say what
// the server sent, which a retry is unlikely to change.
#ifndef AIO_NET_HTTP_ERROR_H_
#define AIO_NET_HTTP_ERROR_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace aio::http {

enum class ErrorKind {
  kNone,  // an OK status
  kInvalidUrl,
  kUnsupportedProtocol,
  kDns,
  kConnectionRefused,
  kConnectionReset,
  kNetwork,
  kTimeout,
  kTls,
  kTooLarge,
  kTooManyRedirects,
  kTruncated,
  kProtocol,
  kClientClosed,
  kOther,
};

// The kind of an error returned by aio::http; kOther for statuses that did
// not come from aio::http, kNone for OK.
ErrorKind error_kind(const absl::Status& status);

// "dns", "timeout", ... (stable names, for logs and metrics).
std::string_view to_string(ErrorKind kind);

// Builds an aio::http error: the status code of the table above, `message`,
// and the kind attached as a payload.
absl::Status make_error(ErrorKind kind, std::string_view message);

}  // namespace aio::http

#endif  // AIO_NET_HTTP_ERROR_H_
