// libFuzzer target: arbitrary bytes as what a client sends on one connection, read the way the
// server reads it — Boost.Beast's request parser with the server's limits (8 KiB of headers,
// 1 MiB of body) — and each complete request converted by our own code (SetTarget, AddHeader)
// and served by the real router and engine (router_harness.h; requests with an Authorization
// header go to the router that verifies SigV4 and tokens). Pipelined requests are served in
// turn, up to 8. Invariants: Beast never takes more bytes than it was given; every converted
// request keeps its query out of its path and has lower-case header names; and those of
// RouterHarness::Send — answered once, never 5xx, JSON answers parse, errors are named.
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "router_harness.h"

namespace nightshift::fuzz {
namespace {

namespace http = boost::beast::http;

constexpr size_t kHeaderLimit = 8 << 10;  // as http_server.cc
constexpr size_t kBodyLimit = 1 << 20;
constexpr int kMaxPipelined = 8;

api::HttpRequest Convert(http::request<http::string_body>& msg) {
  api::HttpRequest request;
  request.method = std::string(msg.method_string());
  api::SetTarget(request, std::string_view(msg.target().data(), msg.target().size()));
  for (const auto& field : msg) {
    api::AddHeader(request, std::string_view(field.name_string().data(), field.name_string().size()),
                   std::string_view(field.value().data(), field.value().size()));
  }
  request.body = std::move(msg.body());
  request.remote_address = "127.0.0.1";
  return request;
}

void CheckConverted(const api::HttpRequest& request, std::string_view target) {
  Check(request.path.find('?') == std::string::npos, "a path holds a '?'", request.path);
  Check(request.path.size() + (request.query.empty() ? 0 : request.query.size() + 1) <= target.size(),
        "path and query longer than the target", std::string(target));
  for (const auto& [name, value] : request.headers) {
    for (char c : name) Check(!std::isupper(static_cast<unsigned char>(c)), "an upper-case header name", name);
  }
  // The helpers the handlers use on paths and queries take whatever arrives.
  (void)api::SplitPath(request.path);
  (void)api::ParseQuery(request.query);
}

// Parses one request from the front of `bytes`; how many bytes it took, 0 if none is complete.
size_t ServeOne(RouterHarness& harness, std::string_view bytes) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  while (!parser.is_done() && used < bytes.size()) {
    const size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    Check(n <= bytes.size() - used, "the parser took more bytes than it was given");
    used += n;
    if (ec == http::error::need_more) break;  // the connection would wait for more bytes
    if (ec) return 0;  // the server answers 4xx or closes: nothing of ours to serve
    if (n == 0) break;
  }
  if (!parser.is_done()) return 0;
  http::request<http::string_body> msg = parser.release();
  const std::string target(msg.target());
  api::HttpRequest request = Convert(msg);
  CheckConverted(request, target);
  harness.Send(std::move(request));
  return used;
}

}  // namespace
}  // namespace nightshift::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nightshift;
  static fuzz::RouterHarness harness;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < fuzz::kMaxPipelined && !rest.empty(); ++i) {
    const size_t used = fuzz::ServeOne(harness, rest);
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  return 0;
}
