// The server's one logging setup: spdlog's default logger on stdout, as human-readable lines
// (`--log-format text`, the default) or as JSON lines (`--log-format json`), one object a line:
//   {"time":"2024-03-05T02:00:00.123Z","level":"info","message":"..."}
// Thread-safety: call SetUpServerLog once, before the server's threads start.
#pragma once

#include <memory>
#include <string>

#include <spdlog/formatter.h>

namespace nightshift::cli {

// `format` is "text" or "json" (checked by the config).
void SetUpServerLog(const std::string& format);

// The JSON lines formatter (exposed for its test).
std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();

}  // namespace nightshift::cli
