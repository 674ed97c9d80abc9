// Internal: turning a failed libcurl transfer into an aio::http error
// status (the table in net/http_error.h). Defined in net/http_error.cc,
// beside the table it implements. A pure function: any thread.
#ifndef AIO_NET_INTERNAL_CURL_ERROR_H_
#define AIO_NET_INTERNAL_CURL_ERROR_H_

#include <curl/curl.h>

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace aio::http::internal {

// A protocol violation seen by the client's own header parsing (libcurl
// accepts these; RFC 9112 does not, or they would cost unbounded memory).
enum class Violation {
  kNone,
  kHeadTooLarge,              // more than kMaxHeadBytes in one response head
  kTrailersTooLarge,          // more than kMaxTrailerBytes / kMaxTrailerFields
  kConflictingContentLength,  // two Content-Length values that differ
  kInvalidContentLength,      // a Content-Length that is not a number
};

// Limits enforced while a response head and its trailers arrive.
inline constexpr size_t kMaxHeadBytes = 256 * 1024;  // libcurl's own: 300 KB
inline constexpr size_t kMaxTrailerBytes = 64 * 1024;
inline constexpr size_t kMaxTrailerFields = 128;

// What is known about a transfer that did not produce a response.
struct TransferFailure {
  CURLcode code = CURLE_OK;  // libcurl's result (CURLE_OK: see head_complete)
  long os_errno = 0;         // CURLINFO_OS_ERRNO
  std::string_view detail;   // libcurl's error buffer, else curl_easy_strerror
  Violation violation = Violation::kNone;
  bool body_too_large = false;  // write callback passed max_body
  size_t max_body = 0;
  size_t decoded = 0;           // decoded body bytes seen
  bool out_of_memory = false;   // our own buffers could not grow
  bool head_complete = false;   // the final response's head was complete
  bool queued = false;          // never got a connection (waited for a slot)
  bool client_deadline = false;  // the client's own deadline fired
};

// The status for `f`; `where` (" (GET http://...)") ends the message.
absl::Status transfer_error(const TransferFailure& f, std::string_view where);

}  // namespace aio::http::internal

#endif  // AIO_NET_INTERNAL_CURL_ERROR_H_
