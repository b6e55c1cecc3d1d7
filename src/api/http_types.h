// Plain HTTP request/response values passed between the HTTP server and the route handlers, so
// that only http_server.cc includes Boost.Beast.
// Thread-safety: plain values.
#pragma once

#include <functional>
#include <map>
#include <memory>
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

// The body of a response that is produced over time (a followed log as Server-Sent Events): the
// server sends the header, then asks for one piece after another, writing each as a chunk
// (chunked transfer encoding), until the source says the body has ended; then it closes the
// connection. Runs on the server's loop thread.
class BodySource {
 public:
  using Deliver = std::function<void(std::string piece, bool last)>;
  virtual ~BodySource() = default;
  // Asks for the next piece: the source calls `deliver` exactly once, now or later, with it
  // (`last`: the body ends after it). Not called again before the piece is written.
  virtual void Next(Deliver deliver) = 0;
  // The client is gone (a write failed) or the server stops: produce nothing more; a pending
  // `deliver` need not be called.
  virtual void Cancel() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<BodySource> stream;  // set: the body comes from here, and `body` is ignored
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
