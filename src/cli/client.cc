#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "cli/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

namespace nightshift::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr char kDefaultServer[] = "http://127.0.0.1:8080";

struct Endpoint {
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
  if (colon == std::string::npos) return Endpoint{rest, "80"};
  return Endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
}

std::string ServerUrl(const ClientOptions& options) {
  if (!options.server.empty()) return options.server;
  if (const char* env = std::getenv("NIGHTSHIFT_SERVER"); env && *env) return env;
  return kDefaultServer;
}

}  // namespace

void AddClientFlags(CLI::App& app, ClientOptions& options) {
  app.add_option("--server", options.server, "Server URL (default: $NIGHTSHIFT_SERVER, else http://127.0.0.1:8080)");
  app.add_option("--output,-o", options.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<Json> Call(const ClientOptions& options, const std::string& method, const std::string& path,
                  const std::string& body) {
  const std::string url = ServerUrl(options);
  Result<Endpoint> endpoint = ParseServer(url);
  if (!endpoint.ok()) return endpoint.status();
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(endpoint->host, endpoint->port));
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, endpoint->host);
    req.set(http::field::user_agent, "nightshift-cli");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    Json json = Json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
    const int status = res.result_int();
    if (status < 400) {
      if (json.is_discarded()) return Status::Internal("the server answered with invalid JSON");
      return json;
    }
    std::string message = res.body();
    if (!json.is_discarded() && json.is_object()) {
      const std::string type = json.value("__type", "");
      message = json.value("message", json.value("Message", message));
      if (!type.empty()) message = type + ": " + message;
    }
    if (status == 404) return Status::NotFound(message);
    if (status < 500) return Status::InvalidArgument(message);
    return Status::Internal(message);
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot reach the nightshift server at " + url + ": " + e.what());
  }
}

int ReportError(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace nightshift::cli
