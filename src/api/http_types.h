// Plain HTTP request/response values passed between the HTTP server and the route handlers, so
// that only http_server.cc includes Boost.Beast.
// Thread-safety: plain values.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nightshift::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-encoded, without the query
  std::string query;   // after '?', percent-encoded; empty if none
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" if absent. `name` must be lower-case.
  const std::string& Header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Answers a request. Called on the server's loop thread; `respond` may be called later (after a
// commit), exactly once, on the same thread.
using Respond = std::function<void(HttpResponse)>;
using RequestHandler = std::function<void(HttpRequest, Respond)>;

// Percent-decodes `s` ("%3A" -> ":"); '+' is kept as is. Invalid escapes are kept literally.
std::string PercentDecode(const std::string& s);
// Parses "a=1&b=2&b=3" into decoded pairs, in order.
std::vector<std::pair<std::string, std::string>> ParseQuery(const std::string& query);
// "/a/b%2Fc" -> {"a", "b/c"}: the path's segments, each decoded; empty segments dropped.
std::vector<std::string> SplitPath(const std::string& path);
// The decoded value of the first query parameter `key`, or "" if absent.
std::string QueryValue(const HttpRequest& request, const std::string& key);

}  // namespace nightshift::api
