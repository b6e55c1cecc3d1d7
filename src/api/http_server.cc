#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "api/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
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
// Everything runs on the one io_context. Its own executor type, instead of asio's type-erased
// default, spares a dispatch through any_executor on each operation (3 % of a request's
// instructions) and a fifth of this file's compile time with gcc.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, Executor>;
using PlainStream = beast::basic_stream<tcp, Executor>;
using TlsStream = beast::ssl_stream<PlainStream>;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);  // waiting for a request's first byte
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kBodyTimeout = std::chrono::seconds(60);  // a body of up to kBodyLimit, after its headers
constexpr auto kLingerTimeout = std::chrono::seconds(2);  // reading what a refused client still sends
constexpr size_t kBodyLimit = 1 << 20;
constexpr size_t kHeaderLimit = 8 << 10;
constexpr size_t kFirstRead = 4096;
constexpr size_t kMaxRefusing = 64;  // connections being answered 503 at once; beyond: closed at once
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);  // after EMFILE and the like

// Holds one unit of a shared count (open connections) for as long as it lives; movable, so that it
// can follow a connection from its Session to its ChunkedStream. The count is shared so that a
// connection outliving the server does not touch freed memory.
class CountedSlot {
 public:
  explicit CountedSlot(std::shared_ptr<size_t> count) : count_(std::move(count)) { ++*count_; }
  CountedSlot(CountedSlot&& other) noexcept : count_(std::move(other.count_)) {}
  CountedSlot& operator=(CountedSlot&&) = delete;
  ~CountedSlot() {
    if (count_) --*count_;
  }

 private:
  std::shared_ptr<size_t> count_;
};

// Reads and discards what the client still sends, until it closes or kLingerTimeout, then closes:
// closing with unread input would reset the connection and could destroy the answer just sent.
template <class Socket, class Keep>
void LingerThenClose(Socket& socket, std::shared_ptr<Keep> keep) {
  auto scratch = std::make_shared<std::array<char, 4096>>();
  socket.async_read_some(asio::buffer(*scratch), [&socket, keep, scratch](beast::error_code ec, size_t) {
    if (!ec) return LingerThenClose(socket, keep);
    beast::error_code ignored;
    beast::get_lowest_layer(socket).socket().close(ignored);
  });
}

// Closes the connection at once (TLS too: no close_notify, the response's framing tells the end).
template <class Stream>
void CloseSocket(Stream& stream) {
  beast::error_code ignored;
  Socket& socket = beast::get_lowest_layer(stream).socket();
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// A streamed response on a connection taken over from its Session (plain or TLS): the head, then
// each piece queued as one HTTP chunk (pieces queued during a write go out together in the next),
// then the last chunk on Finish. A read stays pending to notice the client going away.
template <class Stream>
class ChunkedStream final : public ResponseStream, public std::enable_shared_from_this<ChunkedStream<Stream>> {
 public:
  ChunkedStream(Stream stream, CountedSlot slot)
      : stream_(std::move(stream)), slot_(std::move(slot)), finish_timer_(stream_.get_executor()) {}

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
  CountedSlot slot_;
  Timer finish_timer_;
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

// The status line and headers of `r`: Server and Content-Type, then the handler's own (of two with
// the same name, the later), then `framing`: the lines that say where the body ends, and the
// blank line.
std::string ResponseHead(const HttpResponse& r, std::string_view framing) {
  std::string head = "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  const beast::string_view reason = http::obsolete_reason(static_cast<http::status>(r.status));
  head.append(reason.data(), reason.size());
  head += "\r\nServer: nightshift\r\nContent-Type: ";
  head += r.content_type;
  head += "\r\n";
  for (auto it = r.headers.begin(); it != r.headers.end(); ++it) {
    const auto same_name = [&](const auto& later) { return beast::iequals(later.first, it->first); };
    if (std::any_of(std::next(it), r.headers.end(), same_name)) continue;
    head += it->first;
    head += ": ";
    head += it->second;
    head += "\r\n";
  }
  head += framing;
  return head;
}

std::string StreamHead(const HttpResponse& r) {
  return ResponseHead(r, "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

// A response whose body is in hand, head and body in one buffer: one write. (Given as two
// buffers, a 41 KB body never reached a TLS client: asio's write over Beast's TLS stream.)
std::string WholeResponse(HttpResponse r, bool keep_alive) {
  std::string framing;
  // A 1xx, 204 or 304 response has no body, and so no length (RFC 9110).
  const bool bodyless = (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  if (!bodyless) framing = "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!keep_alive) framing += "Connection: close\r\n";
  framing += "\r\n";
  std::string out = ResponseHead(r, framing);
  if (!bodyless) out += r.body;
  return out;
}

// One connection's exchanges, over a plain TCP stream or a TLS stream.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const RequestHandler& handler, CountedSlot slot, std::chrono::milliseconds header_timeout)
      : stream_(std::move(stream)),
        handler_(handler),
        slot_(std::move(slot)),
        header_timeout_(header_timeout),
        read_deadline_(stream_.get_executor()) {
    beast::error_code ec;
    const tcp::endpoint peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_address_ = peer.address().to_string();
  }

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
  // Three deadlines: kIdleTimeout for the next request's first byte, header_timeout_ from then
  // to its last header, kBodyTimeout for its body.
  void ReadNext() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    if (buffer_.size() > 0) return ReadHeader();  // pipelined: the request has begun
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    ArmReadDeadline(header_timeout_);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (EndReadDeadline()) {
      return SendError(408, "request headers not complete within " + std::to_string(header_timeout_.count()) + " ms");
    }
    if (ec || parser_->is_done()) return OnRead(ec);
    ArmReadDeadline(kBodyTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  // The stream's own timeout would close the socket, leaving no way to answer 408: a timer of our
  // own cancels the read instead.
  void ArmReadDeadline(std::chrono::milliseconds timeout) {
    beast::get_lowest_layer(stream_).expires_never();
    deadline_armed_ = true;
    read_deadline_.expires_after(timeout);
    read_deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || !self->deadline_armed_) return;
      self->timed_out_ = true;
      beast::get_lowest_layer(self->stream_).socket().cancel(ec);
    });
  }

  // Disarms the deadline; whether it had passed.
  bool EndReadDeadline() {
    deadline_armed_ = false;
    read_deadline_.cancel();
    return std::exchange(timed_out_, false);
  }

  void OnRead(beast::error_code ec) {
    if (EndReadDeadline()) return SendError(408, "request body not complete within 60 s");
    if (ec == http::error::body_limit) return SendError(413, "request body exceeds 1 MiB");
    if (ec == http::error::header_limit) return SendError(431, "request headers exceed 8 KiB");
    if (ec) return Close();
    beast::get_lowest_layer(stream_).expires_never();
    http::request<http::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    HttpRequest request = ToRequest(msg);
    request.remote_address = remote_address_;
    handler_(std::move(request), [self = this->shared_from_this()](HttpResponse r) { self->Write(std::move(r)); });
  }

  static HttpRequest ToRequest(http::request<http::string_body>& msg) {
    HttpRequest req;
    req.method = std::string(msg.method_string());
    SetTarget(req, std::string_view(msg.target().data(), msg.target().size()));
    for (const auto& field : msg) {
      AddHeader(req, std::string_view(field.name_string().data(), field.name_string().size()),
                std::string_view(field.value().data(), field.value().size()));
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
      auto stream = std::make_shared<ChunkedStream<Stream>>(std::move(stream_), std::move(slot_));
      stream->Start(StreamHead(r));
      r.stream(stream);
      return;
    }
    auto res = std::make_shared<std::string>(WholeResponse(std::move(r), keep_alive_));
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    asio::async_write(stream_, asio::buffer(*res), [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !self->keep_alive_) return self->Close();
      self->ReadNext();
    });
  }

  // Ends our side; what the client still sends is read and dropped for a moment (LingerThenClose).
  void Close() {
    beast::error_code ignored;
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(kLingerTimeout);
    LingerThenClose(lowest, this->shared_from_this());
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const RequestHandler& handler_;
  CountedSlot slot_;
  const std::chrono::milliseconds header_timeout_;
  Timer read_deadline_;  // see ArmReadDeadline
  bool deadline_armed_ = false;
  bool timed_out_ = false;
  std::string remote_address_;
  bool keep_alive_ = true;
};

// A connection over the cap: answered 503 without reading its request, then closed.
class RefusedConnection : public std::enable_shared_from_this<RefusedConnection> {
 public:
  RefusedConnection(Socket socket, CountedSlot slot, size_t cap)
      : stream_(std::move(socket)), slot_(std::move(slot)) {
    const std::string body = R"({"__type":"ServiceUnavailableException","message":"too many connections (the server )"
                             R"(allows )" + std::to_string(cap) + R"(); retry later"})";
    answer_ = "HTTP/1.1 503 Service Unavailable\r\nServer: nightshift\r\nContent-Type: application/json\r\n"
              "x-amzn-ErrorType: ServiceUnavailableException\r\nRetry-After: 1\r\nConnection: close\r\n"
              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  void Start() {
    stream_.expires_after(kLingerTimeout);
    asio::async_write(stream_, asio::buffer(answer_), [self = shared_from_this()](beast::error_code ec, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (ec) return self->stream_.socket().close(ignored);
      LingerThenClose(self->stream_, self);
    });
  }

 private:
  PlainStream stream_;
  CountedSlot slot_;
  std::string answer_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(asio::io_context& io, RequestHandler handler)
      : acceptor_(io.get_executor()), accept_retry_(io.get_executor()), handler_(std::move(handler)) {}

  void SetLimits(const HttpServerLimits& limits) { limits_ = limits; }
  size_t open_connections() const { return *open_; }

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
    accept_retry_.cancel();
  }

  int port() const { return acceptor_.is_open() ? acceptor_.local_endpoint().port() : 0; }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, Socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of fds, most likely: retry later rather than spin on a listen queue we cannot take.
        spdlog::warn("accept failed: {}", ec.message());
        accept_retry_.expires_after(kAcceptRetry);
        accept_retry_.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && acceptor_.is_open()) Accept();
        });
        return;
      }
      socket.set_option(tcp::no_delay(true), ec);
      if (*open_ >= limits_.max_connections) {
        Refuse(std::move(socket));
      } else if (tls_) {
        std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls_), handler_, CountedSlot(open_),
                                             limits_.header_timeout)->Start();
      } else {
        std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), handler_, CountedSlot(open_),
                                               limits_.header_timeout)->Start();
      }
      if (acceptor_.is_open()) Accept();
    });
  }

  // A TLS client would not understand a plain answer, and a flood must not hold fds: both are
  // closed at once.
  void Refuse(Socket socket) {
    if (!refused_logged_) spdlog::warn("{} connections open: refusing new ones (--max-connections)", *open_);
    refused_logged_ = true;
    if (tls_ || *refusing_ >= kMaxRefusing) {
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    std::make_shared<RefusedConnection>(std::move(socket), CountedSlot(refusing_), limits_.max_connections)->Start();
  }

  Acceptor acceptor_;
  Timer accept_retry_;
  RequestHandler handler_;
  std::optional<ssl::context> tls_;
  HttpServerLimits limits_;
  std::shared_ptr<size_t> open_ = std::make_shared<size_t>(0);
  std::shared_ptr<size_t> refusing_ = std::make_shared<size_t>(0);
  bool refused_logged_ = false;
};

HttpServer::HttpServer(asio::io_context& io, RequestHandler handler)
    : impl_(std::make_unique<Impl>(io, std::move(handler))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::UseTls(const std::string& cert_file, const std::string& key_file) {
  return impl_->UseTls(cert_file, key_file);
}
bool HttpServer::tls() const { return impl_->tls(); }
void HttpServer::SetLimits(const HttpServerLimits& limits) { impl_->SetLimits(limits); }
size_t HttpServer::open_connections() const { return impl_->open_connections(); }
Status HttpServer::Start(const std::string& listen) { return impl_->Start(listen); }
void HttpServer::Stop() { impl_->Stop(); }
int HttpServer::port() const { return impl_->port(); }

}  // namespace nightshift::api
