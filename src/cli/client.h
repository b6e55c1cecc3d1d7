// Client: the CLI's connection to a nightshift server. The server is --server URL, else
// $NIGHTSHIFT_SERVER, else http://127.0.0.1:8080. One blocking HTTP/1.1 exchange per call.
// Thread-safety: none; one per command.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace CLI {
class App;
}

namespace nightshift::cli {

using Json = nlohmann::json;

struct ClientOptions {
  std::string server;         // empty: $NIGHTSHIFT_SERVER, else http://127.0.0.1:8080
  std::string output = "table";  // table | json
};

// Adds --server and --output to a verb.
void AddClientFlags(CLI::App& app, ClientOptions& options);

// The JSON answer of `method path` with `body` (empty: none). A 4xx/5xx answer becomes a Status
// carrying the server's message: kNotFound for 404, kInvalidArgument for other 4xx, kUnavailable
// when the server cannot be reached, kInternal for 5xx.
Result<Json> Call(const ClientOptions& options, const std::string& method, const std::string& path,
                  const std::string& body = "");

// Prints the error as the CLI does and returns its exit code: 2 for usage errors and unknown
// objects, 1 when the thing failed (server unreachable, server error).
int ReportError(const Status& status);

// Percent-encodes a path segment or query value.
std::string UrlEncode(const std::string& s);

}  // namespace nightshift::cli
