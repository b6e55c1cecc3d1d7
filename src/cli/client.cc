#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "cli/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <variant>

#include "api/aws_error.h"
#include "auth/sigv4.h"
#include "cli/config_file.h"
#include "util/clock.h"

namespace nightshift::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

struct Endpoint {
  std::string url;
  std::string host;
  std::string port;
  bool tls = false;
};

Result<Endpoint> ParseServer(const std::string& url) {
  const bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("server URL must start with http:// or https:// (got '" + url + "')");
  }
  std::string rest = url.substr(tls ? 8 : 7);
  if (size_t slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return Endpoint{url, rest, tls ? "443" : "80", tls};
  return Endpoint{url, rest.substr(0, colon), rest.substr(colon + 1), tls};
}

// The credentials calls are signed with when no API token is given: AWS's environment variables,
// as the aws CLI reads them. nullopt: no key (a server without authentication needs none).
struct Credentials {
  std::string key_id, secret, session_token, region;
};

std::optional<Credentials> CredentialsFromEnvironment() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  Credentials c{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN"), env("AWS_REGION")};
  if (c.key_id.empty() || c.secret.empty()) return std::nullopt;
  if (c.region.empty()) c.region = env("AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = "us-east-1";
  return c;
}

// The SigV4 signing name of a path: "batch" for the Batch API, "nightshift" for the native one.
std::string SigningNameOf(const std::string& path) { return path.rfind("/v1/", 0) == 0 ? "batch" : "nightshift"; }

// Adds X-Amz-Date, X-Amz-Security-Token and a SigV4 Authorization for `service` to `req`.
void Sign(http::request<http::string_body>& req, const Credentials& c, const std::string& service,
          int64_t now_unix_seconds) {
  const std::string amz_date = auth::FormatAmzDate(now_unix_seconds);
  std::map<std::string, std::string> headers = {{"host", std::string(req[http::field::host])}, {"x-amz-date", amz_date}};
  std::vector<std::string> names = {"host", "x-amz-date"};
  if (!req[http::field::content_type].empty()) {
    headers["content-type"] = std::string(req[http::field::content_type]);
    names.insert(names.begin(), "content-type");
  }
  if (!c.session_token.empty()) {
    headers["x-amz-security-token"] = c.session_token;
    names.push_back("x-amz-security-token");
    req.set("X-Amz-Security-Token", c.session_token);
  }
  const std::string_view target(req.target().data(), req.target().size());
  const size_t q = target.find('?');
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  const std::string_view method(req.method_string().data(), req.method_string().size());
  const auth::SignedRequest request{method, target.substr(0, q), query, headers, req.body()};
  req.set("X-Amz-Date", amz_date);
  req.set(http::field::authorization,
          auth::AuthorizationHeader(request, c.key_id, c.secret, {amz_date.substr(0, 8), c.region, service},
                                    amz_date, names));
}

Status Unreachable(const Endpoint& endpoint, const beast::error_code& ec) {
  std::string reason = ec.message();
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return Status::Unavailable("cannot reach the server at " + endpoint.url + ": " + reason +
                             " (start it with: nightshift server)");
}

// One connection to the server, plain or TLS (the server's certificate checked against the
// system's trusted ones, or SSL_CERT_FILE's).
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const ClientOptions& options) {
    Result<std::string> url = ServerUrl(options);
    if (!url.ok()) return url.status();
    Result<Endpoint> endpoint = ParseServer(*url);
    if (!endpoint.ok()) return endpoint.status();
    Result<std::string> token = ApiToken(options);
    if (!token.ok()) return token.status();
    auto c = std::unique_ptr<Connection>(new Connection(std::move(*endpoint), std::move(*token)));
    beast::error_code ec;
    auto addresses = c->resolver_.resolve(c->endpoint_.host, c->endpoint_.port, ec);
    if (!ec) std::visit([&](auto& s) { beast::get_lowest_layer(s).connect(addresses, ec); }, c->stream_);
    if (ec) return Unreachable(c->endpoint_, ec);
    if (c->endpoint_.tls) NS_RETURN_IF_ERROR(c->Handshake());
    return c;
  }

  // With a token every call carries it; without, calls are signed when AWS credentials are in
  // the environment.
  Status Send(const std::string& method, const std::string& path, const std::string& body) {
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, endpoint_.host);
    req.set(http::field::user_agent, "nightshift-cli");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    if (!token_.empty()) {
      req.set(http::field::authorization, "Bearer " + token_);
    } else if (std::optional<Credentials> credentials = CredentialsFromEnvironment()) {
      Sign(req, *credentials, SigningNameOf(path), SystemClock().NowMs() / 1000);
    }
    beast::error_code ec;
    std::visit([&](auto& s) { http::write(s, req, ec); }, stream_);
    return ec ? Unreachable(endpoint_, ec) : Status::Ok();
  }

  // Reads the answer's header; the body follows through ReadSome / ReadAll.
  Status ReadHeader() {
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());  // a followed log has no end in size
    beast::error_code ec;
    std::visit([&](auto& s) { http::read_header(s, buffer_, parser_, ec); }, stream_);
    return ec ? Lost(ec) : Status::Ok();
  }

  Status ReadAll() {
    beast::error_code ec;
    std::visit([&](auto& s) { http::read(s, buffer_, parser_, ec); }, stream_);
    return ec ? Lost(ec) : Status::Ok();
  }

  // Reads what has arrived of the body; false once it is complete.
  Result<bool> ReadSome() {
    if (parser_.is_done()) return false;
    beast::error_code ec;
    std::visit([&](auto& s) { http::read_some(s, buffer_, parser_, ec); }, stream_);
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
      code = status() == 404   ? StatusCode::kNotFound
             : status() == 401 ? StatusCode::kUnauthenticated
             : status() == 403 ? StatusCode::kPermissionDenied
             : status() < 500  ? StatusCode::kInvalidArgument
                               : StatusCode::kInternal;
    }
    if (*code == StatusCode::kUnauthenticated) {
      message += " (the server wants a credential: give --token, set NIGHTSHIFT_TOKEN or `token` in the config "
                 "file, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
    }
    return Status(*code, message);
  }

  ~Connection() {
    beast::error_code ignored;
    std::visit([&](auto& s) { beast::get_lowest_layer(s).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored); },
               stream_);
  }

 private:
  using PlainStream = beast::tcp_stream;
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  Connection(Endpoint endpoint, std::string token)
      : endpoint_(std::move(endpoint)), token_(std::move(token)), resolver_(io_), tls_context_(ssl::context::tls_client), stream_(NewStream()) {}

  std::variant<PlainStream, TlsStream> NewStream() {
    if (!endpoint_.tls) return std::variant<PlainStream, TlsStream>(std::in_place_type<PlainStream>, io_);
    return std::variant<PlainStream, TlsStream>(std::in_place_type<TlsStream>, io_, tls_context_);
  }

  Status Handshake() {
    auto& s = std::get<TlsStream>(stream_);
    beast::error_code ec;
    tls_context_.set_default_verify_paths(ec);
    s.set_verify_mode(ssl::verify_peer);
    s.set_verify_callback(ssl::host_name_verification(endpoint_.host));
    asio::ip::make_address(endpoint_.host, ec);
    if (ec) SSL_set_tlsext_host_name(s.native_handle(), endpoint_.host.c_str());  // a name, not an address
    s.handshake(ssl::stream_base::client, ec);
    if (!ec) return Status::Ok();
    return Status::Unavailable("TLS with the server at " + endpoint_.url + " failed: " + ec.message() +
                               " (to trust its certificate: SSL_CERT_FILE=FILE)");
  }

  Status Lost(const beast::error_code& ec) {
    return Status::Unavailable("lost the connection to the server at " + endpoint_.url + ": " + ec.message());
  }

  Endpoint endpoint_;
  std::string token_;
  asio::io_context io_;
  asio::ip::tcp::resolver resolver_;
  ssl::context tls_context_;
  std::variant<PlainStream, TlsStream> stream_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void AddClientFlags(CLI::App& app, ClientOptions& options, bool with_output) {
  app.add_option("--server", options.server,
                 "Server URL (default: $NIGHTSHIFT_SERVER, else `server` in the config file, else http://127.0.0.1:8080)");
  app.add_option("--token", options.token,
                 "API token (default: $NIGHTSHIFT_TOKEN, else `token` in the config file; see nightshift token create)");
  app.add_option("--config", options.config,
                 "Config file to read `server` and `token` from (default: see nightshift server --help)");
  if (!with_output) return;
  app.add_option("--output,-o", options.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

namespace {

// A client setting: its flag's value, else the environment's, the config file's or the default.
Result<std::string> ClientSetting(const ClientOptions& options, const std::string& flag, std::string_view key) {
  if (!flag.empty()) return flag;
  Result<ConfigInputs> inputs = LoadConfigInputs(options.config);
  if (!inputs.ok()) return inputs.status();
  Result<ConfigValue> value = ResolveKey(*inputs, *FindConfigKey(key));
  if (!value.ok()) return value.status();
  return value->text;
}

}  // namespace

Result<std::string> ServerUrl(const ClientOptions& options) { return ClientSetting(options, options.server, "server"); }

Result<std::string> ApiToken(const ClientOptions& options) { return ClientSetting(options, options.token, "token"); }

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

Result<std::string> ReadInputFile(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Status::InvalidArgument("cannot read " + path + ": it is a directory");
  }
  std::ifstream in(path);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) return Status::InvalidArgument("cannot read " + path);
  return text.str();
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
