// One HTTP/1.1 POST, asynchronous (Boost.Beast), with a deadline for the whole exchange: the
// webhook dispatcher's client. Connections are not kept: one per delivery.
// Thread-safety: runs on the io_context it is given; `done` is called there, exactly once.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "webhooks/http_url.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::webhooks {

struct PostResult {
  int status = 0;     // HTTP status; 0 when there was no answer
  std::string error;  // why there was no answer: "connect: Connection refused", "timed out", ...
};

void AsyncPost(boost::asio::io_context& io, const HttpUrl& url, std::string body,
               std::vector<std::pair<std::string, std::string>> headers,
               std::chrono::milliseconds timeout, std::function<void(PostResult)> done);

}  // namespace nightshift::webhooks
