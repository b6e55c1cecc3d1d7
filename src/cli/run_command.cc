// `nightshift run FILE [--param k=v]... [--logical-date T] [--data-dir DIR] [--server URL]`: reads
// and checks the arguments, then runs the file in this process or on a server.
#include "cli/run_command.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "cli/command.h"
#include "schedule/timetable.h"

namespace nightshift::cli {
namespace {

struct RunFlags {
  std::string file;
  std::vector<std::string> params;
  std::string logical_date;
  std::string data_dir;
  ClientOptions client;
};

Result<std::map<std::string, std::string>> ParseParams(const std::vector<std::string>& params) {
  std::map<std::string, std::string> out;
  for (const std::string& p : params) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--param takes NAME=VALUE, got '" + p + "'");
    }
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

Result<RunInput> ReadInput(const RunFlags& flags) {
  RunInput input;
  input.file = flags.file;
  Result<std::string> source = ReadInputFile(flags.file);
  if (!source.ok()) return source.status();
  input.source = std::move(source).value();
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(flags.file, ec);
  if (ec) return Status::InvalidArgument("cannot resolve " + flags.file + ": " + ec.message());
  input.base_dir = absolute.lexically_normal().parent_path().string();
  Result<std::map<std::string, std::string>> params = ParseParams(flags.params);
  if (!params.ok()) return params.status();
  input.params = std::move(*params);
  if (!flags.logical_date.empty()) {
    Result<TimeMs> t = schedule::ParseRfc3339(flags.logical_date);
    if (!t.ok()) return Status::InvalidArgument("--logical-date: " + t.status().message());
    input.logical_date = flags.logical_date;
    input.logical_time = *t;
  }
  input.data_dir = flags.data_dir;
  input.client = flags.client;
  return input;
}

// "12:3: message" (a problem's position, as the engine and the API write it).
bool IsProblemLine(const std::string& line) {
  size_t i = 0;
  for (int field = 0; field < 2; ++field) {
    const size_t digits = i;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    if (i == digits || i >= line.size() || line[i] != ':') return false;
    ++i;
  }
  return true;
}

}  // namespace

int ReportApplyProblems(const std::string& file, const std::string& message) {
  std::istringstream lines(message);
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    if (!IsProblemLine(line)) continue;
    std::cerr << file << ":" << line << "\n";
    any = true;
  }
  if (!any) std::cerr << "error: " << file << ": " << message << "\n";
  return 2;
}

Command RunCommand() {
  return {
      "run",
      "Run a pipeline file once and follow it (in this process, or on a server with --server)",
      [](CLI::App& app) -> std::function<int()> {
        auto flags = std::make_shared<RunFlags>();
        app.add_option("file", flags->file, "Pipeline file (YAML or JSON)")->required();
        app.add_option("--param,-p", flags->params,
                       "NAME=VALUE, overriding the file's default (repeatable)");
        app.add_option(
            "--logical-date", flags->logical_date,
            "RFC 3339 time the run stands for, e.g. 2024-03-05T02:00:00+01:00 (default: now)");
        app.add_option(
            "--data-dir", flags->data_dir,
            "Where the store, job logs and attempt records of an in-process run go "
            "(default: a new directory $TMPDIR/nightshift-run-XXXXXX, kept for its logs). "
            "Not the data dir of a running server.");
        AddClientFlags(app, flags->client);
        app.get_option("--server")->description("Run on this server instead of in this process");
        return [flags] {
          Result<RunInput> input = ReadInput(*flags);
          if (!input.ok()) return ReportError(input.status());
          if (!input->client.server.empty()) {
            if (!input->data_dir.empty()) {
              return ReportError(Status::InvalidArgument(
                  "--data-dir is for runs in this process, not with --server"));
            }
            return RunOnServer(*input);
          }
          return RunInProcess(*input);
        };
      }};
}

}  // namespace nightshift::cli
