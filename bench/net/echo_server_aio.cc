// echo_server_aio: the TCP echo server on aio::net streams (the classic
// uvloop benchmark's server, written as asyncio streams code would be).
//
// Usage: echo_server_aio <port> [read_into|read]
//   read_into (default): reader.read_into() a 64 KiB buffer, the usual C++
//                        idiom (Boost.Asio's server reads into its buffer too)
//   read:                reader.read() returning a std::string per chunk, as
//                        Python's reader.read() returns bytes
// Binds 127.0.0.1; prints "READY" once listening.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "loop/loop.h"
#include "net/server.h"

namespace {

aio::Coro<void> echo_read_into(aio::net::StreamReader reader,
                               aio::net::StreamWriter writer) {
  auto buf = std::make_unique<char[]>(64 * 1024);
  for (;;) {
    absl::StatusOr<size_t> n = co_await reader.read_into(buf.get(), 64 * 1024);
    if (!n.ok() || *n == 0) break;
    if (!writer.write(std::string_view(buf.get(), *n)).ok()) break;
    if (!(co_await writer.drain()).ok()) break;
  }
  writer.close();
}

aio::Coro<void> echo_read(aio::net::StreamReader reader,
                          aio::net::StreamWriter writer) {
  for (;;) {
    absl::StatusOr<std::string> data = co_await reader.read(64 * 1024);
    if (!data.ok() || data->empty()) break;
    if (!writer.write(*data).ok()) break;
    if (!(co_await writer.drain()).ok()) break;
  }
  writer.close();
}

aio::Coro<int> amain(uint16_t port, bool copy) {
  auto server = co_await aio::net::start_server(
      copy ? echo_read : echo_read_into, "127.0.0.1", port);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(server.status().message()).c_str());
    co_return 1;
  }
  std::printf("READY\n");
  std::fflush(stdout);
  co_await server->serve_forever();
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s <port> [read_into|read]\n", argv[0]);
    return 2;
  }
  bool copy = argc == 3 && std::strcmp(argv[2], "read") == 0;
  return aio::run(amain(static_cast<uint16_t>(std::atoi(argv[1])), copy));
}
