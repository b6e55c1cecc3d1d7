// The parts of an http:// URL a webhook is posted to.
// Pure. Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace nightshift::webhooks {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";  // path and query
};

// "http://host[:port][/path][?query]". Errors: kInvalidArgument naming what is wrong (another
// scheme, no host, a bad port, user info).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace nightshift::webhooks
