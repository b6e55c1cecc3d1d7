// `nightshift schedule ...`: preview fire times locally (no server needed), and manage a server's
// schedules through its native API (/api/v1/schedules).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/table.h"

namespace nightshift::cli {
namespace {

constexpr char kApi[] = "/api/v1/schedules";

struct Target {
  ClientOptions client;
  std::string name;
  std::string group = "default";
};

// Adds the NAME argument, --group and the client flags.
void AddTargetFlags(CLI::App& app, Target& t) {
  app.add_option("name", t.name, "Schedule name")->required();
  app.add_option("--group", t.group, "Schedule group")->capture_default_str();
  AddClientFlags(app, t.client);
}

std::string PathOf(const Target& t, const std::string& verb = "") {
  return std::string(kApi) + "/" + PercentEncode(t.name) + (verb.empty() ? "" : "/" + verb) + "?group=" + PercentEncode(t.group);
}

void PrintSchedules(const std::vector<Json>& schedules) {
  std::vector<Row> rows;
  for (const Json& s : schedules) {
    const Json& next = s["next_fires"];
    rows.push_back({Text(s["name"]), Text(s["group"]), Text(s["state"]), Text(s["expression"]), Text(s["timezone"]),
                    next.empty() ? "-" : Text(next[0]), Text(s["overlap"]), Text(s["catch_up"]["policy"])});
  }
  PrintTable(std::cout, {"NAME", "GROUP", "STATE", "EXPRESSION", "TIMEZONE", "NEXT FIRE", "OVERLAP", "CATCH-UP"}, rows);
}

void PrintFires(const Json& fires) {
  std::vector<Row> rows;
  for (const Json& f : fires) {
    std::string when = Text(f["logical_time"]);
    if (f.contains("count")) when += " (+" + std::to_string(f["count"].get<int64_t>() - 1) + " to " +
                                     Text(f["last_logical_time"]) + ")";
    const bool ran = f["outcome"] == "started";
    rows.push_back({when, Text(f["trigger"]), Text(f["outcome"]),
                    ran ? std::to_string(f["lateness_ms"].get<int64_t>()) + " ms" : "-",
                    f.contains("job_id") ? Text(f["job_id"]) : "-", Text(f["reason"])});
  }
  PrintTable(std::cout, {"LOGICAL TIME", "TRIGGER", "OUTCOME", "LATE", "JOB", "REASON"}, rows);
}

void PrintOne(const Json& s) {
  PrintSchedules({s});
  if (!s["note"].get<std::string>().empty()) std::cout << "\nnote: " << Text(s["note"]) << "\n";
  std::cout << "\nnext fires (" << Text(s["timezone"]) << "):\n";
  for (const Json& t : s["next_fires"]) std::cout << "  " << Text(t) << "\n";
}

// --- Verbs

struct CreateFlags {
  Target target;
  std::string expression, timezone = "UTC", queue = "default", definition, job_name, submit_job;
  std::string dst_gap = "shift", dst_repeat = "first", overlap = "skip", catch_up = "latest";
  std::string start, end, description, after_completion = "NONE";
  int64_t catch_up_window = 0;
  int jitter = 0;
  int max_active_runs = 1;
  bool disabled = false;
  std::vector<std::string> parameters;
};

Result<std::string> CreateBody(const CreateFlags& f) {
  Json submit;
  if (!f.submit_job.empty()) {
    submit = Json::parse(f.submit_job, nullptr, false);
    if (submit.is_discarded() || !submit.is_object()) {
      return Status::InvalidArgument("--submit-job must be a JSON object of SubmitJob parameters");
    }
  } else {
    if (f.definition.empty()) return Status::InvalidArgument("--definition (or --submit-job) is required");
    submit = {{"jobName", f.job_name.empty() ? f.target.name : f.job_name},
              {"jobQueue", f.queue},
              {"jobDefinition", f.definition}};
    for (const std::string& p : f.parameters) {
      const size_t eq = p.find('=');
      if (eq == std::string::npos) return Status::InvalidArgument("--parameter takes KEY=VALUE, got '" + p + "'");
      submit["parameters"][p.substr(0, eq)] = p.substr(eq + 1);
    }
  }
  Json body{{"name", f.target.name},
            {"group", f.target.group},
            {"expression", f.expression},
            {"timezone", f.timezone},
            {"dst", {{"gap", f.dst_gap}, {"repeat", f.dst_repeat}}},
            {"overlap", f.overlap},
            {"catch_up", {{"policy", f.catch_up}}},
            {"flexible_window_minutes", f.jitter},
            {"max_active_runs", f.max_active_runs},
            {"state", f.disabled ? "DISABLED" : "ENABLED"},
            {"description", f.description},
            {"after_completion", f.after_completion},
            {"submit_job", submit}};
  if (f.catch_up_window > 0) body["catch_up"]["window_seconds"] = f.catch_up_window;
  if (!f.start.empty()) body["start"] = f.start;
  if (!f.end.empty()) body["end"] = f.end;
  return body.dump();
}

Command ScheduleCreateVerb(const std::string& verb, const std::string& help) {
  return {verb, help, [verb](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<CreateFlags>();
            AddTargetFlags(app, f->target);
            app.add_option("--expression,-e", f->expression, "cron, cron(...), rate(...) or at(...)")->required();
            app.add_option("--timezone,-z", f->timezone, "IANA time zone")->capture_default_str();
            app.add_option("--definition,-d", f->definition, "Job definition to submit (name[:revision])");
            app.add_option("--queue,-q", f->queue, "Job queue")->capture_default_str();
            app.add_option("--job-name", f->job_name, "Job name (default: the schedule's name)");
            app.add_option("--parameter,-p", f->parameters, "Job parameter KEY=VALUE (repeatable)");
            app.add_option("--submit-job", f->submit_job, "SubmitJob parameters as JSON (instead of -d/-q/-p)");
            app.add_option("--dst-gap", f->dst_gap, "Nonexistent local time: shift|skip")->capture_default_str();
            app.add_option("--dst-repeat", f->dst_repeat, "Repeated local time: first|last|both")->capture_default_str();
            app.add_option("--overlap", f->overlap,
                           "skip|buffer_one|buffer_all|cancel_other|terminate_other|allow_all")
                ->capture_default_str();
            app.add_option("--catch-up", f->catch_up, "none|latest|all")->capture_default_str();
            app.add_option("--catch-up-window", f->catch_up_window, "Seconds; missed fires older never run (default 7 days)");
            app.add_option("--jitter", f->jitter, "Flexible window in minutes (deterministic per fire)");
            app.add_option("--max-active-runs", f->max_active_runs,
                           "Runs active at once before a fire overlaps; buffered fires and backfills start "
                           "up to this many together")
                ->capture_default_str();
            app.add_option("--start", f->start, "No fire before this RFC 3339 time");
            app.add_option("--end", f->end, "No fire after this RFC 3339 time");
            app.add_option("--description", f->description, "Free text");
            app.add_option("--after-completion", f->after_completion, "NONE|DELETE when no fire is left");
            app.add_flag("--disabled", f->disabled, "Create it paused");
            return [f, verb] {
              Result<std::string> body = CreateBody(*f);
              if (!body.ok()) return ReportError(body.status());
              if (verb == "create") return CallAndPrint(f->target.client, "POST", kApi, *body, PrintOne);
              return CallAndPrint(f->target.client, "PUT", PathOf(f->target), *body, PrintOne);
            };
          }};
}

Command ScheduleListVerb() {
  return {"list", "List schedules with their next fire", [](CLI::App& app) -> std::function<int()> {
            auto client = std::make_shared<ClientOptions>();
            AddClientFlags(app, *client);
            return [client] {
              return CallAndPrint(*client, "GET", kApi, "", [](const Json& answer) {
                PrintSchedules(answer["schedules"].get<std::vector<Json>>());
              });
            };
          }};
}

Command GetVerb() {
  return {"get", "Show a schedule, its policies and next fires", [](CLI::App& app) -> std::function<int()> {
            auto t = std::make_shared<Target>();
            AddTargetFlags(app, *t);
            return [t] { return CallAndPrint(t->client, "GET", PathOf(*t), "", PrintOne); };
          }};
}

Command ScheduleDeleteVerb() {
  return {"delete", "Delete a schedule and its history", [](CLI::App& app) -> std::function<int()> {
            auto t = std::make_shared<Target>();
            AddTargetFlags(app, *t);
            return [t] {
              return CallAndPrint(t->client, "DELETE", PathOf(*t), "", [t](const Json&) {
                std::cout << "deleted schedule " << t->name << "\n";
              });
            };
          }};
}

Command NoteVerb(const std::string& verb, const std::string& help) {
  return {verb, help, [verb](CLI::App& app) -> std::function<int()> {
            auto t = std::make_shared<Target>();
            auto note = std::make_shared<std::string>();
            AddTargetFlags(app, *t);
            app.add_option("--note,-m", *note, "Why (shown with the schedule and in its history)");
            return [t, note, verb] { return CallAndPrint(t->client, "POST", PathOf(*t, verb), Json{{"note", *note}}.dump(), PrintOne); };
          }};
}

Command TriggerVerb() {
  return {"trigger", "Run a schedule's target now (through its overlap policy)",
          [](CLI::App& app) -> std::function<int()> {
            auto t = std::make_shared<Target>();
            auto overlap = std::make_shared<std::string>();
            AddTargetFlags(app, *t);
            app.add_option("--overlap", *overlap, "Override the overlap policy for this fire");
            return [t, overlap] {
              Json body = Json::object();
              if (!overlap->empty()) body["overlap"] = *overlap;
              return CallAndPrint(t->client, "POST", PathOf(*t, "trigger"), body.dump(),
                         [](const Json& answer) { PrintFires(answer["fires"]); });
            };
          }};
}

Command BackfillVerb() {
  return {"backfill", "Run the fires of a past time range that have not run",
          [](CLI::App& app) -> std::function<int()> {
            auto t = std::make_shared<Target>();
            auto range = std::make_shared<std::pair<std::string, std::string>>();
            auto overlap = std::make_shared<std::string>();
            AddTargetFlags(app, *t);
            app.add_option("--from", range->first, "RFC 3339 start (inclusive)")->required();
            app.add_option("--to", range->second, "RFC 3339 end (inclusive)")->required();
            app.add_option("--overlap", *overlap, "Overlap policy for these fires (default buffer_all: one at a time)");
            return [t, range, overlap] {
              Json body{{"from", range->first}, {"to", range->second}};
              if (!overlap->empty()) body["overlap"] = *overlap;
              return CallAndPrint(t->client, "POST", PathOf(*t, "backfill"), body.dump(), [](const Json& answer) {
                PrintFires(answer["fires"]);
                if (!answer["already_fired"].empty()) {
                  std::cout << "\nalready fired, not repeated: " << answer["already_fired"].size() << "\n";
                }
              });
            };
          }};
}

Command HistoryVerb() {
  return {"history", "Every fire: started, skipped, merged, buffered or failed, with reasons",
          [](CLI::App& app) -> std::function<int()> {
            auto t = std::make_shared<Target>();
            auto limit = std::make_shared<int>(50);
            AddTargetFlags(app, *t);
            app.add_option("--limit,-n", *limit, "Newest first, at most this many")->capture_default_str();
            return [t, limit] {
              return CallAndPrint(t->client, "GET", PathOf(*t, "fires") + "&limit=" + std::to_string(*limit), "",
                         [](const Json& answer) { PrintFires(answer["fires"]); });
            };
          }};
}

}  // namespace

Command ScheduleCommand() {
  return {.name = "schedule",
          .help = "Preview schedule expressions and manage schedules",
          .verbs = {SchedulePreviewCommand(), ScheduleCreateVerb("create", "Create a schedule that submits a job"),
                    ScheduleCreateVerb("update", "Replace a schedule's definition (its history and progress stay)"),
                    ScheduleListVerb(), GetVerb(), NoteVerb("pause", "Pause a schedule: no fire runs until resumed"),
                    NoteVerb("resume", "Resume a schedule; fires missed while paused are recorded as skipped"),
                    TriggerVerb(), BackfillVerb(), HistoryVerb(), ScheduleDeleteVerb()}};
}

}  // namespace nightshift::cli
