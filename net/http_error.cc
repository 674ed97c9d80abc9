#include "net/http_error.h"

#include <cerrno>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "net/internal/curl_error.h"
#include "third_party/absl_compat.h"

namespace aio::http {
namespace {


// The payload that carries the ErrorKind (absl::Status payloads are keyed by
// a type URL).
constexpr std::string_view kKindPayload = "type.aio/aio.http.ErrorKind";

struct KindInfo {
  ErrorKind kind;
  std::string_view name;
  absl::StatusCode code;
};

constexpr KindInfo kKinds[] = {
    {ErrorKind::kNone, "none", absl::StatusCode::kOk},
    {ErrorKind::kInvalidUrl, "invalid_url", absl::StatusCode::kInvalidArgument},
    {ErrorKind::kUnsupportedProtocol, "unsupported_protocol",
     absl::StatusCode::kInvalidArgument},
    {ErrorKind::kDns, "dns", absl::StatusCode::kUnavailable},
    {ErrorKind::kConnectionRefused, "connection_refused",
     absl::StatusCode::kUnavailable},
    {ErrorKind::kConnectionReset, "connection_reset",
     absl::StatusCode::kUnavailable},
    {ErrorKind::kNetwork, "network", absl::StatusCode::kUnavailable},
    {ErrorKind::kTimeout, "timeout", absl::StatusCode::kDeadlineExceeded},
    {ErrorKind::kTls, "tls", absl::StatusCode::kUnauthenticated},
    {ErrorKind::kTooLarge, "too_large", absl::StatusCode::kResourceExhausted},
    {ErrorKind::kTooManyRedirects, "too_many_redirects",
     absl::StatusCode::kFailedPrecondition},
    {ErrorKind::kTruncated, "truncated", absl::StatusCode::kDataLoss},
    {ErrorKind::kProtocol, "protocol", absl::StatusCode::kDataLoss},
    {ErrorKind::kClientClosed, "client_closed", absl::StatusCode::kCancelled},
    {ErrorKind::kOther, "other", absl::StatusCode::kUnknown},
};

const KindInfo& info(ErrorKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k;
  }
  return kKinds[sizeof(kKinds) / sizeof(kKinds[0]) - 1];
}

}  // namespace

std::string_view to_string(ErrorKind kind) { return info(kind).name; }

absl::Status make_error(ErrorKind kind, std::string_view message) {
  if (kind == ErrorKind::kNone) return absl::OkStatus();
  absl::Status s(info(kind).code, to_absl(message));
  s.SetPayload(to_absl(kKindPayload), absl::Cord(to_absl(to_string(kind))));
  return s;
}

ErrorKind error_kind(const absl::Status& status) {
  if (status.ok()) return ErrorKind::kNone;
  auto p = status.GetPayload(to_absl(kKindPayload));
  if (!p) return ErrorKind::kOther;
  for (const auto& k : kKinds) {
    if (*p == to_absl(k.name)) return k.kind;
  }
  return ErrorKind::kOther;
}

namespace internal {
namespace {

bool is_tls_error(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

bool is_protocol_error(CURLcode rc) {
  switch (rc) {
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RANGE_ERROR:
    case CURLE_BAD_DOWNLOAD_RESUME:
      return true;
    default:
      return false;
  }
}

std::string_view violation_text(Violation v) {
  switch (v) {
    case Violation::kNone:
      break;
    case Violation::kHeadTooLarge:
      return "response head larger than 256 KiB";
    case Violation::kTrailersTooLarge:
      return "chunked trailers larger than 64 KiB or 128 fields";
    case Violation::kConflictingContentLength:
      return "conflicting Content-Length values";
    case Violation::kInvalidContentLength:
      return "invalid Content-Length value";
  }
  return "";
}

struct Label {
  ErrorKind kind;
  std::string text;
};

// The kind and the label before ": detail" (the rows of http_error.h).
Label classify(const TransferFailure& f) {
  const CURLcode rc = f.code;
  const std::string_view d = f.detail;
  if (f.violation != Violation::kNone) {
    return {ErrorKind::kProtocol,
            absl::StrCat("protocol error: ", to_absl(violation_text(f.violation)))};
  }
  if (f.body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return {ErrorKind::kTooLarge,
            absl::StrCat("response body too large: more than ", f.max_body,
                         " bytes")};
  }
  if (rc == CURLE_OK) {
    // libcurl reports success for a connection closed inside the head
    // ("HTTP/1.1 200 OK\r\nContent-Le", then EOF).
    return {ErrorKind::kTruncated, "truncated response"};
  }
  if (rc == CURLE_OPERATION_TIMEDOUT || f.client_deadline) {
    // libcurl's messages name the phase: "Resolving timed out after",
    // "Connection timed out after" (or, from its connection filters,
    // "Connection timeout after"), "Operation too slow", "Operation timed
    // out after". A transfer still queued for a connection slot has none.
    if (f.queued) {
      return {ErrorKind::kTimeout, "pool timeout (no free connection)"};
    }
    if (absl::StartsWith(to_absl(d), "Resolving timed out"))
      return {ErrorKind::kTimeout, "DNS timeout"};
    if (absl::StartsWith(to_absl(d), "Connection timed out") ||
        absl::StartsWith(to_absl(d), "Connection timeout") ||
        absl::StartsWith(to_absl(d), "Failed to connect"))
      return {ErrorKind::kTimeout, "connect timeout"};
    if (absl::StrContains(to_absl(d), "too slow"))
      return {ErrorKind::kTimeout, "low-speed timeout"};
    return {ErrorKind::kTimeout, "timeout"};
  }
  if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY)
    return {ErrorKind::kDns, "DNS lookup failed"};
  if (rc == CURLE_COULDNT_CONNECT) {
    if (f.os_errno == ECONNREFUSED)
      return {ErrorKind::kConnectionRefused, "connection refused"};
    return {ErrorKind::kNetwork, "could not connect"};
  }
  if (is_tls_error(rc)) return {ErrorKind::kTls, "TLS error"};
  if (rc == CURLE_TOO_MANY_REDIRECTS)
    return {ErrorKind::kTooManyRedirects, "too many redirects"};
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    // What libcurl says about a status line that is not HTTP at all.
    if (absl::StrContains(to_absl(d), "HTTP/0.9"))
      return {ErrorKind::kProtocol, "protocol error: malformed status line"};
    return {ErrorKind::kUnsupportedProtocol,
            "unsupported protocol (only http and https)"};
  }
  if (rc == CURLE_URL_MALFORMAT) return {ErrorKind::kInvalidUrl, "invalid URL"};
  if (rc == CURLE_PARTIAL_FILE)
    return {ErrorKind::kTruncated, "truncated response"};
  if (rc == CURLE_GOT_NOTHING) {
    return {ErrorKind::kConnectionReset,
            "connection closed without a response"};
  }
  if (rc == CURLE_OUT_OF_MEMORY) {
    // libcurl's line buffer has a hard limit (100 KB): a longer header or
    // trailer line fails with "Out of memory" ("... in chunked-encoding").
    if (!f.head_complete || absl::StrContains(to_absl(d), "chunked"))
      return {ErrorKind::kProtocol,
              "protocol error: header or trailer line over libcurl's limit"};
    return {ErrorKind::kOther, "out of memory"};
  }
  if (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) {
    // Malformed framing also arrives as a receive error: "Illegal or
    // missing hexadecimal sequence in chunked-encoding", "Too long
    // hexadecimal number in chunked-encoding", "Too large response headers".
    if (absl::StrContains(to_absl(d), "chunked-encoding") ||
        absl::StrContains(to_absl(d), "response headers"))
      return {ErrorKind::kProtocol, "protocol error"};
    if (f.os_errno == ECONNRESET || f.os_errno == EPIPE)
      return {ErrorKind::kConnectionReset, "connection reset"};
    return {ErrorKind::kNetwork, "network error"};
  }
  if (is_protocol_error(rc)) return {ErrorKind::kProtocol, "protocol error"};
  return {ErrorKind::kOther, "request failed"};
}

}  // namespace

absl::Status transfer_error(const TransferFailure& f, std::string_view where) {
  if (f.out_of_memory) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "out of memory while receiving the response", to_absl(where)));
  }
  Label label = classify(f);
  std::string detail;
  if (f.violation != Violation::kNone) {
    detail = "the response was rejected";
  } else if (f.body_too_large) {
    detail = absl::StrCat("aborted after ", f.decoded, " decoded bytes");
  } else if (f.code == CURLE_FILESIZE_EXCEEDED) {
    detail = "the announced Content-Length exceeds the limit";
  } else if (f.code == CURLE_OK) {
    detail = "the connection closed inside the response head";
  } else if (f.queued) {
    detail = "the request's timeout passed while it waited for a connection";
  } else if (!f.detail.empty()) {
    detail = std::string(f.detail);
  } else {
    detail = curl_easy_strerror(f.code);
  }
  return make_error(label.kind,
                    absl::StrCat(label.text, ": ", detail, to_absl(where)));
}

}  // namespace internal
}  // namespace aio::http
