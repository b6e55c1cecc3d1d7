// Client: the CLI's connection to a nightshift server. Every client verb finds the server with
// ServerUrl: --server URL, else $NIGHTSHIFT_SERVER, else `server` in the config file, else
// http://127.0.0.1:8080 — and its API token the same way (--token, $NIGHTSHIFT_TOKEN, `token`;
// none by default), sent as Authorization: Bearer. Without a token, calls are signed with SigV4
// (service batch for /v1/, nightshift for the rest) when AWS credentials are in the environment. One blocking HTTP/1.1 exchange per call.
// Thread-safety: none; one per command.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/status.h"
#include "util/uri.h"  // PercentEncode, for the verbs that build paths

namespace CLI {
class App;
}

namespace nightshift::cli {

using Json = nlohmann::json;

struct ClientOptions {
  std::string server;            // --server; empty: see ServerUrl
  std::string token;             // --token; empty: see ApiToken
  std::string config;            // --config; empty: the default places (cli/config_file.h)
  std::string output = "table";  // table | json
};

// The flags of a verb that names one resource: the client's and the name.
struct NamedFlags {
  ClientOptions client;
  std::string name;
};

// The API paths that the pipeline verbs and `nightshift run --server` both call.
inline constexpr char kPipelinesPath[] = "/api/v1/pipelines";
inline constexpr char kRunsPath[] = "/api/v1/runs";

// Adds --server, --token, --config and (unless `with_output` is false) --output to a verb.
void AddClientFlags(CLI::App& app, ClientOptions& options, bool with_output = true);

// The server's URL, chosen as the header says. Errors: an invalid config file (kInvalidArgument).
Result<std::string> ServerUrl(const ClientOptions& options);
// The API token to send, chosen the same way ("" for none). Errors: as ServerUrl's.
Result<std::string> ApiToken(const ClientOptions& options);

// The JSON answer of `method path` with `body` (empty: none). An error answer becomes a Status
// with the server's message and code (the x-nightshift-status header, else from the HTTP
// status); a server that cannot be reached is kUnavailable with one line that says so.
Result<Json> Call(const ClientOptions& options, const std::string& method, const std::string& path,
                  const std::string& body = "");

// GET `path` and hands each piece of the answer's body to `on_data` as it arrives, until the
// server ends the answer or `on_data` returns false. Errors as Call's.
Status Stream(const ClientOptions& options, const std::string& path,
              const std::function<bool(std::string_view data)>& on_data);

// Prints "nightshift: <message>" on stderr and returns the exit code: 2 for usage errors, invalid
// input and unknown objects, 1 when the thing failed (server unreachable or failing, a conflict).
int ReportError(const Status& status);

// The whole of a file given on the command line. Errors: kInvalidArgument ("cannot read PATH").
Result<std::string> ReadInputFile(const std::string& path);

}  // namespace nightshift::cli
