// HttpServer: a single-threaded HTTP/1.1 server (Boost.Beast) on the engine's io_context, plain or
// HTTPS (OpenSSL; TLS 1.2 and later). Keep-alive, request body limit 1 MiB (413), header limit
// 8 KiB (431), TLS-handshake and idle timeouts, a deadline for a request's headers once its first
// byte came (408: slowloris) and for its body, and a cap on open connections: one over the cap is
// answered 503 at once and closed (TLS ones are closed), so the ones already open are not starved.
// Responses may be produced asynchronously: a connection waits for its handler's answer before
// reading the next request (HTTP/1.1 has no out-of-order responses).
// Thread-safety: all methods and handlers run on the io_context's single thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "util/status.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::api {

struct HttpServerLimits {
  size_t max_connections = 1024;  // open connections, streams included
  std::chrono::milliseconds header_timeout{10'000};  // first byte of a request to its last header
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, RequestHandler handler);
  ~HttpServer();

  // Before Start: serve HTTPS with this PEM certificate chain and private key. Errors:
  // kInvalidArgument naming the file and OpenSSL's reason, or a key that does not match.
  Status UseTls(const std::string& cert_file, const std::string& key_file);
  bool tls() const;
  // Before Start.
  void SetLimits(const HttpServerLimits& limits);
  // Connections open now (not counting ones being refused).
  size_t open_connections() const;
  // Binds and starts accepting. `listen` is "host:port"; port 0 picks a free one.
  Status Start(const std::string& listen);
  // Stops accepting; open connections finish their current exchange.
  void Stop();
  // The bound port (after Start).
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nightshift::api
