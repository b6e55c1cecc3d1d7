#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "api/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <chrono>
#include <optional>
#include <type_traits>

namespace nightshift::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr size_t kBodyLimit = 1 << 20;
constexpr size_t kHeaderLimit = 8 << 10;

// Closes the connection at once (TLS too: no close_notify, the response's framing tells the end).
template <class Stream>
void CloseSocket(Stream& stream) {
  beast::error_code ignored;
  tcp::socket& socket = beast::get_lowest_layer(stream).socket();
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// A streamed response on a connection taken over from its Session (plain or TLS): the head, then
// each piece queued as one HTTP chunk (pieces queued during a write go out together in the next),
// then the last chunk on Finish. A read stays pending to notice the client going away.
template <class Stream>
class ChunkedStream final : public ResponseStream, public std::enable_shared_from_this<ChunkedStream<Stream>> {
 public:
  explicit ChunkedStream(Stream stream) : stream_(std::move(stream)), finish_timer_(stream_.get_executor()) {}

  void Start(std::string head) {
    pending_ = std::move(head);
    WatchForClose();
    WriteNext();
  }

  bool Send(std::string data, size_t limit) override {
    if (!open_ || finishing_ || queued_bytes() + data.size() > limit) return false;
    Enqueue(data);
    return true;
  }

  void Finish(std::string data) override {
    if (!open_ || finishing_) return;
    Enqueue(data);
    pending_ += "0\r\n\r\n";
    finishing_ = true;
    finish_timer_.expires_after(kFinishTimeout);
    finish_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->Close();
    });
    if (!writing_) WriteNext();
  }

  bool open() const override { return open_; }
  size_t queued_bytes() const override { return pending_.size() + in_flight_.size(); }
  uint64_t written_bytes() const override { return written_; }
  void OnDrained(std::function<void()> callback) override { on_drained_ = std::move(callback); }
  void OnClosed(std::function<void()> callback) override { on_closed_ = std::move(callback); }

 private:
  static constexpr auto kFinishTimeout = std::chrono::seconds(5);

  void Enqueue(const std::string& data) {
    if (data.empty()) return;
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    pending_ += size;
    pending_ += data;
    pending_ += "\r\n";
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (!open_) return;
    if (pending_.empty()) {
      if (finishing_) return Close();
      if (auto drained = on_drained_) drained();
      return;
    }
    writing_ = true;
    in_flight_ = std::exchange(pending_, {});
    asio::async_write(stream_, asio::buffer(in_flight_),
                      [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                        self->writing_ = false;
                        self->written_ += n;
                        self->in_flight_.clear();
                        if (ec) return self->Close();
                        self->WriteNext();
                      });
  }

  void WatchForClose() {
    stream_.async_read_some(asio::buffer(read_buffer_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->WatchForClose();  // a client has nothing to say on a stream: ignore it
    });
  }

  void Close() {
    if (!open_) return;
    open_ = false;
    CloseSocket(stream_);
    finish_timer_.cancel();
    if (auto closed = std::exchange(on_closed_, nullptr)) closed();
    on_drained_ = nullptr;
  }

  Stream stream_;
  asio::steady_timer finish_timer_;
  std::string pending_;    // framed, not yet written
  std::string in_flight_;  // being written
  char read_buffer_[512];
  uint64_t written_ = 0;
  bool writing_ = false;
  bool finishing_ = false;
  bool open_ = true;
  std::function<void()> on_drained_;
  std::function<void()> on_closed_;
};

std::string StreamHead(const HttpResponse& r) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " +
                     std::string(http::obsolete_reason(static_cast<http::status>(r.status))) +
                     "\r\nServer: nightshift\r\nContent-Type: " + r.content_type + "\r\n";
  for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
  return head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
}

// One connection's exchanges, over a plain TCP stream or a TLS stream.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const RequestHandler& handler)
      : stream_(std::move(stream)), handler_(handler), remote_(RemoteOf(beast::get_lowest_layer(stream_))) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return CloseSocket(self->stream_);  // not TLS, or a bad client: nothing to answer
        self->ReadNext();
      });
    } else {
      ReadNext();
    }
  }

 private:
  void ReadNext() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) return SendError(413, "request body exceeds 1 MiB");
    if (ec == http::error::header_limit) return SendError(431, "request headers exceed 8 KiB");
    if (ec) return Close();
    beast::get_lowest_layer(stream_).expires_never();
    http::request<http::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    HttpRequest req = ToRequest(msg);
    req.remote = remote_;
    handler_(std::move(req), [self = this->shared_from_this()](HttpResponse r) { self->Write(std::move(r)); });
  }

  // The client's "IP:PORT" ("[IPv6]:PORT"), read once per connection; "" if the socket has none.
  static std::string RemoteOf(beast::tcp_stream& stream) {
    beast::error_code ec;
    const asio::ip::tcp::endpoint peer = stream.socket().remote_endpoint(ec);
    if (ec) return "";
    const std::string address = peer.address().to_string();
    return (peer.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(peer.port());
  }

  static HttpRequest ToRequest(http::request<http::string_body>& msg) {
    HttpRequest req;
    req.method = std::string(msg.method_string());
    std::string_view target(msg.target().data(), msg.target().size());
    size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, added] = req.headers.try_emplace(name, field.value());
      if (!added) it->second += "," + std::string(field.value());
    }
    req.body = std::move(msg.body());
    return req;
  }

  void SendError(int status, const std::string& message) {
    keep_alive_ = false;
    HttpResponse r;
    r.status = status;
    r.body = R"({"__type":"ClientException","message":")" + message + "\"}";
    r.headers.emplace_back("x-amzn-ErrorType", "ClientException");
    Write(std::move(r));
  }

  void Write(HttpResponse r) {
    if (r.stream) {
      // The connection now belongs to the stream; this session ends here.
      auto stream = std::make_shared<ChunkedStream<Stream>>(std::move(stream_));
      stream->Start(StreamHead(r));
      r.stream(stream);
      return;
    }
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "nightshift");
    res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !self->keep_alive_) return self->Close();
      self->ReadNext();
    });
  }

  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const RequestHandler& handler_;
  const std::string remote_;
  bool keep_alive_ = true;
};

}  // namespace

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string kEmpty;
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string part = query.substr(start, end - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = eq == std::string::npos ? part : part.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      out.emplace_back(PercentDecode(key), PercentDecode(value));
    }
    start = end + 1;
  }
  return out;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(PercentDecode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return parts;
}

std::string QueryValue(const HttpRequest& request, const std::string& key) {
  for (auto& [k, v] : ParseQuery(request.query)) {
    if (k == key) return v;
  }
  return "";
}

class HttpServer::Impl {
 public:
  Impl(asio::io_context& io, RequestHandler handler) : io_(io), acceptor_(io), handler_(std::move(handler)) {}

  Status UseTls(const std::string& cert_file, const std::string& key_file) {
    ssl::context context(ssl::context::tls_server);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    context.use_certificate_chain_file(cert_file, ec);
    if (ec) return Status::InvalidArgument("--tls-cert " + cert_file + ": not a usable PEM certificate: " + ec.message());
    context.use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument("--tls-key " + key_file + ": not a usable PEM private key for --tls-cert " +
                                     cert_file + ": " + ec.message());
    }
    if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
      return Status::InvalidArgument("--tls-key " + key_file + " is not the private key of --tls-cert " + cert_file);
    }
    tls_.emplace(std::move(context));
    return Status::Ok();
  }

  bool tls() const { return tls_.has_value(); }

  Status Start(const std::string& listen) {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return Status::InvalidArgument("--listen must be HOST:PORT: " + listen);
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    beast::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return Status::InvalidArgument("--listen: not an IP address: " + host);
    int port = 0;
    try {
      port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
      return Status::InvalidArgument("--listen: bad port in " + listen);
    }
    tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("cannot listen on " + listen + ": " + ec.message());
    Accept();
    return Status::Ok();
  }

  void Stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

  int port() const { return acceptor_.is_open() ? acceptor_.local_endpoint().port() : 0; }

 private:
  void Accept() {
    acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        if (tls_) {
          std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls_), handler_)->Start();
        } else {
          std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), handler_)->Start();
        }
      } else {
        spdlog::warn("accept failed: {}", ec.message());
      }
      if (acceptor_.is_open()) Accept();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  RequestHandler handler_;
  std::optional<ssl::context> tls_;
};

HttpServer::HttpServer(asio::io_context& io, RequestHandler handler)
    : impl_(std::make_unique<Impl>(io, std::move(handler))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::UseTls(const std::string& cert_file, const std::string& key_file) {
  return impl_->UseTls(cert_file, key_file);
}
bool HttpServer::tls() const { return impl_->tls(); }
Status HttpServer::Start(const std::string& listen) { return impl_->Start(listen); }
void HttpServer::Stop() { impl_->Stop(); }
int HttpServer::port() const { return impl_->port(); }

}  // namespace nightshift::api
