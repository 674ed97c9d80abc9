// Internal: the engine behind aio::http::Client — one CURLM multi handle
// wired to one aio::EventLoop.
//
// The embedding follows libcurl's multi-socket contract:
//  - CURLMOPT_SOCKETFUNCTION: libcurl says which fds it wants to wait on;
//    we add/remove loop readers and writers (no libcurl call from inside).
//  - CURLMOPT_TIMERFUNCTION: libcurl's one timeout becomes one loop timer
//    (0 ms = call_soon, -1 = cancel); again nothing re-enters libcurl.
//  - The loop callbacks (fd ready, timer due) call curl_multi_socket_action
//    and then collect finished transfers with curl_multi_info_read.
//  - CURL_POLL_REMOVE only means "not interested now": connections stay open
//    for reuse and HTTP/2 streams share sockets. Socket lifetime is tracked
//    with CURLOPT_OPENSOCKETFUNCTION / CURLOPT_CLOSESOCKETFUNCTION, and an
//    fd leaves the loop's epoll (forget_fd) before it is closed.
//  - fds libcurl did not open through us (the threaded resolver's wake-up
//    socket) arrive through the socket callback like any other.
//
// Everything runs on the loop's thread.
#ifndef AIO_NET_INTERNAL_CLIENT_CORE_H_
#define AIO_NET_INTERNAL_CLIENT_CORE_H_

#include <curl/curl.h>

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "loop/event_loop.h"
#include "loop/park.h"
#include "net/client.h"
#include "net/client_options.h"
#include "net/internal/curl_error.h"
#include "net/request.h"
#include "net/response.h"

namespace aio::http::internal {

class ClientCore;

// A libcurl easy handle and its error buffer, pooled and reused: a reused
// handle keeps its settings (most options are set once) and libcurl's
// per-handle caches.
struct EasyHandle {
  EasyHandle() = default;
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;
  ~EasyHandle() {
    if (easy) curl_easy_cleanup(easy);
  }
  CURL* easy = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};
};

// One request in flight. Lives in the frame of the coroutine that awaits it.
struct Transfer {
  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer();

  ClientCore* core = nullptr;         // set while libcurl owns the transfer
  EasyHandle* handle = nullptr;       // ours while the transfer runs
  CURL* easy = nullptr;               // handle->easy
  curl_slist* own_headers = nullptr;  // this request's header list, if any
  Request request;                    // keeps URL and body alive for libcurl
  std::string body;
  Headers headers;   // of the latest response
  Headers trailers;  // of the latest response (chunked trailer fields)
  size_t max_body = 0;
  size_t decoded = 0;  // decoded bytes seen (counted even past max_body)
  bool too_large = false;
  bool out_of_memory = false;

  // What header_cb has seen of the latest response.
  size_t head_bytes = 0;     // raw bytes of its head so far
  size_t trailer_bytes = 0;  // raw bytes of its trailers so far
  int64_t content_length = -1;
  bool in_head = false;        // between the status line and the blank line
  bool informational = false;  // its status is 1xx (another head follows)
  bool head_complete = false;  // a final (non-1xx) head ended
  bool expect_body = true;     // false for HEAD: no body is coming
  Violation violation = Violation::kNone;

  // Set once libcurl gives the transfer a socket (resolver, connection):
  // it no longer waits for a connection slot.
  bool got_socket = false;
  // The client's own deadline for the request's timeout: libcurl does not
  // time out transfers queued behind the connection limits, and a
  // transfer that libcurl fails to end by its timeout ends here 1 s later.
  struct Deadline : aio::internal::TimerNode {
    Transfer* transfer = nullptr;
  };
  Deadline deadline;
  bool past_deadline = false;  // the first firing happened (a backstop runs)
  // Redirects followed by the client instead of libcurl (for methods
  // libcurl would keep on a 303): set before start(); a 3xx response then
  // leaves its target (CURLINFO_REDIRECT_URL) here.
  bool self_follow = false;
  std::string redirect_url;

  bool done = false;
  // Set by finish() before the task resumes; the placeholder (a code without
  // a message, which costs no allocation) is never seen.
  absl::StatusOr<Response> result{absl::Status(absl::StatusCode::kUnknown, "")};
  aio::internal::ParkedTask* waiter = nullptr;  // the parked awaiter

  Transfer* prev = nullptr;  // in ClientCore's list of active transfers
  Transfer* next = nullptr;
};

// Parks the awaiting task until the transfer is done; cancelling the task
// removes the transfer from libcurl at once (loop/park.h protocol).
class TransferAwaiter : private aio::internal::ParkedTask {
 public:
  explicit TransferAwaiter(Transfer* t) : t_(t) {}
  TransferAwaiter(const TransferAwaiter&) = delete;
  ~TransferAwaiter();
  bool await_ready() const noexcept { return t_->done; }
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();

 private:
  Transfer* t_;
};

class ClientCore {
 public:
  ClientCore(EventLoop* loop, ClientOptions options);
  ~ClientCore();
  ClientCore(const ClientCore&) = delete;
  ClientCore& operator=(const ClientCore&) = delete;

  // Validates `request`, configures a handle and hands it to libcurl.
  absl::Status start(Transfer* t, Request request);
  // Removes an unfinished transfer from libcurl now (cancellation).
  void abort(Transfer* t);

  const ClientOptions& options() const { return options_; }
  Client::Stats stats() const;
  EventLoop* loop() const { return loop_; }

 private:
  // kIn/kOut: registered with the loop; kWantIn: libcurl waits for input;
  // kOwned: opened through open_cb (closed through close_cb); kMultiplexed:
  // carries HTTP/2 (frames may arrive while it is idle).
  enum FdFlags : uint8_t {
    kIn = 1,
    kOut = 2,
    kWantIn = 4,
    kOwned = 8,
    kMultiplexed = 16,
  };

  static int socket_cb(CURL* easy, curl_socket_t fd, int what, void* self,
                       void* socketp);
  static int timer_cb(CURLM* multi, long timeout_ms, void* self);
  static curl_socket_t open_cb(void* self, curlsocktype purpose,
                               curl_sockaddr* addr);
  static int close_cb(void* self, curl_socket_t fd);
  static size_t write_cb(char* data, size_t size, size_t n, void* transfer);
  static size_t header_cb(char* data, size_t size, size_t n, void* transfer);
  static size_t parse_header(Transfer* t, std::string_view line);

  void configure_multi();
  void watch(int fd, bool in, bool out);
  void arm_timer(long timeout_ms);
  void on_ready(int fd, int ev);
  void on_readable(int fd);
  void on_timeout();
  void collect_done();
  void on_deadline(Transfer* t);
  // The error for a failed transfer (libcurl's code, or CURLE_OK when the
  // response is otherwise unusable), or the Response.
  absl::StatusOr<Response> failure(Transfer* t, CURLcode rc,
                                   bool client_deadline = false);
  Response success(Transfer* t);
  // The per-request settings of start(); a Status when libcurl refuses one.
  absl::Status configure(Transfer* t);
  // Detaches `t` from libcurl and wakes its task with `result`.
  void finish(Transfer* t, absl::StatusOr<Response> result, bool reuse_handle);
  EasyHandle* acquire_handle();
  void release_handle(EasyHandle* handle, bool reuse);
  uint8_t& fd_flags(int fd);

  EventLoop* loop_;
  ClientOptions options_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;  // cookie jar, when options_.cookies
  curl_slist* default_headers_ = nullptr;
  // libcurl's one timeout: a timer node owned here and re-armed without
  // allocating (libcurl moves its timeout a few times per request); a 0 ms
  // timeout is one coalesced call_soon.
  struct CurlTimer : aio::internal::TimerNode {
    ClientCore* core = nullptr;
  };
  CurlTimer timer_;
  Handle soon_;
  bool soon_pending_ = false;
  std::vector<uint8_t> fds_;  // FdFlags by fd
  std::vector<std::unique_ptr<EasyHandle>> idle_handles_;
  Transfer* active_ = nullptr;  // doubly linked list
  bool closing_ = false;
  Client::Stats stats_;
};

}  // namespace aio::http::internal

#endif  // AIO_NET_INTERNAL_CLIENT_CORE_H_
