// echo_server_aio: the TCP echo server on aio::net streams (the classic
// uvloop benchmark's server, written as asyncio streams code would be).
//
// Usage: echo_server_aio <port>     (binds 127.0.0.1; prints "READY" once
// listening)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop/loop.h"
#include "net/server.h"

namespace {

aio::Coro<void> echo(aio::net::StreamReader reader,
                     aio::net::StreamWriter writer) {
  for (;;) {
    absl::StatusOr<std::string> data = co_await reader.read(64 * 1024);
    if (!data.ok() || data->empty()) break;
    if (!writer.write(*data).ok()) break;
    if (!(co_await writer.drain()).ok()) break;
  }
  writer.close();
}

aio::Coro<int> amain(uint16_t port) {
  auto server = co_await aio::net::start_server(echo, "127.0.0.1", port);
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
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <port>\n", argv[0]);
    return 2;
  }
  return aio::run(amain(static_cast<uint16_t>(std::atoi(argv[1]))));
}
