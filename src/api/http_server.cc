#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "api/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <optional>

namespace nightshift::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr size_t kBodyLimit = 1 << 20;
constexpr size_t kHeaderLimit = 8 << 10;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const RequestHandler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void Start() { ReadNext(); }

 private:
  void ReadNext() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) return SendError(413, "request body exceeds 1 MiB");
    if (ec == http::error::header_limit) return SendError(431, "request headers exceed 8 KiB");
    if (ec) return Close();
    stream_.expires_never();
    http::request<http::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    handler_(ToRequest(msg), [self = shared_from_this()](HttpResponse r) { self->Write(std::move(r)); });
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
      req.headers[name] = std::string(field.value());
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

  // The status line and headers of `r` on `res`.
  template <typename Body>
  static void SetHead(const HttpResponse& r, http::response<Body>& res) {
    res.version(11);
    res.result(static_cast<unsigned>(r.status));
    res.set(http::field::server, "nightshift");
    res.set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res.set(name, value);
  }

  void Write(HttpResponse r) {
    if (r.stream) return WriteStream(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>();
    SetHead(r, *res);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !self->keep_alive_) return self->Close();
      self->ReadNext();
    });
  }

  // A streamed body: the header, then each piece of the source as a chunk, then the last chunk;
  // the connection closes after it.
  void WriteStream(HttpResponse r) {
    keep_alive_ = false;
    auto res = std::make_shared<http::response<http::empty_body>>();
    SetHead(r, *res);
    res->chunked(true);
    res->keep_alive(false);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_after(kIdleTimeout);
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), res, serializer, source = r.stream](beast::error_code ec, size_t) {
                               if (ec) return self->EndStream(source);
                               self->NextChunk(source);
                             });
  }

  void NextChunk(const std::shared_ptr<BodySource>& source) {
    stream_.expires_never();  // the source decides when the next piece comes
    source->Next([self = shared_from_this(), source](std::string piece, bool last) {
      self->WritePiece(source, std::make_shared<std::string>(std::move(piece)), last);
    });
  }

  void WritePiece(const std::shared_ptr<BodySource>& source, std::shared_ptr<std::string> data, bool last) {
    if (data->empty()) return last ? WriteLastChunk(source) : NextChunk(source);
    stream_.expires_after(kIdleTimeout);
    asio::async_write(stream_, http::make_chunk(asio::buffer(*data)),
                      [self = shared_from_this(), source, data, last](beast::error_code ec, size_t) {
                        if (ec) return self->EndStream(source);
                        if (last) return self->WriteLastChunk(source);
                        self->NextChunk(source);
                      });
  }

  void WriteLastChunk(const std::shared_ptr<BodySource>& source) {
    stream_.expires_after(kIdleTimeout);
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = shared_from_this(), source](beast::error_code, size_t) { self->EndStream(source); });
  }

  void EndStream(const std::shared_ptr<BodySource>& source) {
    source->Cancel();
    Close();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const RequestHandler& handler_;
  bool keep_alive_ = true;
};

}  // namespace

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string kEmpty;
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
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
        std::make_shared<Session>(std::move(socket), handler_)->Start();
      } else {
        spdlog::warn("accept failed: {}", ec.message());
      }
      if (acceptor_.is_open()) Accept();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  RequestHandler handler_;
};

HttpServer::HttpServer(asio::io_context& io, RequestHandler handler)
    : impl_(std::make_unique<Impl>(io, std::move(handler))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::Start(const std::string& listen) { return impl_->Start(listen); }
void HttpServer::Stop() { impl_->Stop(); }
int HttpServer::port() const { return impl_->port(); }

}  // namespace nightshift::api
