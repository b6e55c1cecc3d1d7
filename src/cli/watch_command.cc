// `nightshift watch`: follows the server's event stream (GET /api/v1/events, Server-Sent Events)
// and prints one line per event, or each event's JSON with --output json. When the stream ends
// (the server restarted, or dropped a client that fell behind) it reconnects and resumes after
// the last event it printed, so no event is missed or printed twice.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/sse_reader.h"

namespace nightshift::cli {
namespace {

struct WatchFlags {
  ClientOptions client;
  std::vector<std::string> types, queues, pipelines, statuses;
  std::optional<uint64_t> since;
  int64_t count = 0;  // 0: forever
};

std::string FieldText(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// "#12 08:16:52.821 job a (4c9c…) RUNNABLE -> STARTING queue=default: reason"
std::string EventLine(const Json& e) {
  const Json& d = e.contains("detail") ? e["detail"] : Json::object();
  const std::string time = FieldText(e, "time");
  std::string line =
      "#" + FieldText(e, "id") + " " + (time.size() >= 23 ? time.substr(11, 12) : time) + " ";
  const std::string kind = FieldText(e, "detail-type");
  std::string reason;
  if (kind == "Batch Job State Change") {
    const std::string previous = FieldText(d, "previousStatus");
    line += "job " + FieldText(d, "jobName") + " (" + FieldText(d, "jobId") + ") " +
            (previous.empty() ? "" : previous + " -> ") + FieldText(d, "status") +
            " queue=" + FieldText(d, "jobQueue").substr(FieldText(d, "jobQueue").rfind('/') + 1);
    if (d.contains("container") && d["container"].contains("exitCode"))
      line += " exit=" + FieldText(d["container"], "exitCode");
    reason = FieldText(d, "statusReason");
  } else if (kind == "Pipeline Run State Change") {
    line += "run " + FieldText(d, "pipeline") + " (" + FieldText(d, "runId") + ") " + FieldText(d, "status");
    reason = FieldText(d, "statusReason");
  } else if (kind == "Schedule Fire") {
    line += "fire " + FieldText(d, "group") + "/" + FieldText(d, "schedule") + " " + FieldText(d, "status") +
            " logical=" + FieldText(d, "logicalTime");
    reason = FieldText(d, "reason");
  } else {
    line += "schedule " + FieldText(d, "group") + "/" + FieldText(d, "schedule") + " " + FieldText(d, "status");
    reason = FieldText(d, "note");
  }
  return reason.empty() ? line : line + ": " + reason;
}

std::string Query(const WatchFlags& f) {
  std::string q;
  auto add = [&](const char* key, const std::vector<std::string>& values) {
    for (const std::string& v : values)
      q += (q.empty() ? "?" : "&") + std::string(key) + "=" + PercentEncode(v);
  };
  add("type", f.types);
  add("queue", f.queues);
  add("pipeline", f.pipelines);
  add("status", f.statuses);
  return q;
}

// Reads one connection's stream, printing events; returns when it ends (or `count` events are
// printed). `last_id` is the last event printed; `printed` counts them. Errors: kUnavailable when
// the server cannot be reached, others for a refused request.
Status Follow(const WatchFlags& f, std::optional<uint64_t>& last_id, int64_t& printed) {
  std::string path = "/api/v1/events" + Query(f);
  if (last_id) path += (path.find('?') == std::string::npos ? "?since=" : "&since=") + std::to_string(*last_id);
  SseReader reader;
  return Stream(f.client, path, [&](std::string_view piece) {
    for (const SseEvent& e : reader.Feed(piece)) {
      if (e.event == "dropped") continue;  // the stream ends next; we resume after last_id
      const Json event = Json::parse(e.data, nullptr, false);
      if (!event.is_object()) continue;
      last_id = event.value("id", uint64_t{0});
      std::cout << (f.client.output == "json" ? e.data : EventLine(event)) << std::endl;
      if (f.count > 0 && ++printed >= f.count) return false;
    }
    return true;
  });
}

int Watch(const WatchFlags& f) {
  std::optional<uint64_t> last_id = f.since;
  int64_t printed = 0;
  int failures = 0;
  while (f.count == 0 || printed < f.count) {
    const std::optional<uint64_t> before = last_id;
    Status st = Follow(f, last_id, printed);
    if (!st.ok() && st.code() != StatusCode::kUnavailable) return ReportError(st);
    failures = st.ok() || last_id != before ? 0 : failures + 1;
    if (failures >= 30) return ReportError(st);  // about 30 s without a server
    if (f.count > 0 && printed >= f.count) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));  // then resume after last_id
  }
  return 0;
}

}  // namespace

Command WatchCommand() {
  return {"watch", "Print the server's events as they happen (job, run and schedule changes)",
          [](CLI::App& app) {
            auto f = std::make_shared<WatchFlags>();
            app.add_option("--type", f->types,
                           "Only these event types: job, run, schedule (repeatable)");
            app.add_option("--queue", f->queues, "Only job events of this job queue (repeatable)");
            app.add_option("--pipeline", f->pipelines, "Only events of this pipeline (repeatable)");
            app.add_option("--status", f->statuses,
                           "Only events with this status, e.g. FAILED (repeatable)");
            app.add_option("--since", f->since,
                           "Start after this event id (default: new events only)");
            app.add_option("--count,-n", f->count, "Stop after N events (default: follow forever)");
            AddClientFlags(app, f->client);
            return [f] { return Watch(*f); };
          }};
}

}  // namespace nightshift::cli
