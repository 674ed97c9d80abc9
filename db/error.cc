#include "db/error.h"

#include <cstdio>
#include <optional>

#include "absl/strings/cord.h"
#include "absl/types/optional.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace aio::db {
namespace {

// Payload: "<kind> <errno> <sqlstate>".
constexpr std::string_view kPayloadUrl = "type.aio.dev/aio.db.Error";

absl::StatusCode code_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk:
      return absl::StatusCode::kOk;
    case ErrorKind::kDuplicateKey:
      return absl::StatusCode::kAlreadyExists;
    case ErrorKind::kDeadlock:
    case ErrorKind::kLockWaitTimeout:
      return absl::StatusCode::kAborted;
    case ErrorKind::kConnectionLost:
    case ErrorKind::kCannotConnect:
      return absl::StatusCode::kUnavailable;
    case ErrorKind::kTlsFailed:
      return absl::StatusCode::kFailedPrecondition;
    case ErrorKind::kAccessDenied:
      return absl::StatusCode::kPermissionDenied;
    case ErrorKind::kUnknownDatabase:
      return absl::StatusCode::kNotFound;
    case ErrorKind::kPacketTooLarge:
      return absl::StatusCode::kResourceExhausted;
    case ErrorKind::kQueryInterrupted:
      return absl::StatusCode::kCancelled;
    case ErrorKind::kAcquireTimeout:
      return absl::StatusCode::kDeadlineExceeded;
    case ErrorKind::kPoolClosed:
    case ErrorKind::kTypeMismatch:
      return absl::StatusCode::kFailedPrecondition;
    case ErrorKind::kInvalidArgument:
      return absl::StatusCode::kInvalidArgument;
    case ErrorKind::kOther:
      break;
  }
  return absl::StatusCode::kUnknown;
}

struct Payload {
  ErrorKind kind = ErrorKind::kOther;
  unsigned number = 0;
  std::string state;
};

std::optional<Payload> payload_of(const absl::Status& status) {
  absl::optional<absl::Cord> p = status.GetPayload(
      absl::string_view(kPayloadUrl.data(), kPayloadUrl.size()));
  if (!p) return std::nullopt;
  std::vector<std::string> parts =
      absl::StrSplit(std::string(*p), absl::MaxSplits(' ', 2));
  Payload out;
  int kind = 0;
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &kind) ||
      !absl::SimpleAtoi(parts[1], &out.number)) {
    return std::nullopt;
  }
  out.kind = static_cast<ErrorKind>(kind);
  if (parts.size() == 3) out.state = parts[2];
  return out;
}

absl::Status with_payload(ErrorKind kind, unsigned number,
                          std::string_view state, std::string message) {
  absl::Status s(code_of(kind), absl::string_view(message));
  s.SetPayload(absl::string_view(kPayloadUrl.data(), kPayloadUrl.size()),
               absl::Cord(absl::StrCat(static_cast<int>(kind), " ", number, " ",
                                       std::string(state))));
  return s;
}

}  // namespace

ErrorKind error_kind(const absl::Status& status) {
  if (status.ok()) return ErrorKind::kOk;
  auto p = payload_of(status);
  return p ? p->kind : ErrorKind::kOther;
}

unsigned error_number(const absl::Status& status) {
  auto p = payload_of(status);
  return p ? p->number : 0;
}

std::string sqlstate(const absl::Status& status) {
  auto p = payload_of(status);
  return p ? p->state : std::string();
}

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk: return "ok";
    case ErrorKind::kOther: return "other";
    case ErrorKind::kDuplicateKey: return "duplicate key";
    case ErrorKind::kDeadlock: return "deadlock";
    case ErrorKind::kLockWaitTimeout: return "lock wait timeout";
    case ErrorKind::kConnectionLost: return "connection lost";
    case ErrorKind::kCannotConnect: return "cannot connect";
    case ErrorKind::kTlsFailed: return "TLS failed";
    case ErrorKind::kAccessDenied: return "access denied";
    case ErrorKind::kUnknownDatabase: return "unknown database";
    case ErrorKind::kPacketTooLarge: return "packet too large";
    case ErrorKind::kQueryInterrupted: return "query interrupted";
    case ErrorKind::kAcquireTimeout: return "acquire timeout";
    case ErrorKind::kPoolClosed: return "pool closed";
    case ErrorKind::kTypeMismatch: return "type mismatch";
    case ErrorKind::kInvalidArgument: return "invalid argument";
  }
  return "other";
}

ErrorKind kind_of_error_number(unsigned number) {
  switch (number) {
    case 1022:  // ER_DUP_KEY
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
      return ErrorKind::kDuplicateKey;
    case 1213:  // ER_LOCK_DEADLOCK
      return ErrorKind::kDeadlock;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
      return ErrorKind::kLockWaitTimeout;
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
      return ErrorKind::kConnectionLost;
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
      return ErrorKind::kCannotConnect;
    case 2026:  // CR_SSL_CONNECTION_ERROR
      return ErrorKind::kTlsFailed;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
      return ErrorKind::kAccessDenied;
    case 1049:  // ER_BAD_DB_ERROR
      return ErrorKind::kUnknownDatabase;
    case 1153:  // ER_NET_PACKET_TOO_LARGE
    case 2020:  // CR_NET_PACKET_TOO_LARGE
      return ErrorKind::kPacketTooLarge;
    case 1317:  // ER_QUERY_INTERRUPTED
    case 1969:  // ER_STATEMENT_TIMEOUT
      return ErrorKind::kQueryInterrupted;
    default:
      return ErrorKind::kOther;
  }
}

absl::Status make_error(ErrorKind kind, std::string_view message) {
  return with_payload(kind, 0, "", std::string(message));
}

absl::Status make_mariadb_error(unsigned number, std::string_view state,
                                std::string_view message,
                                std::string_view context) {
  std::string text =
      absl::StrCat(std::string(context), context.empty() ? "" : ": ",
                   "MariaDB error ", number, " (", std::string(state),
                   "): ", std::string(message));
  return with_payload(kind_of_error_number(number), number, state,
                      std::move(text));
}

}  // namespace aio::db
