// `nightshift logs JOB_ID [-f] [--attempt N]`: prints an attempt's output from the server's native
// log route (GET /api/v1/jobs/{id}/logs, Server-Sent Events; api/job_logs_api.h). With -f it
// follows the job live: the server streams lines as they are written and ends the answer when the
// attempt ends; when the job will retry, the next attempt is followed, until the job ends. Exit
// status with -f: 0 if the job SUCCEEDED, 1 otherwise.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/sse_reader.h"

namespace nightshift::cli {
namespace {

struct LogsFlags {
  ClientOptions client;
  std::string job_id;
  bool follow = false;
  int attempt = 0;  // 0: the latest
  bool timestamps = false;
};

void PrintLine(const LogsFlags& f, const Json& event) {
  const std::string stream = event.value("stream", "stdout");
  std::ostream& out = stream == "stdout" ? std::cout : std::cerr;
  if (f.timestamps) out << TimeText(event["timestamp"]) << " ";
  out << event.value("message", "") << "\n";
}

// Streams one attempt; the `end` event's data, or an error.
Result<Json> StreamAttempt(const LogsFlags& f, int attempt) {
  std::string path = "/api/v1/jobs/" + PercentEncode(f.job_id) + "/logs?follow=" + (f.follow ? "true" : "false");
  if (attempt > 0) path += "&attempt=" + std::to_string(attempt);
  SseReader reader;
  Json end;
  Status st = Stream(f.client, path, [&](std::string_view piece) {
    for (const SseEvent& e : reader.Feed(piece)) {
      Json data = Json::parse(e.data, nullptr, false);
      if (data.is_discarded()) continue;
      if (e.event == "log") PrintLine(f, data);
      if (e.event == "end") end = std::move(data);
    }
    std::cout.flush();
    std::cerr.flush();
    return true;
  });
  if (!st.ok()) return st;
  if (end.is_null()) return Status::Unavailable("the server ended the log of job " + f.job_id + " without its end");
  if (end.contains("error")) return Status::Internal(Text(end["error"]));
  return end;
}

int RunLogs(const LogsFlags& f) {
  int attempt = f.attempt;
  while (true) {
    Result<Json> end = StreamAttempt(f, attempt);
    if (!end.ok()) return ReportError(end.status());
    if (!f.follow) return 0;
    const Json& e = *end;
    if (e.value("moreAttempts", false) && f.attempt == 0) {
      attempt = e.value("attempt", 1) + 1;
      std::cerr << "nightshift: attempt " << e.value("attempt", 1) << " ended (exit " << Text(e["exitCode"])
                << "); following attempt " << attempt << "\n";
      continue;
    }
    const std::string status = Text(e["status"]);
    if (status == "SUCCEEDED") return 0;
    std::cerr << "nightshift: job " << f.job_id << " " << status << ": " << Text(e["statusReason"]) << "\n";
    return 1;
  }
}

}  // namespace

Command LogsCommand() {
  return {"logs", "Print a job attempt's output; -f follows it live until the job ends",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<LogsFlags>();
            app.add_option("job_id", f->job_id, "Job ID (an array job's child: ID:INDEX)")->required();
            app.add_flag("--follow,-f", f->follow,
                         "Follow the job live; exit 0 if it succeeds, 1 if it fails (retries are followed too)");
            app.add_option("--attempt", f->attempt, "Attempt number (default: the latest)")->check(CLI::Range(1, 10));
            app.add_flag("--timestamps,-t", f->timestamps, "Prefix each line with the time it was written");
            AddClientFlags(app, f->client, /*with_output=*/false);
            return [f] { return RunLogs(*f); };
          }};
}

}  // namespace nightshift::cli
