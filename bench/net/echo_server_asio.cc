// echo_server_asio: the TCP echo server on Boost.Asio, single-threaded, the
// usual async_read_some / async_write chain with a 64 KiB buffer.
//
// Usage: echo_server_asio <port>     (binds 127.0.0.1; prints "READY" once
// listening)

// HACK: Boost 1.74's Asio uses std::exchange without including <utility>,
// which g++ 12's headers no longer pull in transitively under C++20. It must
// come first (clang-format's include sorting would move it).
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : socket_(std::move(s)) {}
  void start() {
    socket_.set_option(tcp::no_delay(true));
    read();
  }

 private:
  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(
        asio::buffer(buf_, sizeof buf_),
        [this, self](boost::system::error_code ec, std::size_t n) {
          if (!ec) write(n);
        });
  }
  void write(std::size_t n) {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(buf_, n),
                      [this, self](boost::system::error_code ec, std::size_t) {
                        if (!ec) read();
                      });
  }
  tcp::socket socket_;
  char buf_[64 * 1024];
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept(
      [&acceptor](boost::system::error_code ec, tcp::socket s) {
        if (!ec) std::make_shared<Session>(std::move(s))->start();
        accept(acceptor);
      });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <port>\n", argv[0]);
    return 2;
  }
  asio::io_context io(1);
  tcp::acceptor acceptor(
      io, tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                        static_cast<unsigned short>(std::atoi(argv[1]))));
  accept(acceptor);
  std::printf("READY\n");
  std::fflush(stdout);
  io.run();
  return 0;
}
