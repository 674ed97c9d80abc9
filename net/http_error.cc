#include "net/http_error.h"

#include <optional>

#include "absl/strings/cord.h"
#include "net/internal/absl_compat.h"

namespace aio::http {
namespace {

using aio::net::internal::av;

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
  absl::Status s(info(kind).code, av(message));
  s.SetPayload(av(kKindPayload), absl::Cord(av(to_string(kind))));
  return s;
}

ErrorKind error_kind(const absl::Status& status) {
  if (status.ok()) return ErrorKind::kNone;
  auto p = status.GetPayload(av(kKindPayload));
  if (!p) return ErrorKind::kOther;
  for (const auto& k : kKinds) {
    if (*p == av(k.name)) return k.kind;
  }
  return ErrorKind::kOther;
}

}  // namespace aio::http
