#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "cli/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>

#include <cctype>
#include <iostream>
#include <limits>
#include <optional>

#include "api/aws_error.h"
#include "cli/config_file.h"

namespace nightshift::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct Endpoint {
  std::string url;
  std::string host;
  std::string port;
};

Result<Endpoint> ParseServer(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return Status::InvalidArgument("server URL must start with http:// (got '" + url + "')");
  }
  std::string rest = url.substr(scheme.size());
  if (size_t slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return Endpoint{url, rest, "80"};
  return Endpoint{url, rest.substr(0, colon), rest.substr(colon + 1)};
}

Status Unreachable(const Endpoint& endpoint, const beast::error_code& ec) {
  std::string reason = ec.message();
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return Status::Unavailable("cannot reach the server at " + endpoint.url + ": " + reason +
                             " (start it with: nightshift server)");
}

// One connection to the server.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const ClientOptions& options) {
    Result<std::string> url = ServerUrl(options);
    if (!url.ok()) return url.status();
    Result<Endpoint> endpoint = ParseServer(*url);
    if (!endpoint.ok()) return endpoint.status();
    auto c = std::unique_ptr<Connection>(new Connection(std::move(*endpoint)));
    beast::error_code ec;
    auto addresses = c->resolver_.resolve(c->endpoint_.host, c->endpoint_.port, ec);
    if (!ec) c->stream_.connect(addresses, ec);
    if (ec) return Unreachable(c->endpoint_, ec);
    return c;
  }

  Status Send(const std::string& method, const std::string& path, const std::string& body) {
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, endpoint_.host);
    req.set(http::field::user_agent, "nightshift-cli");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    beast::error_code ec;
    http::write(stream_, req, ec);
    return ec ? Unreachable(endpoint_, ec) : Status::Ok();
  }

  // Reads the answer's header; the body follows through ReadSome / ReadAll.
  Status ReadHeader() {
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());  // a followed log has no end in size
    beast::error_code ec;
    http::read_header(stream_, buffer_, parser_, ec);
    return ec ? Lost(ec) : Status::Ok();
  }

  Status ReadAll() {
    beast::error_code ec;
    http::read(stream_, buffer_, parser_, ec);
    return ec ? Lost(ec) : Status::Ok();
  }

  // Reads what has arrived of the body; false once it is complete.
  Result<bool> ReadSome() {
    if (parser_.is_done()) return false;
    beast::error_code ec;
    http::read_some(stream_, buffer_, parser_, ec);
    if (ec) return Lost(ec);
    return true;
  }

  int status() { return parser_.get().result_int(); }
  std::string& body() { return parser_.get().body(); }

  // The error an error answer stands for, with the server's message.
  Status ErrorStatus() {
    const auto& res = parser_.get();
    Json json = Json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
    std::string message = res.body();
    if (!json.is_discarded() && json.is_object()) message = json.value("message", json.value("Message", message));
    const auto header = res.find(api::kStatusHeader);
    std::optional<StatusCode> code;
    if (header != res.end()) code = StatusCodeFromName(std::string(header->value()));
    if (!code) {
      code = status() == 404 ? StatusCode::kNotFound
             : status() < 500 ? StatusCode::kInvalidArgument
                              : StatusCode::kInternal;
    }
    return Status(*code, message);
  }

  ~Connection() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  }

 private:
  explicit Connection(Endpoint endpoint) : endpoint_(std::move(endpoint)), resolver_(io_), stream_(io_) {}

  Status Lost(const beast::error_code& ec) {
    return Status::Unavailable("lost the connection to the server at " + endpoint_.url + ": " + ec.message());
  }

  Endpoint endpoint_;
  asio::io_context io_;
  asio::ip::tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void AddClientFlags(CLI::App& app, ClientOptions& options, bool with_output) {
  app.add_option("--server", options.server,
                 "Server URL (default: $NIGHTSHIFT_SERVER, else `server` in the config file, else http://127.0.0.1:8080)");
  app.add_option("--config", options.config, "Config file to read `server` from (default: see nightshift server --help)");
  if (!with_output) return;
  app.add_option("--output,-o", options.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

Result<std::string> ServerUrl(const ClientOptions& options) {
  if (!options.server.empty()) return options.server;
  Result<ConfigInputs> inputs = LoadConfigInputs(options.config);
  if (!inputs.ok()) return inputs.status();
  Result<ConfigValue> server = ResolveKey(*inputs, *FindConfigKey("server"));
  if (!server.ok()) return server.status();
  return server->text;
}

Result<Json> Call(const ClientOptions& options, const std::string& method, const std::string& path,
                  const std::string& body) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  if (!connection.ok()) return connection.status();
  Connection& c = **connection;
  NS_RETURN_IF_ERROR(c.Send(method, path, body));
  NS_RETURN_IF_ERROR(c.ReadHeader());
  NS_RETURN_IF_ERROR(c.ReadAll());
  if (c.status() >= 400) return c.ErrorStatus();
  Json json = Json::parse(c.body(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Internal("the server answered with invalid JSON");
  return json;
}

Status Stream(const ClientOptions& options, const std::string& path,
              const std::function<bool(std::string_view data)>& on_data) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options);
  if (!connection.ok()) return connection.status();
  Connection& c = **connection;
  NS_RETURN_IF_ERROR(c.Send("GET", path, ""));
  NS_RETURN_IF_ERROR(c.ReadHeader());
  if (c.status() >= 400) {
    NS_RETURN_IF_ERROR(c.ReadAll());
    return c.ErrorStatus();
  }
  while (true) {
    Result<bool> more = c.ReadSome();
    if (!more.ok()) return more.status();
    if (!c.body().empty()) {
      if (!on_data(c.body())) return Status::Ok();
      c.body().clear();
    }
    if (!*more) return Status::Ok();
  }
}

int ReportError(const Status& status) {
  std::cerr << "nightshift: " << status.message() << "\n";
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace nightshift::cli
