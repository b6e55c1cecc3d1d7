// `nightshift run FILE`: runs a pipeline file once and follows the run to its end, with live
// progress (cli/run_display.h) and a summary. Two ways to run it, one behaviour:
//   * in this process (run_in_process.cc): an engine on an embedded SQLite store and the local
//     executor in a data dir, no HTTP listener — nothing to start first;
//   * on a server (run_on_server.cc, --server URL): apply, start and poll through the native API.
// Exit status: 0 if the run SUCCEEDED; 1 if it failed or was cancelled (Ctrl-C cancels it) or
// could not be run; 2 for usage errors, an invalid file, unknown or missing params.
// Thread-safety: none; one per process.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "cli/client.h"
#include "util/clock.h"

namespace nightshift::cli {

// What to run, read and checked by the command before either way runs it.
struct RunInput {
  std::string file;      // as the user named it, for messages
  std::string source;    // the file's text
  std::string base_dir;  // the file's directory, absolute: relative commands resolve there
  std::map<std::string, std::string> params;
  std::string logical_date;            // RFC 3339 as given; empty: now
  std::optional<TimeMs> logical_time;  // the same, parsed
  std::string data_dir;                // in process only; empty: a fresh temporary directory
  ClientOptions client;                // --server (set: on a server) and --output
};

int RunInProcess(const RunInput& input);
int RunOnServer(const RunInput& input);

// Prints an apply error as the CLI does for files: each "line:col: message" line of `message`
// becomes "file:line:col: message" on stderr; other text is printed as an error. Returns 2.
int ReportApplyProblems(const std::string& file, const std::string& message);

}  // namespace nightshift::cli
