// HttpServer: a single-threaded HTTP/1.1 server (Boost.Beast) on the engine's io_context, plain or
// HTTPS (OpenSSL; TLS 1.2 and later). Keep-alive, request body limit 1 MiB, header limit 8 KiB,
// idle, slow-client and TLS-handshake timeouts.
// Responses may be produced asynchronously: a connection waits for its handler's answer before
// reading the next request (HTTP/1.1 has no out-of-order responses).
// Thread-safety: all methods and handlers run on the io_context's single thread.
#pragma once

#include <memory>
#include <string>

#include "api/http_types.h"
#include "util/status.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::api {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, RequestHandler handler);
  ~HttpServer();

  // Before Start: serve HTTPS with this PEM certificate chain and private key. Errors:
  // kInvalidArgument naming the file and OpenSSL's reason, or a key that does not match.
  Status UseTls(const std::string& cert_file, const std::string& key_file);
  bool tls() const;
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
