// Plain HTTP request/response values passed between the HTTP server and the route handlers, so
// that only http_server.cc includes Boost.Beast.
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/identity.h"
#include "util/uri.h"  // PercentDecode, for the route handlers

namespace nightshift::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-encoded, without the query
  std::string query;   // after '?', percent-encoded; empty if none
  std::map<std::string, std::string> headers;  // names lower-cased; repeated ones joined by ','
  std::string body;
  std::string remote_address;  // the peer's IP address, as text ("127.0.0.1", "::1")
  // Who sent it, with which role: set by the router's authentication before any handler runs.
  std::optional<auth::Identity> identity;

  // The header's value, or "" if absent. `name` must be lower-case.
  const std::string& Header(const std::string& name) const;
};

// A response whose body goes on after its head, in pieces (Server-Sent Events): the HTTP
// server sends them chunked as they come, one write at a time, and keeps the rest queued.
// Thread-safety: the server's loop thread only.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues `data`. False, and nothing queued, when the client is gone or the queued bytes would
  // pass `limit`: the caller decides what a client that falls behind gets.
  virtual bool Send(std::string data, size_t limit) = 0;
  // Queues `data` whatever the limit, then ends the response and closes the connection; if the
  // client does not take it within a few seconds the connection is closed anyway.
  virtual void Finish(std::string data) = 0;
  virtual bool open() const = 0;
  virtual size_t queued_bytes() const = 0;
  virtual uint64_t written_bytes() const = 0;  // so far, to see a client that stopped reading
  // Called when everything queued has been written.
  virtual void OnDrained(std::function<void()> callback) = 0;
  // Called once, when the client goes away or the response ends.
  virtual void OnClosed(std::function<void()> callback) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set: a streamed response. The head is sent (chunked, `body` ignored), then this is called
  // with the open stream; the connection serves nothing else afterwards.
  std::function<void(std::shared_ptr<ResponseStream>)> stream;
};

// Answers a request. Called on the server's loop thread; `respond` may be called later (after a
// commit), exactly once, on the same thread.
using Respond = std::function<void(HttpResponse)>;
using RequestHandler = std::function<void(HttpRequest, Respond)>;

// Splits a request target ("/a/b?x=1") into the request's path and query, neither decoded.
void SetTarget(HttpRequest& request, std::string_view target);
// Adds a header field as received: its name lower-cased; a repeated name's values joined by ','.
void AddHeader(HttpRequest& request, std::string_view name, std::string_view value);

// Parses "a=1&b=2&b=3" into decoded pairs, in order.
std::vector<std::pair<std::string, std::string>> ParseQuery(const std::string& query);
// "/a/b%2Fc" -> {"a", "b/c"}: the path's segments, each decoded; empty segments dropped.
std::vector<std::string> SplitPath(const std::string& path);
// The decoded value of the first query parameter `key`, or "" if absent.
std::string QueryValue(const HttpRequest& request, const std::string& key);

}  // namespace nightshift::api
