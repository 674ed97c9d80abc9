// Tests of the aio::http error kinds (net/http_error.h): one per row of its
// table — what each kind's status code is, and which libcurl failures (and
// which violations the client's own parsing finds) land in it. The same
// rows are met end to end against the fixture server in client_test and
// hostile_server_test.
#include "net/http_error.h"

#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "net/internal/curl_error.h"

namespace aio::http {
namespace {

using internal::TransferFailure;
using internal::Violation;

TEST(HttpErrorTest, KindsRoundTripWithTheirStatusCodes) {
  struct Case {
    ErrorKind kind;
    absl::StatusCode code;
    std::string_view name;
  };
  for (const Case& c : std::vector<Case>{
           {ErrorKind::kInvalidUrl, absl::StatusCode::kInvalidArgument,
            "invalid_url"},
           {ErrorKind::kUnsupportedProtocol,
            absl::StatusCode::kInvalidArgument, "unsupported_protocol"},
           {ErrorKind::kDns, absl::StatusCode::kUnavailable, "dns"},
           {ErrorKind::kConnectionRefused, absl::StatusCode::kUnavailable,
            "connection_refused"},
           {ErrorKind::kConnectionReset, absl::StatusCode::kUnavailable,
            "connection_reset"},
           {ErrorKind::kNetwork, absl::StatusCode::kUnavailable, "network"},
           {ErrorKind::kTimeout, absl::StatusCode::kDeadlineExceeded,
            "timeout"},
           {ErrorKind::kTls, absl::StatusCode::kUnauthenticated, "tls"},
           {ErrorKind::kTooLarge, absl::StatusCode::kResourceExhausted,
            "too_large"},
           {ErrorKind::kTooManyRedirects, absl::StatusCode::kFailedPrecondition,
            "too_many_redirects"},
           {ErrorKind::kTruncated, absl::StatusCode::kDataLoss, "truncated"},
           {ErrorKind::kProtocol, absl::StatusCode::kDataLoss, "protocol"},
           {ErrorKind::kClientClosed, absl::StatusCode::kCancelled,
            "client_closed"},
           {ErrorKind::kOther, absl::StatusCode::kUnknown, "other"},
       }) {
    absl::Status s = make_error(c.kind, "what happened");
    EXPECT_EQ(s.code(), c.code) << to_string(c.kind);
    EXPECT_EQ(error_kind(s), c.kind) << to_string(c.kind);
    EXPECT_EQ(s.message(), "what happened");
    EXPECT_EQ(to_string(c.kind), c.name);
  }
  EXPECT_EQ(error_kind(absl::OkStatus()), ErrorKind::kNone);
  EXPECT_TRUE(make_error(ErrorKind::kNone, "x").ok());
  // Statuses from elsewhere have no kind.
  EXPECT_EQ(error_kind(absl::UnavailableError("other")), ErrorKind::kOther);
}

TransferFailure failed(CURLcode code, std::string_view detail = "",
                       long os_errno = 0) {
  TransferFailure f;
  f.code = code;
  f.detail = detail;
  f.os_errno = os_errno;
  f.head_complete = true;
  return f;
}

struct Row {
  const char* what;
  TransferFailure failure;
  ErrorKind kind;
  const char* label;  // the message starts with it
};

// The rows of the table in net/http_error.h, with the libcurl 7.88 errors
// (codes and messages) that land in each.
std::vector<Row> rows() {
  std::vector<Row> out = {
      {"malformed URL", failed(CURLE_URL_MALFORMAT, "Bad hostname"),
       ErrorKind::kInvalidUrl, "invalid URL: "},
      {"scheme", failed(CURLE_UNSUPPORTED_PROTOCOL, "Protocol \"ftp\" not supported"),
       ErrorKind::kUnsupportedProtocol, "unsupported protocol"},
      {"DNS", failed(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: x"),
       ErrorKind::kDns, "DNS lookup failed: "},
      {"proxy DNS", failed(CURLE_COULDNT_RESOLVE_PROXY), ErrorKind::kDns,
       "DNS lookup failed: "},
      {"refused", failed(CURLE_COULDNT_CONNECT, "Failed to connect", ECONNREFUSED),
       ErrorKind::kConnectionRefused, "connection refused: "},
      {"reset", failed(CURLE_RECV_ERROR, "Recv failure: Connection reset by peer",
                       ECONNRESET),
       ErrorKind::kConnectionReset, "connection reset: "},
      {"broken pipe", failed(CURLE_SEND_ERROR, "Send failure: Broken pipe", EPIPE),
       ErrorKind::kConnectionReset, "connection reset: "},
      {"empty reply", failed(CURLE_GOT_NOTHING, "Empty reply from server"),
       ErrorKind::kConnectionReset, "connection closed without a response: "},
      {"unreachable", failed(CURLE_COULDNT_CONNECT, "Failed to connect", ENETUNREACH),
       ErrorKind::kNetwork, "could not connect: "},
      {"receive error", failed(CURLE_RECV_ERROR, "Recv failure", EIO),
       ErrorKind::kNetwork, "network error: "},
      {"timeout", failed(CURLE_OPERATION_TIMEDOUT,
                         "Operation timed out after 200 milliseconds with 0 bytes received"),
       ErrorKind::kTimeout, "timeout: "},
      {"connect timeout", failed(CURLE_OPERATION_TIMEDOUT,
                                 "Connection timed out after 300 milliseconds"),
       ErrorKind::kTimeout, "connect timeout: "},
      {"connect timeout (7.88)",
       failed(CURLE_OPERATION_TIMEDOUT,
              "Failed to connect to 127.0.0.1 port 1 after 300 ms: Timeout was reached"),
       ErrorKind::kTimeout, "connect timeout: "},
      {"DNS timeout", failed(CURLE_OPERATION_TIMEDOUT,
                             "Resolving timed out after 100 milliseconds"),
       ErrorKind::kTimeout, "DNS timeout: "},
      {"low speed", failed(CURLE_OPERATION_TIMEDOUT,
                           "Operation too slow. Less than 1000 bytes/sec"),
       ErrorKind::kTimeout, "low-speed timeout: "},
      {"TLS", failed(CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem"),
       ErrorKind::kTls, "TLS error: "},
      {"TLS connect", failed(CURLE_SSL_CONNECT_ERROR), ErrorKind::kTls,
       "TLS error: "},
      {"announced too large", failed(CURLE_FILESIZE_EXCEEDED),
       ErrorKind::kTooLarge, "response body too large: "},
      {"redirects", failed(CURLE_TOO_MANY_REDIRECTS, "Maximum (5) redirects followed"),
       ErrorKind::kTooManyRedirects, "too many redirects: "},
      {"truncated body", failed(CURLE_PARTIAL_FILE, "transfer closed with 50 bytes remaining"),
       ErrorKind::kTruncated, "truncated response: "},
      {"garbage status line",
       failed(CURLE_UNSUPPORTED_PROTOCOL, "Received HTTP/0.9 when not allowed"),
       ErrorKind::kProtocol, "protocol error: malformed status line"},
      {"bad chunk size",
       failed(CURLE_RECV_ERROR,
              "Illegal or missing hexadecimal sequence in chunked-encoding"),
       ErrorKind::kProtocol, "protocol error: "},
      {"long chunk size",
       failed(CURLE_RECV_ERROR, "Too long hexadecimal number in chunked-encoding"),
       ErrorKind::kProtocol, "protocol error: "},
      {"libcurl's head cap",
       failed(CURLE_RECV_ERROR, "Too large response headers: 307957 > 307200"),
       ErrorKind::kProtocol, "protocol error: "},
      {"long trailer line", failed(CURLE_OUT_OF_MEMORY, "Out of memory in chunked-encoding"),
       ErrorKind::kProtocol, "protocol error: "},
      {"weird reply", failed(CURLE_WEIRD_SERVER_REPLY), ErrorKind::kProtocol,
       "protocol error: "},
      {"HTTP/2 stream", failed(CURLE_HTTP2_STREAM), ErrorKind::kProtocol,
       "protocol error: "},
      {"bad encoding", failed(CURLE_BAD_CONTENT_ENCODING), ErrorKind::kProtocol,
       "protocol error: "},
      {"anything else", failed(CURLE_LOGIN_DENIED), ErrorKind::kOther,
       "request failed: "},
      {"out of memory after the head", failed(CURLE_OUT_OF_MEMORY),
       ErrorKind::kOther, "out of memory: "},
  };
  {
    TransferFailure f = failed(CURLE_OUT_OF_MEMORY, "Out of memory");
    f.head_complete = false;  // a header line over libcurl's 100 KB
    out.push_back({"long header line", f, ErrorKind::kProtocol,
                   "protocol error: header or trailer line"});
  }
  {
    TransferFailure f = failed(CURLE_OK);
    f.head_complete = false;  // "HTTP/1.1 200 OK\r\nContent-Le", then EOF
    out.push_back({"head cut mid-field", f, ErrorKind::kTruncated,
                   "truncated response: "});
  }
  {
    TransferFailure f = failed(CURLE_WRITE_ERROR);
    f.body_too_large = true;
    f.max_body = 10;
    f.decoded = 16384;
    out.push_back({"decoded too large", f, ErrorKind::kTooLarge,
                   "response body too large: more than 10 bytes"});
  }
  {
    TransferFailure f = failed(CURLE_OPERATION_TIMEDOUT);
    f.client_deadline = true;
    f.queued = true;
    out.push_back({"queued for a connection", f, ErrorKind::kTimeout,
                   "pool timeout"});
  }
  {
    TransferFailure f = failed(CURLE_OPERATION_TIMEDOUT);
    f.client_deadline = true;  // libcurl did not end it: the backstop did
    out.push_back({"backstop", f, ErrorKind::kTimeout, "timeout: "});
  }
  for (auto [v, text] :
       std::vector<std::pair<Violation, const char*>>{
           {Violation::kHeadTooLarge, "256 KiB"},
           {Violation::kTrailersTooLarge, "trailers"},
           {Violation::kConflictingContentLength, "conflicting Content-Length"},
           {Violation::kInvalidContentLength, "invalid Content-Length"}}) {
    TransferFailure f = failed(CURLE_WRITE_ERROR);
    f.violation = v;
    out.push_back({text, f, ErrorKind::kProtocol, "protocol error: "});
  }
  return out;
}

TEST(HttpErrorTest, EveryRowOfTheTableMapsToItsKindAndLabel) {
  for (const Row& row : rows()) {
    absl::Status s = internal::transfer_error(row.failure, " (GET http://x/)");
    EXPECT_EQ(error_kind(s), row.kind) << row.what << ": " << s;
    EXPECT_TRUE(absl::StartsWith(s.message(), row.label))
        << row.what << ": " << s;
    EXPECT_TRUE(absl::EndsWith(s.message(), " (GET http://x/)"))
        << row.what << ": " << s;
  }
}

TEST(HttpErrorTest, ProtocolErrorsAreNotRetryableCodes) {
  // The header promises: retry kUnavailable and kDeadlineExceeded. A server
  // that broke HTTP gets neither.
  for (const Row& row : rows()) {
    if (row.kind != ErrorKind::kProtocol) continue;
    absl::Status s = internal::transfer_error(row.failure, "");
    EXPECT_NE(s.code(), absl::StatusCode::kUnavailable) << row.what;
    EXPECT_NE(s.code(), absl::StatusCode::kDeadlineExceeded) << row.what;
  }
}

TEST(HttpErrorTest, OurOwnOutOfMemoryIsResourceExhausted) {
  TransferFailure f = failed(CURLE_WRITE_ERROR);
  f.out_of_memory = true;
  absl::Status s = internal::transfer_error(f, " (GET http://x/)");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "out of memory")) << s;
}

}  // namespace
}  // namespace aio::http
