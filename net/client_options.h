// aio::http::ClientOptions: how an aio::http::Client behaves, with safe
// defaults (TLS verified, http/https only, bounded bodies and timeouts,
// no cookies). A plain value type, copied into the client at construction.
#ifndef AIO_NET_CLIENT_OPTIONS_H_
#define AIO_NET_CLIENT_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "loop/clock.h"
#include "net/headers.h"

namespace aio::http {

struct ClientOptions {
  // ---- connections ----
  // Open connections in total; requests beyond wait inside the client for a
  // free connection (their `timeout` runs meanwhile). 0 = no limit.
  int max_connections = 100;
  // Open connections per host and port. 0 = no limit.
  int max_connections_per_host = 10;
  // Idle connections kept for reuse (keep-alive). 0 = libcurl's default.
  int max_idle_connections = 100;
  // Negotiate HTTP/2 over TLS (ALPN) and multiplex requests to one host on
  // one connection; http:// stays HTTP/1.1. False: HTTP/1.1 everywhere.
  bool http2 = true;

  // ---- TLS ----
  // Verify the server's certificate and host name. Turn off only for tests.
  bool verify_tls = true;
  // PEM file of trusted CA certificates; empty = the system's store.
  std::string ca_file = {};

  // ---- content ----
  // Send Accept-Encoding for every encoding libcurl decodes (gzip, deflate,
  // br, zstd) and decode transparently.
  bool decompress = true;
  // Largest decoded body accepted. A larger body fails with kTooLarge as
  // soon as the limit is passed (a Content-Length above it fails before the
  // body is read; a compression bomb stops after at most one decoded chunk).
  size_t max_body_size = size_t{64} << 20;

  // ---- redirects ----
  bool follow_redirects = true;
  int max_redirects = 10;  // more fail with kTooManyRedirects

  // ---- timeouts ----
  // DNS + TCP + TLS; zero = libcurl's own limit (300 s).
  Duration connect_timeout = std::chrono::seconds(10);
  // The whole request, redirects and queueing for a connection included;
  // zero = none.
  Duration timeout = std::chrono::seconds(60);
  // Fail with kTimeout when fewer than `low_speed_limit` bytes per second
  // arrive for `low_speed_time` (libcurl counts whole seconds, at least 1).
  // low_speed_limit = 0 turns the check off.
  size_t low_speed_limit = 1;
  Duration low_speed_time = std::chrono::seconds(30);

  // ---- headers ----
  // "" sends no User-Agent header (a request's own headers may add one).
  std::string user_agent = "aio-http/1.0 (libcurl)";
  // Sent with every request; a request's own headers override by name.
  Headers headers = {};

  // ---- cookies ----
  // Off by default: no cookie is stored or sent. On: an in-memory jar shared
  // by every request of this client (Set-Cookie is honoured, Cookie sent).
  bool cookies = false;

  // ---- proxy ----
  // "" = connect directly; proxy environment variables (http_proxy, ...)
  // are ignored so that behaviour does not depend on the environment.
  std::string proxy = {};
};

}  // namespace aio::http

#endif  // AIO_NET_CLIENT_OPTIONS_H_
