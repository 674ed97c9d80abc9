// Tests of aio::net streams: open_connection, start_server, StreamReader,
// StreamWriter (net/connection.h, net/server.h, net/stream_*.h).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "loop/loop.h"
#include "net/connection.h"
#include "net/server.h"
#include "net/stream_reader.h"
#include "net/stream_writer.h"
#include "tests/common/test_util.h"

namespace aio::net {
namespace {

using aio::testing::closed_port;
using aio::testing::run_test;
using namespace std::chrono_literals;

Coro<void> echo_handler(StreamReader r, StreamWriter w) {
  for (;;) {
    absl::StatusOr<std::string> data = co_await r.read();
    if (!data.ok() || data->empty()) co_return;
    if (!w.write(*data).ok()) co_return;
    if (!(co_await w.drain()).ok()) co_return;
  }
}

Coro<absl::StatusOr<Server>> echo_server() {
  return start_server(echo_handler, "127.0.0.1", 0);
}

Coro<void> echo_round_trip() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  EXPECT_NE(server->port(), 0);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto& [r, w] = *conn;
  EXPECT_EQ(w.peername(), "127.0.0.1:" + std::to_string(server->port()));
  CO_ASSERT_OK(w.write("hello\nworld\n"));
  auto line = co_await r.readline();
  CO_ASSERT_OK(line);
  EXPECT_EQ(*line, "hello\n");
  auto exact = co_await r.read_exactly(3);
  CO_ASSERT_OK(exact);
  EXPECT_EQ(*exact, "wor");
  auto rest = co_await r.read_until("\n");
  CO_ASSERT_OK(rest);
  EXPECT_EQ(*rest, "ld\n");
  EXPECT_EQ(server->connections_accepted(), 1u);
  w.close();
  co_await w.wait_closed();
  EXPECT_TRUE(w.is_closing());
}
TEST(StreamTest, EchoRoundTrip) { run_test(echo_round_trip()); }

Coro<void> send_then_close(StreamReader, StreamWriter w) {
  (void)w.write("12345");
  w.close();
  co_return;
}

Coro<void> read_exactly_incomplete() {
  auto server = co_await start_server(send_then_close, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto& r = conn->reader;
  auto got = co_await r.read_exactly(10);
  CO_ASSERT_TRUE(!got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kOutOfRange) << got.status();
  EXPECT_NE(got.status().message().find("expected 10 bytes"),
            absl::string_view::npos);
  // The partial bytes stay buffered for the caller.
  EXPECT_EQ(r.buffered(), 5u);
  auto partial = co_await r.read(100);
  CO_ASSERT_OK(partial);
  EXPECT_EQ(*partial, "12345");
  auto end = co_await r.read(100);
  CO_ASSERT_OK(end);
  EXPECT_EQ(*end, "");
  EXPECT_TRUE(r.at_eof());
}
TEST(StreamTest, ReadExactlyAtEofIsOutOfRangeAndKeepsTheBytes) {
  run_test(read_exactly_incomplete());
}

Coro<void> read_into() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto& [r, w] = *conn;
  CO_ASSERT_OK(w.write("abcdef"));
  auto two = co_await r.read_exactly(2);
  CO_ASSERT_OK(two);
  EXPECT_EQ(*two, "ab");
  char buf[16];
  // Buffered bytes first...
  size_t got = 0;
  while (got < 4) {
    auto n = co_await r.read_into(buf + got, sizeof buf - got);
    CO_ASSERT_OK(n);
    got += *n;
  }
  EXPECT_EQ(std::string(buf, got), "cdef");
  // ...then straight from the socket.
  CO_ASSERT_OK(w.write("0123456789"));
  got = 0;
  while (got < 10) {
    auto n = co_await r.read_into(buf + got, 10 - got);
    CO_ASSERT_OK(n);
    got += *n;
  }
  EXPECT_EQ(std::string(buf, 10), "0123456789");
  CO_ASSERT_OK(w.write_eof());
  auto end = co_await r.read_into(buf, sizeof buf);
  CO_ASSERT_OK(end);
  EXPECT_EQ(*end, 0u);
}
TEST(StreamTest, ReadIntoTakesBufferedBytesThenReadsTheSocket) {
  run_test(read_into());
}

Coro<void> send_100_no_newline(StreamReader r, StreamWriter w) {
  (void)w.write(std::string(100, 'x'));
  (void)co_await r.read();  // wait for the client to go away
}

Coro<void> read_until_limit() {
  auto server = co_await start_server(send_100_no_newline, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto got = co_await conn->reader.read_until("\n", 50);
  CO_ASSERT_TRUE(!got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted)
      << got.status();
  EXPECT_GE(conn->reader.buffered(), 50u);  // nothing was consumed
  auto empty_sep = co_await conn->reader.read_until("");
  EXPECT_EQ(empty_sep.status().code(), absl::StatusCode::kInvalidArgument);
}
TEST(StreamTest, ReadUntilPastTheLimitIsResourceExhausted) {
  run_test(read_until_limit());
}

Coro<void> send_lines(StreamReader r, StreamWriter w) {
  (void)w.write("\nab\r\ncd\nrest");
  (void)co_await r.read();  // wait for the client to go away
}

// Regression (issue 10, item 12): limit + separator.size() wrapped for
// limit = SIZE_MAX, which then failed at once.
Coro<void> read_until_extreme_limits() {
  auto server = co_await start_server(send_lines, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  // 0: only a separator at the very start fits.
  auto first = co_await conn->reader.readline(0);
  CO_ASSERT_OK(first);
  EXPECT_EQ(*first, "\n");
  auto tight = co_await conn->reader.read_until("\r\n", 0);
  EXPECT_EQ(tight.status().code(), absl::StatusCode::kResourceExhausted)
      << tight.status();
  // SIZE_MAX: no limit.
  auto ab = co_await conn->reader.read_until("\r\n", SIZE_MAX);
  CO_ASSERT_OK(ab);
  EXPECT_EQ(*ab, "ab\r\n");
  auto cd = co_await conn->reader.readline(SIZE_MAX);
  CO_ASSERT_OK(cd);
  EXPECT_EQ(*cd, "cd\n");
  // SIZE_MAX - 1 with a two-byte separator: saturates too.
  conn->writer.close();
  auto rest = co_await conn->reader.read_until("\r\n", SIZE_MAX - 1);
  EXPECT_EQ(rest.status().code(), absl::StatusCode::kOutOfRange)
      << rest.status();
}
TEST(StreamTest, ReadUntilWithLimitZeroAndSizeMax) {
  run_test(read_until_extreme_limits());
}

Coro<void> read_until_eof() {
  auto server = co_await start_server(send_then_close, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto got = co_await conn->reader.read_until("\r\n");
  CO_ASSERT_TRUE(!got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kOutOfRange) << got.status();
}
TEST(StreamTest, ReadUntilAtEofIsOutOfRange) { run_test(read_until_eof()); }

Coro<void> pump(StreamWriter* w, const std::string* data,
                absl::Status* result) {
  size_t off = 0;
  while (off < data->size()) {
    size_t k = std::min<size_t>(100'000, data->size() - off);
    *result = w->write(std::string_view(*data).substr(off, k));
    if (!result->ok()) co_return;
    off += k;
    *result = co_await w->drain();
    if (!result->ok()) co_return;
  }
  *result = w->write_eof();
}

Coro<void> large_transfer() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  std::string data(8 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>((i * 7919) >> 3);
  absl::Status write_result;
  Task<void> writer = create_task(pump(&conn->writer, &data, &write_result));
  std::string got;
  for (;;) {
    auto chunk = co_await conn->reader.read();
    CO_ASSERT_OK(chunk);
    if (chunk->empty()) break;
    got += *chunk;
  }
  co_await writer;
  EXPECT_TRUE(write_result.ok()) << write_result;
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}
TEST(StreamTest, EightMegabytesEchoIntact) { run_test(large_transfer()); }

// The server does not read until `go` is resolved, then counts everything.
struct SlowReader {
  Future<void> go;
  size_t received = 0;
};

Coro<void> back_pressure() {
  auto* state = new SlowReader();
  std::unique_ptr<SlowReader> owned(state);
  auto server = co_await start_server(
      [state](StreamReader r, StreamWriter) -> Coro<void> {
        co_await state->go;
        for (;;) {
          auto d = co_await r.read();
          if (!d.ok() || d->empty()) co_return;
          state->received += d->size();
        }
      },
      "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto& w = conn->writer;
  w.set_write_buffer_limits(256 * 1024, 64 * 1024);
  const std::string chunk(32 * 1024, 'b');
  size_t accepted = 0;
  absl::Status refused;
  // The kernel's socket buffers fill first (some MB on loopback), then ours.
  for (int i = 0; i < 100000; ++i) {
    absl::Status s = w.write(chunk);
    if (!s.ok()) {
      refused = s;
      break;
    }
    accepted += chunk.size();
    if (i % 16 == 0) co_await aio::sleep(0);  // let the loop flush
  }
  CO_ASSERT_TRUE(!refused.ok());
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_NE(refused.message().find("drain()"), absl::string_view::npos);
  // Bounded: at most the high-water mark plus one write is queued.
  EXPECT_LE(w.buffer_size(), 256u * 1024 + chunk.size());
  EXPECT_GE(w.buffer_size(), 256u * 1024);
  // drain() waits while the peer does not read.
  bool timed_out = false;
  try {
    (void)co_await aio::wait_for(w.drain(), 100ms);
  } catch (const TimeoutError&) {
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  // Once the peer reads, drain() completes and every accepted byte arrives.
  state->go.set_result();
  CO_ASSERT_OK(co_await w.drain());
  EXPECT_LE(w.buffer_size(), 64u * 1024);
  w.close();
  co_await w.wait_closed();
  server->close();
  co_await server->wait_closed();  // the handler saw EOF and finished
  EXPECT_EQ(state->received, accepted);
}
TEST(StreamTest, WriterStopsAcceptingPastABoundedBufferAndDrainWaits) {
  run_test(back_pressure());
}

Coro<void> count_until_eof(StreamReader r, StreamWriter w) {
  size_t n = 0;
  for (;;) {
    auto d = co_await r.read();
    if (!d.ok() || d->empty()) break;
    n += d->size();
  }
  (void)w.write(std::to_string(n));
}

Coro<void> close_flushes() {
  auto server = co_await start_server(count_until_eof, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto& w = conn->writer;
  // One big write: most of it is queued (more than the socket takes at once).
  CO_ASSERT_OK(w.write(std::string(16 << 20, 'z')));
  EXPECT_GT(w.buffer_size(), 0u);
  CO_ASSERT_OK(w.write_eof());  // half-close once flushed: the server sees EOF
  auto answer = co_await conn->reader.read();
  CO_ASSERT_OK(answer);
  EXPECT_EQ(*answer, std::to_string(16 << 20));
  w.close();
  co_await w.wait_closed();
  EXPECT_FALSE(w.write("late").ok());
}
TEST(StreamTest, QueuedBytesAreFlushedBeforeEofAndClose) {
  run_test(close_flushes());
}

Coro<void> read_one_then_report(StreamReader r, StreamWriter w,
                                absl::Status* out) {
  (void)w;
  for (;;) {
    auto d = co_await r.read();
    if (!d.ok()) {
      *out = d.status();
      co_return;
    }
    if (d->empty()) {
      *out = absl::OkStatus();
      co_return;
    }
  }
}

Coro<void> abort_resets_peer() {
  absl::Status seen = absl::UnknownError("handler did not finish");
  auto server = co_await start_server(
      [&seen](StreamReader r, StreamWriter w) {
        return read_one_then_report(std::move(r), std::move(w), &seen);
      },
      "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  CO_ASSERT_OK(conn->writer.write("unread"));
  co_await aio::sleep(20ms);
  conn->writer.abort();
  server->close();
  co_await server->wait_closed();
  EXPECT_EQ(seen.code(), absl::StatusCode::kUnavailable) << seen;
  EXPECT_NE(seen.message().find("reset"), absl::string_view::npos) << seen;
}
TEST(StreamTest, AbortSendsAResetThePeerSeesAsUnavailable) {
  run_test(abort_resets_peer());
}

Coro<void> abort_at_once(StreamReader, StreamWriter w) {
  w.abort();
  co_return;
}

Coro<void> write_to_reset_peer() {
  auto server = co_await start_server(abort_at_once, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  absl::Status s;
  for (int i = 0; i < 1000 && s.ok(); ++i) {
    s = conn->writer.write(std::string(4096, 'x'));
    if (s.ok()) s = co_await conn->writer.drain();
    co_await aio::sleep(1ms);
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  auto r = co_await conn->reader.read();
  EXPECT_TRUE(!r.ok() || r->empty());
}
TEST(StreamTest, WritingToAResetPeerFailsWithUnavailable) {
  run_test(write_to_reset_peer());
}

Coro<void> connect_refused() {
  uint16_t port = closed_port();
  auto conn = co_await open_connection("127.0.0.1", port);
  CO_ASSERT_TRUE(!conn.ok());
  EXPECT_EQ(conn.status().code(), absl::StatusCode::kUnavailable)
      << conn.status();
  EXPECT_NE(conn.status().message().find("refused"), absl::string_view::npos)
      << conn.status();
  EXPECT_NE(conn.status().message().find(std::to_string(port)),
            absl::string_view::npos);
}
TEST(StreamTest, ConnectionRefusedIsUnavailable) {
  run_test(connect_refused());
}

Coro<void> resolve_failure() {
  auto conn = co_await open_connection("nonexistent.invalid", 80);
  CO_ASSERT_TRUE(!conn.ok());
  EXPECT_EQ(conn.status().code(), absl::StatusCode::kUnavailable)
      << conn.status();
  EXPECT_NE(
      conn.status().message().find("cannot resolve host 'nonexistent.invalid'"),
      absl::string_view::npos)
      << conn.status();
}
TEST(StreamTest, UnresolvableHostIsUnavailable) { run_test(resolve_failure()); }

Coro<void> resolve_localhost() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  // "localhost" goes through the resolver thread; it may yield ::1 first,
  // where nothing listens, so the next address must be tried.
  auto conn = co_await open_connection("localhost", server->port());
  CO_ASSERT_OK(conn);
  CO_ASSERT_OK(conn->writer.write("ping\n"));
  auto line = co_await conn->reader.readline();
  CO_ASSERT_OK(line);
  EXPECT_EQ(*line, "ping\n");
}
TEST(StreamTest, HostNamesResolveWithoutBlockingAndEveryAddressIsTried) {
  run_test(resolve_localhost());
}

Coro<void> read_into_task(StreamReader* r, absl::StatusOr<std::string>* out) {
  *out = co_await r->read();
}

Coro<void> cancel_read() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  absl::StatusOr<std::string> first = absl::UnknownError("unset");
  Task<void> reader = create_task(read_into_task(&conn->reader, &first));
  co_await aio::sleep(10ms);
  EXPECT_FALSE(reader.done());
  reader.cancel();
  bool cancelled = false;
  try {
    co_await reader;
  } catch (const CancelledError&) {
    cancelled = true;
  }
  EXPECT_TRUE(cancelled);
  // The stream still works: nothing was lost or left registered.
  CO_ASSERT_OK(conn->writer.write("after\n"));
  auto line = co_await conn->reader.readline();
  CO_ASSERT_OK(line);
  EXPECT_EQ(*line, "after\n");
}
TEST(StreamTest, CancellingAParkedReadLeavesTheStreamUsable) {
  run_test(cancel_read());
}

Coro<void> concurrent_read() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  absl::StatusOr<std::string> first = absl::UnknownError("unset");
  Task<void> reader = create_task(read_into_task(&conn->reader, &first));
  co_await aio::sleep(1ms);
  bool threw = false;
  try {
    (void)co_await conn->reader.read();
  } catch (const std::logic_error& e) {
    threw = std::string(e.what()).find("already reading") != std::string::npos;
  }
  EXPECT_TRUE(threw);
  CO_ASSERT_OK(conn->writer.write("x"));
  co_await reader;
  CO_ASSERT_OK(first);
  EXPECT_EQ(*first, "x");
}
TEST(StreamTest, TwoConcurrentReadsAreALogicError) {
  run_test(concurrent_read());
}

Coro<void> one_client(uint16_t port, int i, int* ok) {
  auto conn = co_await open_connection("127.0.0.1", port);
  if (!conn.ok()) co_return;
  std::string msg = "client " + std::to_string(i) + "\n";
  if (!conn->writer.write(msg).ok()) co_return;
  auto line = co_await conn->reader.readline();
  if (line.ok() && *line == msg) ++*ok;
}

Coro<void> many_clients() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  int ok = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 200; ++i)
    tasks.push_back(create_task(one_client(server->port(), i, &ok)));
  for (auto& t : tasks) co_await t;
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(server->connections_accepted(), 200u);
}
TEST(StreamTest, TwoHundredConcurrentConnectionsEachGetTheirOwnHandler) {
  run_test(many_clients());
}

Coro<void> throwing_handler(StreamReader, StreamWriter) {
  co_await aio::sleep(0);
  throw std::runtime_error("handler blew up");
}

Coro<void> handler_exception() {
  auto server = co_await start_server(throwing_handler, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  auto conn = co_await open_connection("127.0.0.1", server->port());
  CO_ASSERT_OK(conn);
  auto r = co_await conn->reader.read();
  EXPECT_TRUE(!r.ok() || r->empty());  // aborted: reset or EOF
  EXPECT_TRUE(server->is_serving());   // the server goes on
  auto again = co_await open_connection("127.0.0.1", server->port());
  EXPECT_TRUE(again.ok());
}
TEST(StreamTest, HandlerExceptionIsReportedAndAbortsOnlyItsConnection) {
  std::vector<std::string> errors;
  run_test(handler_exception(), &errors);
  ASSERT_GE(errors.size(), 1u);
  EXPECT_NE(errors[0].find("handler blew up"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("connection handler"), std::string::npos)
      << errors[0];
}

Coro<void> wait_forever(StreamReader r, StreamWriter) {
  co_await aio::sleep(3600s);
  (void)r;
}

// Reads until the peer closes.
Coro<void> drain_handler(StreamReader r, StreamWriter) {
  for (;;) {
    absl::StatusOr<std::string> data = co_await r.read();
    if (!data.ok() || data->empty()) co_return;
  }
}

// Lowers this process's descriptor limit for a scope (RLIMIT_NOFILE).
class FdLimit {
 public:
  explicit FdLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit l = saved_;
    l.rlim_cur = soft;
    ok_ = ::setrlimit(RLIMIT_NOFILE, &l) == 0;
  }
  ~FdLimit() { restore(); }
  void restore() {
    if (ok_) ::setrlimit(RLIMIT_NOFILE, &saved_);
    ok_ = false;
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// accept() failing with EMFILE (no descriptor left) pauses accepting for a
// moment with a report, instead of spinning on the listening socket that
// stays readable, and accepting resumes once descriptors are free again.
Coro<void> accept_out_of_descriptors(std::vector<std::string>* errors) {
  auto server = co_await start_server(drain_handler, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  // Three clients, connected (the kernel completes the handshakes) before
  // the server gets to accept any of them.
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(server->port());
    CO_ASSERT_TRUE(fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a),
                                        sizeof a) == 0);
    clients.push_back(fd);
  }
  struct CloseAll {
    std::vector<int>* fds;
    ~CloseAll() {
      for (int fd : *fds) ::close(fd);
    }
  } close_all{&clients};
  // Room for exactly one more descriptor: the first accept gets it.
  int lowest_free = ::dup(0);
  ::close(lowest_free);
  FdLimit limit(static_cast<rlim_t>(lowest_free) + 1);
  CO_ASSERT_TRUE(limit.ok());
  for (int i = 0; i < 2000 && errors->empty(); ++i) co_await aio::sleep(1ms);
  EXPECT_EQ(server->connections_accepted(), 1u);
  limit.restore();
  CO_ASSERT_TRUE(!errors->empty());
  EXPECT_NE((*errors)[0].find("Too many open files"), std::string::npos)
      << (*errors)[0];
  EXPECT_NE((*errors)[0].find("pausing accepts"), std::string::npos)
      << (*errors)[0];
  // After the pause the other two are accepted; the server kept serving.
  for (int i = 0; i < 2000 && server->connections_accepted() < 3; ++i)
    co_await aio::sleep(1ms);
  EXPECT_EQ(server->connections_accepted(), 3u);
  EXPECT_TRUE(server->is_serving());
  EXPECT_EQ(errors->size(), 1u);  // one report, not one per wake-up
}
TEST(StreamTest, AcceptOutOfDescriptorsPausesReportsAndResumes) {
  std::vector<std::string> errors;
  run_test(accept_out_of_descriptors(&errors), &errors);
}

Coro<void> server_lifecycle() {
  auto server = co_await start_server(wait_forever, "127.0.0.1", 0);
  CO_ASSERT_OK(server);
  uint16_t port = server->port();
  Task<void> forever = create_task(server->serve_forever());
  auto c1 = co_await open_connection("127.0.0.1", port);
  auto c2 = co_await open_connection("127.0.0.1", port);
  CO_ASSERT_OK(c1);
  CO_ASSERT_OK(c2);
  co_await aio::sleep(5ms);
  EXPECT_EQ(server->active_connections(), 2u);
  server->close();
  EXPECT_FALSE(server->is_serving());
  co_await forever;  // serve_forever returns once closed
  auto refused = co_await open_connection("127.0.0.1", port);
  EXPECT_FALSE(refused.ok());
  // Handlers still run after close(); close_clients() cancels them.
  EXPECT_EQ(server->active_connections(), 2u);
  server->close_clients();
  co_await aio::wait_for(server->wait_closed(), 2s);
  EXPECT_EQ(server->active_connections(), 0u);
  auto gone = co_await c1->reader.read();
  EXPECT_TRUE(!gone.ok() || gone->empty());
}
TEST(StreamTest, CloseStopsAcceptingAndCloseClientsCancelsHandlers) {
  run_test(server_lifecycle());
}

Coro<void> cancelled_serve_forever() {
  auto server = co_await echo_server();
  CO_ASSERT_OK(server);
  Task<void> forever = create_task(server->serve_forever());
  co_await aio::sleep(1ms);
  forever.cancel();
  bool cancelled = false;
  try {
    co_await forever;
  } catch (const CancelledError&) {
    cancelled = true;
  }
  EXPECT_TRUE(cancelled);
  EXPECT_FALSE(server->is_serving());
}
TEST(StreamTest, CancellingServeForeverClosesTheServer) {
  run_test(cancelled_serve_forever());
}

Coro<void> address_in_use() {
  auto a = co_await echo_server();
  CO_ASSERT_OK(a);
  ServerOptions no_reuse;
  no_reuse.reuse_address = false;
  auto b =
      co_await start_server(echo_handler, "127.0.0.1", a->port(), no_reuse);
  CO_ASSERT_TRUE(!b.ok());
  EXPECT_NE(b.status().message().find("in use"), absl::string_view::npos)
      << b.status();
  auto bad = co_await start_server(echo_handler, "nonexistent.invalid", 0);
  EXPECT_FALSE(bad.ok());
  auto empty = co_await start_server(nullptr, "127.0.0.1", 0);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
}
TEST(StreamTest, BindErrorsAreStatuses) { run_test(address_in_use()); }

Coro<void> destroy_server_with_clients() {
  auto conn_result = absl::StatusOr<Connection>(absl::UnknownError("unset"));
  {
    auto server = co_await start_server(wait_forever, "127.0.0.1", 0);
    CO_ASSERT_OK(server);
    conn_result = co_await open_connection("127.0.0.1", server->port());
    CO_ASSERT_OK(conn_result);
    co_await aio::sleep(5ms);
  }  // ~Server: closes and cancels the handler
  auto r = co_await aio::wait_for(conn_result->reader.read(), 2s);
  EXPECT_TRUE(!r.ok() || r->empty());
}
TEST(StreamTest, DestroyingTheServerCancelsItsHandlers) {
  run_test(destroy_server_with_clients());
}

}  // namespace
}  // namespace aio::net
