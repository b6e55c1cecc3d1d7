// `nightshift pipeline ...`: check pipeline files without a server (validate); apply them to a
// server, start and inspect runs, cancel and rerun them, through the server's native API
// (/api/v1/pipelines, /api/v1/runs).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/table.h"
#include "pipeline/spec.h"

namespace nightshift::cli {
namespace {

std::string Seconds(const Json& ms) {
  if (!ms.is_number()) return "-";
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << ms.get<double>() / 1000.0 << "s";
  return out.str();
}

void PrintRun(const Json& run) {
  std::cout << "run " << Text(run["id"]) << "  " << Text(run["pipeline"]) << " v" << run["version"].get<int>()
            << "  " << Text(run["state"]) << "  logical date " << Text(run["logical_date"]) << "\n";
  if (!run["reason"].get<std::string>().empty()) std::cout << "  " << Text(run["reason"]) << "\n";
  std::vector<Row> rows;
  for (const Json& step : run["steps"]) {
    rows.push_back({Text(step["name"]), Text(step["state"]), Seconds(step.value("duration_ms", Json(nullptr))),
                    Text(step["exit_code"]), Text(step["job_id"]), Text(step["reason"])});
  }
  PrintTable(std::cout, {"STEP", "STATE", "DURATION", "EXIT", "JOB", "REASON"}, rows);
}

Result<Json> ParamsJson(const std::vector<std::string>& params) {
  Json out = Json::object();
  for (const std::string& p : params) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("--param takes NAME=VALUE, got '" + p + "'");
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

Command ApplyVerb() {
  return {"apply", "Apply a pipeline file (a new version when its content changed)",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            app.add_option("file", f->name, "Pipeline file (YAML or JSON)")->required();
            AddClientFlags(app, f->client);
            return [f] {
              Result<std::string> text = ReadInputFile(f->name);
              if (!text.ok()) return ReportError(text.status());
              const std::string dir = std::filesystem::absolute(f->name).parent_path().string();
              Result<Json> answer = Call(f->client, "POST", kPipelinesPath, Json{{"source", *text}, {"base_dir", dir}}.dump());
              if (!answer.ok()) {
                // Every problem of the file as "file:line:col: message", as compilers print them.
                std::istringstream lines(answer.status().message());
                std::string line;
                std::getline(lines, line);
                std::cerr << f->name << ": " << line << "\n";
                while (std::getline(lines, line)) std::cerr << f->name << ":" << line << "\n";
                return answer.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
              }
              if (f->client.output == "json") {
                std::cout << answer->dump(2) << "\n";
              } else {
                std::cout << "pipeline " << Text((*answer)["name"]) << " version " << (*answer)["version"].get<int>()
                          << ((*answer)["changed"].get<bool>() ? " applied" : " unchanged") << "\n";
              }
              return 0;
            };
          }};
}

// One file as `pipeline validate` saw it: unreadable (read), or parsed.
struct CheckedFile {
  std::string file;
  Status read;
  pipeline::ParseResult parsed;
};

CheckedFile CheckFile(const std::string& file) {
  CheckedFile checked{.file = file};
  Result<std::string> text = ReadInputFile(file);
  if (!text.ok()) {
    checked.read = text.status();
    checked.parsed.problems.push_back({{}, text.status().message()});
  } else {
    checked.parsed = pipeline::ParsePipeline(*text);
  }
  return checked;
}

// The problems in the shape the API answers them (api/pipelines_api.cc), and for a valid file
// what it holds.
Json CheckedFileJson(const CheckedFile& checked) {
  const std::optional<pipeline::PipelineSpec>& spec = checked.parsed.spec;
  Json entry = {{"file", checked.file}, {"valid", spec.has_value()}, {"problems", Json::array()}};
  for (const pipeline::Problem& p : checked.parsed.problems) {
    entry["problems"].push_back({{"line", p.pos.line}, {"column", p.pos.column}, {"message", p.message}});
  }
  if (!spec) return entry;
  entry["pipeline"] = spec->name;
  entry["steps"] = spec->steps.size();
  if (spec->schedule) {
    entry["schedule"] = {{"expression", spec->schedule->expression}, {"timezone", spec->schedule->timezone}};
  }
  return entry;
}

// Problems on stderr as compilers print them; a valid file's summary on stdout.
void PrintCheckedFile(const CheckedFile& checked) {
  const std::optional<pipeline::PipelineSpec>& spec = checked.parsed.spec;
  if (!checked.read.ok()) {
    std::cerr << checked.file << ": " << checked.read.message() << "\n";
  } else if (!spec) {
    std::cerr << pipeline::FormatProblems(checked.file, checked.parsed.problems);
  } else {
    std::cout << checked.file << ": pipeline " << spec->name << ", " << spec->steps.size() << " steps";
    if (spec->schedule) {
      std::cout << ", schedule '" << spec->schedule->expression << "' " << spec->schedule->timezone;
    }
    std::cout << ": valid\n";
  }
}

// Offline: what a server's apply would find in the file itself. The queues and job definitions
// it names are checked when it is applied.
Command ValidateVerb() {
  return {"validate",
          "Check pipeline files without a server: every problem of each, with its line and column",
          [](CLI::App& app) -> std::function<int()> {
            auto files = std::make_shared<std::vector<std::string>>();
            auto output = std::make_shared<std::string>("table");
            app.add_option("files", *files, "Pipeline files (YAML or JSON)")->required();
            app.add_option("-o,--output", *output, "Output format")
                ->check(CLI::IsMember({"table", "json"}))
                ->capture_default_str();
            return [files, output] {
              Json report = Json::array();
              bool all_valid = true;
              for (const std::string& file : *files) {
                CheckedFile checked = CheckFile(file);
                all_valid = all_valid && checked.parsed.spec.has_value();
                if (*output == "json") {
                  report.push_back(CheckedFileJson(checked));
                } else {
                  PrintCheckedFile(checked);
                }
              }
              if (*output == "json") std::cout << report.dump(2) << "\n";
              return all_valid ? 0 : 2;
            };
          }};
}

Command PipelineListVerb() {
  return {"list", "List pipelines with their schedule and last runs", [](CLI::App& app) -> std::function<int()> {
            auto client = std::make_shared<ClientOptions>();
            AddClientFlags(app, *client);
            return [client] {
              return CallAndPrint(*client, "GET", kPipelinesPath, "", [](const Json& answer) {
                std::vector<Row> rows;
                for (const Json& p : answer["pipelines"]) {
                  std::string recent;
                  for (const Json& r : p["recent_runs"]) recent += Text(r["state"]).substr(0, 1);
                  const Json& s = p["schedule"];
                  rows.push_back({Text(p["name"]), std::to_string(p["version"].get<int>()),
                                  std::to_string(p["step_count"].get<int>()),
                                  s.is_null() ? "-" : Text(s["expression"]) + " " + Text(s["timezone"]),
                                  s.is_null() ? "-" : Text(s["next_due"]), recent.empty() ? "-" : recent});
                }
                PrintTable(std::cout, {"NAME", "VERSION", "STEPS", "SCHEDULE", "NEXT RUN", "RECENT (newest first)"}, rows);
              });
            };
          }};
}

Command PipelineShowVerb() {
  return {"show", "Show a pipeline: its steps, schedule and recent runs", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            app.add_option("name", f->name, "Pipeline")->required();
            AddClientFlags(app, f->client);
            return [f] {
              return CallAndPrint(f->client, "GET", std::string(kPipelinesPath) + "/" + PercentEncode(f->name), "", [](const Json& p) {
                std::cout << "pipeline " << Text(p["name"]) << " version " << p["version"].get<int>() << "\n";
                if (!p["schedule"].is_null()) {
                  std::cout << "schedule " << Text(p["schedule"]["expression"]) << " " << Text(p["schedule"]["timezone"])
                            << ", next run " << Text(p["schedule"]["next_due"]) << "\n";
                }
                std::vector<Row> rows;
                for (const Json& s : p["steps"]) {
                  std::string deps;
                  for (const Json& d : s["depends_on"]) {
                    deps += (deps.empty() ? "" : ", ") + Text(d["step"]);
                    if (d["condition"] != "success") deps += " (" + Text(d["condition"]) + ")";
                  }
                  std::string what = Text(s["definition"]);
                  if (what.empty()) {
                    for (const Json& a : s["command"]) what += (what.empty() ? "" : " ") + Text(a);
                  }
                  rows.push_back({Text(s["name"]), deps.empty() ? "-" : deps, what});
                }
                PrintTable(std::cout, {"STEP", "AFTER", "RUNS"}, rows);
              });
            };
          }};
}

Command PipelineDeleteVerb() {
  return {"delete", "Delete a pipeline and its schedule (its runs stay in the history)",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            app.add_option("name", f->name, "Pipeline")->required();
            AddClientFlags(app, f->client);
            return [f] {
              return CallAndPrint(f->client, "DELETE", std::string(kPipelinesPath) + "/" + PercentEncode(f->name), "",
                         [f](const Json&) { std::cout << "deleted pipeline " << f->name << "\n"; });
            };
          }};
}

Command RunVerb() {
  return {"run", "Start a run of an applied pipeline", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            auto params = std::make_shared<std::vector<std::string>>();
            auto date = std::make_shared<std::string>();
            app.add_option("name", f->name, "Pipeline")->required();
            app.add_option("--param,-p", *params, "NAME=VALUE (repeatable)");
            app.add_option("--logical-date", *date, "RFC 3339 time the run stands for (default: now)");
            AddClientFlags(app, f->client);
            return [f, params, date] {
              Result<Json> p = ParamsJson(*params);
              if (!p.ok()) return ReportError(p.status());
              Json body{{"params", *p}};
              if (!date->empty()) body["logical_date"] = *date;
              return CallAndPrint(f->client, "POST", std::string(kPipelinesPath) + "/" + PercentEncode(f->name) + "/runs", body.dump(),
                         PrintRun);
            };
          }};
}

Command RunsVerb() {
  return {"runs", "A pipeline's run history, newest first", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            auto limit = std::make_shared<int>(20);
            app.add_option("name", f->name, "Pipeline")->required();
            app.add_option("--limit,-n", *limit, "At most this many")->capture_default_str();
            AddClientFlags(app, f->client);
            return [f, limit] {
              return CallAndPrint(f->client, "GET",
                         std::string(kPipelinesPath) + "/" + PercentEncode(f->name) + "/runs?limit=" + std::to_string(*limit), "",
                         [](const Json& answer) {
                           std::vector<Row> rows;
                           for (const Json& r : answer["runs"]) {
                             int done = 0;
                             for (const Json& s : r["steps"]) done += s["state"] == "SUCCEEDED";
                             rows.push_back({Text(r["id"]), Text(r["state"]), Text(r["logical_date"]), Text(r["trigger"]),
                                             std::to_string(done) + "/" + std::to_string(r["steps"].size()),
                                             Text(r["reason"])});
                           }
                           PrintTable(std::cout, {"RUN", "STATE", "LOGICAL DATE", "TRIGGER", "SUCCEEDED", "REASON"}, rows);
                         });
            };
          }};
}

Command RunActionVerb(const std::string& verb, const std::string& help) {
  return {verb, help, [verb](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            auto from_failure = std::make_shared<bool>(false);
            app.add_option("run", f->name, "Run id")->required();
            if (verb == "rerun") {
              app.add_flag("--from-failure", *from_failure, "Run only the failed and skipped steps (the only kind of rerun)");
            }
            AddClientFlags(app, f->client);
            return [f, verb, from_failure] {  // from_failure must outlive parsing: CLI11 writes to it
              const std::string path = std::string(kRunsPath) + "/" + PercentEncode(f->name);
              if (verb == "status") return CallAndPrint(f->client, "GET", path, "", PrintRun);
              return CallAndPrint(f->client, "POST", path + "/" + verb, "{}", PrintRun);
            };
          }};
}

}  // namespace

Command PipelineCommand() {
  return {.name = "pipeline",
          .help = "Pipeline files: check them, apply them to a server, start and follow their runs",
          .verbs = {ApplyVerb(), ValidateVerb(), PipelineListVerb(), PipelineShowVerb(), PipelineDeleteVerb(), RunVerb(), RunsVerb(),
                    RunActionVerb("status", "Show a run and its steps"),
                    RunActionVerb("cancel", "Cancel a run: its unfinished steps are stopped"),
                    RunActionVerb("rerun", "Rerun a failed run from the point of failure (--from-failure)")}};
}

}  // namespace nightshift::cli
