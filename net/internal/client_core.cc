#include "net/internal/client_core.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "net/http_error.h"
#include "third_party/absl_compat.h"
#include "net/url.h"

namespace aio::http::internal {
namespace {


void global_init() {
  // curl_global_init is not thread-safe; a function-local static is.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw std::runtime_error(
        absl::StrCat("curl_global_init failed: ", curl_easy_strerror(rc)));
  }
}

bool is_tchar(unsigned char c) {
  return absl::ascii_isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

absl::Status check_headers(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!is_token(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid header name '", to_absl(name), "'"));
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) !=
        std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid value for header '", to_absl(name), "': contains CR, LF or NUL"));
    }
  }
  return absl::OkStatus();
}

// "Name: value", or "Name;" which is libcurl's way to send an empty value.
std::string header_line(std::string_view name, std::string_view value) {
  if (value.empty()) return absl::StrCat(to_absl(name), ";");
  return absl::StrCat(to_absl(name), ": ", to_absl(value));
}

// Appends a copy of `line`; std::bad_alloc if libcurl cannot, with `list`
// left as it was (the caller frees it: freeing it here too would free it
// twice, since the caller still holds it).
curl_slist* append(curl_slist* list, const std::string& line) {
  curl_slist* n = curl_slist_append(list, line.c_str());
  if (!n) throw std::bad_alloc();
  return n;
}

long to_ms(Duration d) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::chrono::microseconds info_time(CURL* e, CURLINFO what) {
  curl_off_t v = 0;
  curl_easy_getinfo(e, what, &v);
  return std::chrono::microseconds(v);
}

// "http://" or "https://" followed by visible ASCII only: nothing to clean.
bool is_plain_http_url(std::string_view url) {
  size_t rest;
  if (url.substr(0, 7) == "http://") {
    rest = 7;
  } else if (url.substr(0, 8) == "https://") {
    rest = 8;
  } else {
    return false;
  }
  if (url.size() == rest) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// Content-Length: 1*DIGIT, or a list of equal values ("5, 5"; RFC 9110
// 8.6). The value, or -1 if it is not a number, -2 if list members differ.
int64_t parse_content_length(std::string_view v) {
  int64_t value = -1;
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view item =
        to_std(absl::StripAsciiWhitespace(to_absl(v.substr(0, comma))));
    v.remove_prefix(comma == std::string_view::npos ? v.size() : comma + 1);
    int64_t n = 0;
    if (item.empty() || item.size() > 18) return -1;
    for (char c : item) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    if (value >= 0 && n != value) return -2;
    value = n;
  }
  return value;
}

// A response body's buffer starts at most this large, however much its
// Content-Length announces: it grows with what arrives.
constexpr size_t kMaxBodyReserve = 64 * 1024;

}  // namespace

// ---------------------------------------------------------------- Transfer

Transfer::~Transfer() {
  // The awaiting frame is going away while libcurl still has the transfer
  // (its task was destroyed, e.g. by closing the loop): take it back now.
  if (core) core->abort(this);
}

TransferAwaiter::~TransferAwaiter() {
  if (t_->waiter == this) t_->waiter = nullptr;
}

bool TransferAwaiter::await_suspend(std::coroutine_handle<> h) {
  if (!prepare("aio::http::Client request")) return false;
  t_->waiter = this;
  cancel = [](CancelHook* c, Op op, std::string&) {
    auto* self = static_cast<TransferAwaiter*>(c);
    self->t_->waiter = nullptr;
    if (op == kDetach) return false;  // the frame's Transfer aborts later
    if (self->t_->core) self->t_->core->abort(self->t_);
    self->wake();
    return false;
  };
  suspend_at(h);
  return true;
}

void TransferAwaiter::await_resume() {
  if (t_->waiter == this) t_->waiter = nullptr;
  deliver_cancel();
}

// ---------------------------------------------------------------- ClientCore

ClientCore::ClientCore(EventLoop* loop, ClientOptions options)
    : loop_(loop), options_(std::move(options)) {
  if (options_.max_connections < 0 || options_.max_connections_per_host < 0 ||
      options_.max_idle_connections < 0 || options_.max_redirects < 0) {
    throw std::invalid_argument("aio::http::ClientOptions: negative limit");
  }
  if (options_.connect_timeout.count() < 0 || options_.timeout.count() < 0 ||
      options_.low_speed_time.count() < 0) {
    throw std::invalid_argument("aio::http::ClientOptions: negative timeout");
  }
  if (absl::Status s = check_headers(options_.headers); !s.ok()) {
    throw std::invalid_argument(
        absl::StrCat("aio::http::ClientOptions::headers: ", s.message()));
  }
  timer_.core = this;
  // Fires from inside the loop's timer processing; like a callback, it only
  // runs libcurl and schedules tasks.
  timer_.fire = [](aio::internal::TimerNode* t) {
    static_cast<CurlTimer*>(t)->core->on_timeout();
  };
  global_init();
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  try {
    configure_multi();
  } catch (...) {
    // No destructor for a half-built object: release what exists.
    curl_slist_free_all(default_headers_);
    if (share_) curl_share_cleanup(share_);
    curl_multi_cleanup(multi_);
    throw;
  }
}

void ClientCore::configure_multi() {
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &ClientCore::socket_cb);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &ClientCore::timer_cb);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    long{options_.max_connections});
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                    long{options_.max_connections_per_host});
  if (options_.max_idle_connections > 0) {
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      long{options_.max_idle_connections});
  }
  curl_multi_setopt(
      multi_, CURLMOPT_PIPELINING,
      options_.http2 ? long{CURLPIPE_MULTIPLEX} : long{CURLPIPE_NOTHING});
  if (options_.cookies) {
    share_ = curl_share_init();
    if (!share_) throw std::runtime_error("curl_share_init failed");
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  }
  for (const auto& [name, value] : options_.headers) {
    default_headers_ = append(default_headers_, header_line(name, value));
  }
}

ClientCore::~ClientCore() {
  closing_ = true;
  while (active_) {
    finish(active_,
           make_error(
               ErrorKind::kClientClosed,
               absl::StrCat(
                   "the aio::http::Client was destroyed during the request (",
                   active_->request.method, " ", active_->request.url, ")")),
           false);
  }
  if (timer_.queued()) loop_->remove_timer(&timer_);
  soon_.cancel();
  idle_handles_.clear();
  // Closes the cached connections through close_cb (which unregisters them).
  curl_multi_cleanup(multi_);
  if (share_) curl_share_cleanup(share_);
  curl_slist_free_all(default_headers_);
  // Anything still registered (an fd libcurl announced but did not open
  // through us) must not keep a callback pointing at this object.
  for (size_t fd = 0; fd < fds_.size(); ++fd) {
    if (fds_[fd] & kIn) loop_->remove_reader(static_cast<int>(fd));
    if (fds_[fd] & kOut) loop_->remove_writer(static_cast<int>(fd));
  }
}

Client::Stats ClientCore::stats() const { return stats_; }

uint8_t& ClientCore::fd_flags(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size())
    fds_.resize(static_cast<size_t>(fd) + 64, 0);
  return fds_[static_cast<size_t>(fd)];
}

// ---- libcurl callbacks: record, register, schedule; never call libcurl ----

int ClientCore::socket_cb(CURL* easy, curl_socket_t fd, int what,
                          void* self, void*) {
  auto* core = static_cast<ClientCore*>(self);
  if (what != CURL_POLL_REMOVE && easy) {
    // The transfer has a resolver or a connection: it left the queue for a
    // connection slot (for its deadline's error message).
    char* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    if (priv) reinterpret_cast<Transfer*>(priv)->got_socket = true;
  }
  bool in = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
  bool out = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
  if (core->closing_) in = out = false;
  try {
    core->watch(fd, in, out);
  } catch (...) {
    // The loop is closed or out of memory: the fd cannot be watched, and the
    // transfer will end by its timeout. Nothing may escape into libcurl.
  }
  return 0;
}

int ClientCore::timer_cb(CURLM*, long timeout_ms, void* self) {
  auto* core = static_cast<ClientCore*>(self);
  try {
    core->arm_timer(timeout_ms);
  } catch (...) {
    return -1;
  }
  return 0;
}

curl_socket_t ClientCore::open_cb(void* self, curlsocktype purpose,
                                  curl_sockaddr* addr) {
  auto* core = static_cast<ClientCore*>(self);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  int fd =
      ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  // Whatever the loop or we still hold for this fd number belongs to a file
  // that was closed behind our back; start clean.
  core->loop_->forget_fd(fd);
  try {
    core->fd_flags(fd) = kOwned;
  } catch (...) {
    ::close(fd);
    return CURL_SOCKET_BAD;
  }
  ++core->stats_.connections_opened;
  return fd;
}

int ClientCore::close_cb(void* self, curl_socket_t fd) {
  auto* core = static_cast<ClientCore*>(self);
  // Out of epoll before the number can be reused.
  try {
    core->loop_->forget_fd(fd);
  } catch (...) {
    // Nothing may escape into libcurl; the fd is closed below either way.
  }
  if (static_cast<size_t>(fd) < core->fds_.size()) core->fds_[fd] = 0;
  ++core->stats_.connections_closed;
  return ::close(fd);
}

size_t ClientCore::write_cb(char* data, size_t size, size_t n, void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  size_t len = size * n;
  t->decoded += len;
  if (t->body.size() + len > t->max_body) {
    t->too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  try {
    t->body.append(data, len);
  } catch (...) {
    t->out_of_memory = true;  // nothing may escape into libcurl
    return CURL_WRITEFUNC_ERROR;
  }
  return len;
}

size_t ClientCore::header_cb(char* data, size_t size, size_t n,
                             void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  try {
    return parse_header(t, std::string_view(data, size * n));
  } catch (...) {
    // Nothing may escape into libcurl (it would leave the multi handle
    // inside a callback for good); the caps below make this out-of-memory.
    t->out_of_memory = true;
    return CURL_WRITEFUNC_ERROR;
  }
}

// libcurl hands over every line of every response head of the transfer
// (1xx, redirects, a proxy's CONNECT answer), then the trailers of a
// chunked body, one line per call.
size_t ClientCore::parse_header(Transfer* t, std::string_view line) {
  const size_t len = line.size();
  auto reject = [t](Violation v) -> size_t {
    t->violation = v;
    return CURL_WRITEFUNC_ERROR;
  };
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.remove_suffix(1);
  if (!t->in_head && absl::StartsWith(to_absl(line), "HTTP/")) {
    // A new response begins (after a redirect or a 1xx): keep only the last.
    t->headers.clear();
    t->headers.reserve(16, 512);
    t->trailers.clear();
    t->head_bytes = len;
    t->trailer_bytes = 0;
    t->content_length = -1;
    t->in_head = true;
    t->head_complete = false;
    size_t sp = line.find(' ');
    t->informational = sp != std::string_view::npos && sp + 1 < line.size() &&
                       line[sp + 1] == '1';
    return len;
  }
  Headers* fields;
  if (t->in_head) {
    t->head_bytes += len;
    if (t->head_bytes > kMaxHeadBytes) return reject(Violation::kHeadTooLarge);
    if (line.empty()) {
      t->in_head = false;
      t->head_complete = !t->informational;
      return len;
    }
    fields = &t->headers;
  } else {
    if (!t->head_complete || line.empty()) return len;
    // After a final head: trailer fields of a chunked body, kept apart.
    t->trailer_bytes += len;
    if (t->trailer_bytes > kMaxTrailerBytes ||
        t->trailers.size() >= kMaxTrailerFields) {
      return reject(Violation::kTrailersTooLarge);
    }
    fields = &t->trailers;
  }
  if (line[0] == ' ' || line[0] == '\t') {
    // Obsolete line folding: continues the previous field's value (in
    // place: linear in the head's size, which the cap above bounds).
    fields->append_to_last_value(
        to_std(absl::StripAsciiWhitespace(to_absl(line))));
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;  // not a field; ignore
  std::string_view name = line.substr(0, colon);
  std::string_view value =
      to_std(absl::StripAsciiWhitespace(to_absl(line.substr(colon + 1))));
  if (fields == &t->headers && iequals(name, "Content-Length")) {
    // RFC 9112 6.3: differing lengths make the framing unknowable (and
    // are how responses are smuggled); libcurl 7.88 takes the last.
    int64_t cl = parse_content_length(value);
    if (cl == -1) return reject(Violation::kInvalidContentLength);
    if (cl == -2 || (t->content_length >= 0 && cl != t->content_length))
      return reject(Violation::kConflictingContentLength);
    if (t->content_length < 0 && t->expect_body && t->body.empty()) {
      // A hint for the body buffer, never trusted for more than a little:
      // the announced length may be a lie, and the decoded size differs.
      t->body.reserve(std::min({static_cast<size_t>(cl), t->max_body,
                                kMaxBodyReserve}));
    }
    t->content_length = cl;
  }
  fields->add(name, value);
  return len;
}

// ---- the loop side ----

void ClientCore::watch(int fd, bool in, bool out) {
  uint8_t& f = fd_flags(fd);
  if (in) {
    f |= kWantIn;
    if (!(f & kIn)) {
      loop_->add_reader(fd, [this, fd] { on_readable(fd); });
      f |= kIn;
    }
  } else if (f & kIn) {
    f &= ~kWantIn;
    // A connection going idle between requests keeps its loop registration:
    // the next request on it would add it right back (two epoll_ctl calls
    // per request). It is dropped in on_readable if it fires while libcurl
    // is not interested (e.g. the server closed the idle connection). Only
    // for sockets we opened: their close goes through close_cb. Others (the
    // resolver's) are closed behind our back and must go now.
    if (!(f & kOwned)) {
      loop_->remove_reader(fd);
      f &= ~kIn;
    }
  }
  if (out && !(f & kOut)) {
    loop_->add_writer(fd, [this, fd] { on_ready(fd, CURL_CSELECT_OUT); });
    f |= kOut;
  } else if (!out && (f & kOut)) {
    loop_->remove_writer(fd);
    f &= ~kOut;
  }
}

void ClientCore::on_readable(int fd) {
  uint8_t& f = fds_[static_cast<size_t>(fd)];
  if (!(f & kWantIn)) {
    loop_->remove_reader(fd);
    f &= ~kIn;
    if ((f & kOwned) && !(f & kMultiplexed)) {
      // An idle HTTP/1.1 connection has nothing to say: bytes arriving now
      // are either its close or bytes past the last response's end, which
      // libcurl 7.88 would read as the answer to the next request sent on
      // it (a page under the wrong URL). Shut it down, so that libcurl's
      // liveness check sees it dead and closes it instead of reusing it.
      ::shutdown(fd, SHUT_RDWR);
    }
    return;
  }
  on_ready(fd, CURL_CSELECT_IN);
}

void ClientCore::arm_timer(long timeout_ms) {
  if (timer_.queued()) loop_->remove_timer(&timer_);
  if (closing_ || timeout_ms < 0) return;  // -1: delete the timer
  if (timeout_ms == 0) {
    // "As soon as possible" — but not from inside libcurl. An extra early
    // call (if libcurl moves the timeout again meanwhile) is harmless.
    if (!soon_pending_) {
      soon_pending_ = true;
      soon_ = loop_->call_soon([this] {
        soon_pending_ = false;
        on_timeout();
      });
    }
    return;
  }
  timer_.when = loop_->now_ns() + int64_t{timeout_ms} * 1'000'000;
  loop_->add_timer(&timer_);
}

void ClientCore::on_ready(int fd, int ev) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, ev, &running);
  collect_done();
}

void ClientCore::on_timeout() {
  int running = 0;
  curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  collect_done();
}

void ClientCore::collect_done() {
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    // `m` dies with curl_multi_remove_handle: copy what we need first.
    CURL* easy = m->easy_handle;
    CURLcode rc = m->data.result;
    char* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    auto* t = reinterpret_cast<Transfer*>(priv);
    if (!t || t->easy != easy) continue;
    if (rc == CURLE_OK && t->head_complete) {
      finish(t, success(t), true);
    } else {
      finish(t, failure(t, rc), false);
    }
  }
}

void ClientCore::on_deadline(Transfer* t) {
  curl_off_t sent = 0;
  curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &sent);
  bool queued = !t->got_socket && sent == 0;
  if (!queued && !t->past_deadline) {
    // libcurl's own timeout is due now and names the phase it hit; this
    // deadline only ends a transfer that libcurl fails to end.
    t->past_deadline = true;
    t->deadline.when = loop_->now_ns() + 1'000'000'000;
    loop_->add_timer(&t->deadline);
    return;
  }
  finish(t, failure(t, CURLE_OPERATION_TIMEDOUT, true), false);
}

absl::StatusOr<Response> ClientCore::failure(Transfer* t, CURLcode rc,
                                             bool client_deadline) {
  TransferFailure f;
  f.code = rc;
  curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &f.os_errno);
  const char* errbuf = t->handle->errbuf;
  if (client_deadline) {
    f.detail = "the request did not finish within its timeout";
  } else if (errbuf[0]) {
    f.detail = errbuf;
  }
  f.violation = t->violation;
  f.body_too_large = t->too_large;
  f.max_body = t->max_body;
  f.decoded = t->decoded;
  f.out_of_memory = t->out_of_memory;
  f.head_complete = t->head_complete;
  f.client_deadline = client_deadline;
  if (client_deadline) {
    curl_off_t sent = 0;
    curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &sent);
    f.queued = !t->got_socket && sent == 0;
  }
  return transfer_error(
      f, absl::StrCat(" (", t->request.method, " ", t->request.url, ")"));
}

Response ClientCore::success(Transfer* t) {
  CURL* e = t->easy;
  Response r;
  long code = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
  r.status = static_cast<int>(code);
  long version = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
  switch (version) {
    case CURL_HTTP_VERSION_1_0:
      r.http_version = 10;
      break;
    case CURL_HTTP_VERSION_1_1:
      r.http_version = 11;
      break;
    case CURL_HTTP_VERSION_2_0:
      r.http_version = 20;
      break;
    case CURL_HTTP_VERSION_3:
      r.http_version = 30;
      break;
    default:
      r.http_version = 0;
      break;
  }
  char* url = nullptr;
  curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
  if (!url || t->request.url == url) {
    r.url = std::move(t->request.url);  // no redirect: spare a copy
  } else {
    r.url = url;
  }
  long redirects = 0;
  curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirects);
  r.redirect_count = static_cast<int>(redirects);
  r.timings.name_lookup = info_time(e, CURLINFO_NAMELOOKUP_TIME_T);
  r.timings.connect = info_time(e, CURLINFO_CONNECT_TIME_T);
  r.timings.tls_handshake = info_time(e, CURLINFO_APPCONNECT_TIME_T);
  r.timings.first_byte = info_time(e, CURLINFO_STARTTRANSFER_TIME_T);
  r.timings.total = info_time(e, CURLINFO_TOTAL_TIME_T);
  r.timings.redirect = info_time(e, CURLINFO_REDIRECT_TIME_T);
  if (r.http_version >= 20) {
    // Idle HTTP/2 connections receive frames (PING, SETTINGS, GOAWAY) that
    // libcurl's own check reads: they are not shut down when readable.
    curl_socket_t fd = CURL_SOCKET_BAD;
    curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, &fd);
    if (fd != CURL_SOCKET_BAD && static_cast<size_t>(fd) < fds_.size())
      fds_[static_cast<size_t>(fd)] |= kMultiplexed;
  }
  if (t->self_follow && r.status >= 300 && r.status < 400) {
    char* target = nullptr;
    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &target);
    if (target) t->redirect_url = target;
  }
  r.headers = std::move(t->headers);
  r.trailers = std::move(t->trailers);
  r.body = std::move(t->body);
  return r;
}

void ClientCore::finish(Transfer* t, absl::StatusOr<Response> result,
                        bool reuse_handle) {
  (t->prev ? t->prev->next : active_) = t->next;
  if (t->next) t->next->prev = t->prev;
  t->prev = t->next = nullptr;
  if (t->deadline.queued()) loop_->remove_timer(&t->deadline);
  curl_multi_remove_handle(multi_, t->easy);
  release_handle(t->handle, reuse_handle && !closing_);
  t->handle = nullptr;
  curl_slist_free_all(t->own_headers);
  t->own_headers = nullptr;
  t->easy = nullptr;
  t->core = nullptr;
  t->done = true;
  --stats_.in_flight;
  if (result.ok()) {
    ++stats_.requests_succeeded;
  } else if (result.status().code() == absl::StatusCode::kCancelled &&
             !closing_) {
    ++stats_.requests_cancelled;
  } else {
    ++stats_.requests_failed;
  }
  t->result = std::move(result);
  if (aio::internal::ParkedTask* waiter = t->waiter) {
    t->waiter = nullptr;
    waiter->wake();
  }
}

void ClientCore::abort(Transfer* t) {
  finish(t, absl::CancelledError("request cancelled"), false);
}

EasyHandle* ClientCore::acquire_handle() {
  if (!idle_handles_.empty()) {
    EasyHandle* h = idle_handles_.back().release();
    idle_handles_.pop_back();
    h->errbuf[0] = 0;
    return h;
  }
  auto h = std::make_unique<EasyHandle>();
  h->easy = curl_easy_init();
  if (!h->easy) return nullptr;
  CURL* e = h->easy;
  // Options that never change between requests, set once per handle.
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  // A transfer removed while its host name is being resolved (cancelled,
  // timed out, client destroyed) would otherwise join the resolver thread
  // on the loop's thread: the whole loop stops until getaddrinfo returns.
  // Quick exit leaves that thread to finish on its own.
  curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty())
    curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   options_.http2 ? long{CURL_HTTP_VERSION_2TLS}
                                  : long{CURL_HTTP_VERSION_1_1});
  if (options_.decompress) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (options_.connect_timeout.count() > 0) {
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     std::max(1L, to_ms(options_.connect_timeout)));
  }
  if (options_.low_speed_limit > 0 && options_.low_speed_time.count() > 0) {
    auto secs = std::chrono::ceil<std::chrono::seconds>(options_.low_speed_time)
                    .count();
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
                     static_cast<long>(options_.low_speed_limit));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<int64_t>(1, secs)));
  }
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_PROXY, options_.proxy.c_str());
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, long{options_.max_redirects});
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &ClientCore::open_cb);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &ClientCore::close_cb);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &ClientCore::write_cb);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &ClientCore::header_cb);
  if (share_) {
    curl_easy_setopt(e, CURLOPT_SHARE, share_);
    curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");  // enables the cookie engine
  }
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
  return h.release();
}

void ClientCore::release_handle(EasyHandle* handle, bool reuse) {
  std::unique_ptr<EasyHandle> owned(handle);
  size_t cap = static_cast<size_t>(std::max(16, options_.max_connections));
  if (reuse && idle_handles_.size() < cap)
    idle_handles_.push_back(std::move(owned));
}

absl::Status ClientCore::start(Transfer* t, Request request) {
  if (!is_token(request.method)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid HTTP method '", request.method, "'"));
  }
  if (absl::Status s = check_headers(request.headers); !s.ok()) return s;
  if (request.timeout.has_value() && request.timeout->count() < 0) {
    return absl::InvalidArgumentError(
        "aio::http::Request::timeout: negative timeout");
  }
  // Plain absolute http(s) URLs go to libcurl as they are (it parses them
  // anyway, and reports what is malformed); anything else is cleaned and
  // checked here first, for a clear error and the WHATWG clean-up.
  if (!is_plain_http_url(request.url)) {
    absl::StatusOr<std::string> url = normalize_url(request.url);
    if (!url.ok()) return url.status();
    request.url = *std::move(url);
  }
  EasyHandle* h = acquire_handle();
  if (!h) return absl::ResourceExhaustedError("curl_easy_init failed");
  t->request = std::move(request);
  t->handle = h;
  t->easy = h->easy;
  // Until the transfer is with libcurl, any failure gives the handle back.
  absl::Cleanup give_back = [this, t] {
    curl_slist_free_all(t->own_headers);
    t->own_headers = nullptr;
    release_handle(t->handle, false);
    t->handle = nullptr;
    t->easy = nullptr;
  };
  if (absl::Status s = configure(t); !s.ok()) return s;
  CURLMcode mc = curl_multi_add_handle(multi_, t->easy);
  if (mc != CURLM_OK) {
    return absl::InternalError(
        absl::StrCat("curl_multi_add_handle: ", curl_multi_strerror(mc)));
  }
  std::move(give_back).Cancel();

  t->core = this;
  t->next = active_;
  if (active_) active_->prev = t;
  active_ = t;
  ++stats_.requests_started;
  ++stats_.in_flight;
  Duration timeout = t->request.timeout.value_or(options_.timeout);
  if (timeout.count() > 0) {
    t->deadline.transfer = t;
    t->deadline.fire = [](aio::internal::TimerNode* n) {
      Transfer* tr = static_cast<Transfer::Deadline*>(n)->transfer;
      tr->core->on_deadline(tr);
    };
    int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)
                     .count();
    int64_t now = loop_->now_ns();
    t->deadline.when = ns > INT64_MAX - now ? INT64_MAX : now + ns;
    loop_->add_timer(&t->deadline);
  }
  return absl::OkStatus();
}

absl::Status ClientCore::configure(Transfer* t) {
  CURL* e = t->easy;
  const Request& r = t->request;
  t->max_body = r.max_body_size.value_or(options_.max_body_size);
  t->expect_body = r.method != "HEAD";

  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<char*>(t));
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);

  // The method. Every branch resets what a previous request on this pooled
  // handle may have set.
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  if (r.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
    if (r.method != "POST")
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }

  // Headers: the client's defaults, overridden by name by the request's.
  curl_slist* list = default_headers_;
  if (!r.headers.empty()) {
    try {
      for (const auto& [name, value] : options_.headers) {
        if (!r.headers.contains(name))
          t->own_headers = append(t->own_headers, header_line(name, value));
      }
      for (const auto& [name, value] : r.headers)
        t->own_headers = append(t->own_headers, header_line(name, value));
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError(
          "out of memory building the header list");
    }
    list = t->own_headers;
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);

  Duration timeout = r.timeout.value_or(options_.timeout);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   timeout.count() > 0 ? std::max(1L, to_ms(timeout)) : 0L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION,
                   !t->self_follow &&
                           r.follow_redirects.value_or(options_.follow_redirects)
                       ? 1L
                       : 0L);
  // libcurl's early refusal of an announced Content-Length over the limit;
  // 0 means none (a HEAD response's Content-Length describes a body that
  // never comes; a limit past curl_off_t's range is no limit). The write
  // callback enforces the limit on what arrives either way.
  curl_off_t max_file = 0;
  if (r.method != "HEAD" && t->max_body <= static_cast<size_t>(
                                               std::numeric_limits<curl_off_t>::max())) {
    max_file = static_cast<curl_off_t>(t->max_body);
  }
  if (CURLcode rc = curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, max_file);
      rc != CURLE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_body_size ", t->max_body, ": ", curl_easy_strerror(rc)));
  }
  // Wait for a connection that may multiplex (HTTP/2) rather than opening
  // one per request; only https can negotiate HTTP/2 here.
  curl_easy_setopt(
      e, CURLOPT_PIPEWAIT,
      options_.http2 && absl::StartsWith(to_absl(r.url), "https:") ? 1L : 0L);
  return absl::OkStatus();
}

}  // namespace aio::http::internal
