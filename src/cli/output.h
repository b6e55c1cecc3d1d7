// Output of the client verbs: `--output json` prints the server's answer as it is (indented);
// `--output table` prints it for people through a verb's own table printer.
// Thread-safety: plain functions writing to stdout.
#pragma once

#include <functional>
#include <string>

#include "cli/client.h"

namespace nightshift::cli {

using TablePrinter = std::function<void(const Json& answer)>;

// A JSON value as a table cell: strings as they are, null as "-", others as JSON text.
std::string Text(const Json& v);

// An epoch-milliseconds member as local time "2024-03-05 02:00:03"; "-" when absent.
std::string TimeText(const Json& epoch_ms);
// The time from `start` to `stop` (epoch ms; stop absent: until now), "-" when not started.
std::string DurationText(const Json& start, const Json& stop);

// Prints `answer` as JSON, or through `table` (JSON too when `table` is empty).
void Print(const ClientOptions& client, const Json& answer, const TablePrinter& table);

// One call, its answer printed; returns the verb's exit code (cli/client.h ReportError).
int CallAndPrint(const ClientOptions& client, const std::string& method, const std::string& path,
                 const std::string& body, const TablePrinter& table);

}  // namespace nightshift::cli
