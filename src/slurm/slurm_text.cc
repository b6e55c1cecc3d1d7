#include "slurm/slurm_text.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>

#include "exec/posix_util.h"
#include "util/text.h"

namespace nightshift::slurm {
namespace {

// Single-quotes `text` for /bin/sh.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::optional<int> ParseIndex(std::string_view text) {
  std::optional<int64_t> n = exec::ParseInt64(text);
  if (!n || *n < 0 || *n > 10'000'000) return std::nullopt;
  return static_cast<int>(*n);
}

}  // namespace

std::vector<std::string> SbatchArgv(const std::string& sbatch_path, const Submission& s) {
  // One task is a plain job: Slurm starts an array's elements a scheduling pass later than a job.
  std::vector<std::string> argv = {sbatch_path, "--parsable", "--job-name=" + s.job_name};
  if (s.size > 1) {
    argv.push_back("--array=0-" + std::to_string(s.size - 1));
    argv.push_back("--output=" + s.output_dir + "/slurm-%A_%a.out");
  } else {
    argv.push_back("--output=" + s.output_dir + "/slurm-%j.out");
  }
  argv.push_back("--partition=" + s.settings.partition);
  if (!s.settings.account.empty()) argv.push_back("--account=" + s.settings.account);
  if (!s.settings.qos.empty()) argv.push_back("--qos=" + s.settings.qos);
  argv.push_back("--cpus-per-task=" +
                 std::to_string(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(s.resources.vcpus)))));
  if (s.resources.memory_mib > 0) argv.push_back("--mem=" + std::to_string(s.resources.memory_mib) + "M");
  if (s.timeout_seconds) argv.push_back("--time=" + std::to_string((*s.timeout_seconds + 59) / 60 + 1));
  argv.push_back("--no-requeue");  // a requeued element would run twice; the wrapper refuses it anyway
  for (const std::string& arg : s.settings.sbatch_args) argv.push_back(arg);
  argv.push_back("--wrap=exec " + ShellQuote(s.wrapper) + " " + ShellQuote(s.batch_path));
  return argv;
}

Result<std::string> RestSubmitBody(const Submission& s, const std::map<std::string, std::string>& environment) {
  if (!s.settings.sbatch_args.empty()) {
    std::string args;
    for (const std::string& a : s.settings.sbatch_args) args += (args.empty() ? "" : " ") + a;
    return Status::InvalidArgument("the compute environment's sbatch arguments (" + args +
                                   ") cannot be passed through slurmrestd; use the client commands");
  }
  nlohmann::json job = {{"name", s.job_name},
                        {"partition", s.settings.partition},
                        {"cpus_per_task", std::max<int64_t>(1, static_cast<int64_t>(std::ceil(s.resources.vcpus)))},
                        {"requeue", false},
                        {"current_working_directory", s.output_dir},
                        {"environment", environment}};
  if (s.size > 1) {
    job["array"] = "0-" + std::to_string(s.size - 1);
    job["standard_output"] = s.output_dir + "/slurm-%A_%a.out";
  } else {
    job["standard_output"] = s.output_dir + "/slurm-%j.out";
  }
  if (!s.settings.account.empty()) job["account"] = s.settings.account;
  if (!s.settings.qos.empty()) job["qos"] = s.settings.qos;
  if (s.resources.memory_mib > 0) job["memory_per_node"] = s.resources.memory_mib;
  if (s.timeout_seconds) job["time_limit"] = (*s.timeout_seconds + 59) / 60 + 1;
  nlohmann::json body = {{"script", "#!/bin/sh\nexec " + ShellQuote(s.wrapper) + " " + ShellQuote(s.batch_path) + "\n"},
                         {"job", std::move(job)}};
  return body.dump();
}

std::string RestErrors(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) return "";
  std::string out;
  for (const nlohmann::json& e : doc["errors"]) {
    std::string text = e.is_object() ? e.value("error", "") : "";
    if (e.is_object() && e.contains("description") && e["description"].is_string() &&
        !e["description"].get<std::string>().empty()) {
      text += (text.empty() ? "" : ": ") + e["description"].get<std::string>();
    }
    if (!text.empty()) out += (out.empty() ? "" : "; ") + text;
  }
  return out;
}

Result<std::string> ParseRestSubmitAnswer(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  // A job id means the job is queued, whatever errors come with it: sbatch prints those as
  // warnings ("Required node not available" while the node re-registers after a restart).
  if (doc.is_object() && doc.contains("job_id") && doc["job_id"].is_number_integer() && doc["job_id"].get<int64_t>() > 0) {
    return std::to_string(doc["job_id"].get<int64_t>());
  }
  if (std::string errors = RestErrors(body); !errors.empty()) return Status::Unavailable("slurmrestd: " + errors);
  if (!doc.is_object() || !doc.contains("job_id") || !doc["job_id"].is_number_integer()) {
    return Status::InvalidArgument("slurmrestd answered no job id: \"" + std::string(body.substr(0, 200)) + "\"");
  }
  return std::to_string(doc["job_id"].get<int64_t>());
}

Result<std::string> ParseSbatchOutput(std::string_view out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.remove_suffix(1);
  std::string_view id = out.substr(0, out.find(';'));
  if (id.empty() || !exec::ParseInt64(id)) {
    return Status::InvalidArgument("sbatch printed no job id: \"" + std::string(out.substr(0, 200)) + "\"");
  }
  return std::string(id);
}

bool IsTransientSlurmError(std::string_view message) {
  for (std::string_view marker : {"Unable to contact slurm controller", "Socket timed out", "temporarily unable",
                                  "Connection refused", "Zero Bytes were transmitted", "Communication connection failure",
                                  "slurm_load_jobs error", "Resource temporarily unavailable",
                                  "Unable to establish", "Transport endpoint", "Unable to contact slurmrestd"}) {
    if (message.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

Result<std::vector<int>> ParseArrayTaskString(std::string_view text) {
  std::vector<int> out;
  if (size_t pct = text.find('%'); pct != std::string_view::npos) text = text.substr(0, pct);
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    int step = 1;
    if (size_t colon = part.find(':'); colon != std::string_view::npos) {
      std::optional<int> s = ParseIndex(part.substr(colon + 1));
      if (!s || *s < 1) return Status::InvalidArgument("array task string: bad step in " + std::string(part));
      step = *s;
      part = part.substr(0, colon);
    }
    size_t dash = part.find('-');
    std::optional<int> first = ParseIndex(part.substr(0, dash));
    std::optional<int> last = dash == std::string_view::npos ? first : ParseIndex(part.substr(dash + 1));
    if (!first || !last || *last < *first) {
      return Status::InvalidArgument("array task string: bad range " + std::string(part));
    }
    for (int i = *first; i <= *last; i += step) out.push_back(i);
  }
  return out;
}

Result<std::vector<NamedElements>> ParseSqueueJson(std::string_view json, std::string_view name_prefix) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (!doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array()) {
    return Status::InvalidArgument("squeue --json: no jobs array");
  }
  // With the controller down, squeue exits 0 with an empty list and the failure under "errors".
  if (doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty()) {
    const nlohmann::json& first = doc["errors"][0];
    std::string what = first.is_object() ? first.value("description", "") + " (" + first.value("source", "") + ": " +
                                               first.value("error", "") + ")"
                                         : first.dump();
    return Status::Unavailable("squeue: " + what);
  }
  std::vector<NamedElements> out;
  for (const nlohmann::json& job : doc["jobs"]) {
    if (!job.is_object()) continue;
    std::string name = job.value("name", "");
    if (name.rfind(name_prefix, 0) != 0) continue;
    ElementState e;
    auto id_text = [](const nlohmann::json& v) -> std::string {
      return v.is_number_integer() ? std::to_string(v.get<int64_t>()) : std::string();
    };
    e.array_job_id = id_text(job.value("array_job_id", nlohmann::json()));
    if (e.array_job_id.empty() || e.array_job_id == "0") e.array_job_id = id_text(job.value("job_id", nlohmann::json()));
    e.state = job.value("job_state", "");
    e.reason = job.value("state_reason", "");
    const nlohmann::json exit = job.value("exit_code", nlohmann::json());
    e.raw_exit = exit.is_number_integer() ? exit.get<int>() : 0;
    const nlohmann::json task = job.value("array_task_id", nlohmann::json());
    if (task.is_number_integer()) {
      e.task = task.get<int>();
      out.push_back({name, e});
      continue;
    }
    std::string tasks = job.value("array_task_string", "");
    if (tasks.empty()) {  // not an array: element 0
      out.push_back({name, e});
      continue;
    }
    Result<std::vector<int>> indexes = ParseArrayTaskString(tasks);
    if (!indexes.ok()) return indexes.status();
    for (int i : *indexes) {
      e.task = i;
      out.push_back({name, e});
    }
  }
  return out;
}

bool IsTerminalSlurmState(std::string_view state) {
  for (std::string_view s : {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "BOOT_FAIL",
                             "OUT_OF_MEMORY", "PREEMPTED", "DEADLINE", "REVOKED", "SPECIAL_EXIT"}) {
    if (state == s) return true;
  }
  return false;
}

std::vector<AccountedJob> ParseSacct(std::string_view text) {
  std::vector<AccountedJob> out;
  while (!text.empty()) {
    const std::string_view line = TakeLine(text);
    std::vector<std::string_view> fields;
    for (size_t start = 0;;) {
      const size_t bar = line.find('|', start);
      fields.push_back(line.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    if (fields.size() != 5 || fields[0].empty()) continue;
    AccountedJob job;
    job.job_id = fields[0];
    job.raw_id = fields[1];
    job.job_name = fields[2];
    job.element.state = fields[3].substr(0, fields[3].find(' '));
    if (const size_t underscore = job.job_id.find('_'); underscore != std::string::npos) {
      job.element.array_job_id = job.job_id.substr(0, underscore);
      if (auto index = ParseIndex(std::string_view(job.job_id).substr(underscore + 1))) job.element.task = *index;
    } else {
      job.element.array_job_id = job.job_id;
    }
    // ExitCode is "code:signal"; raw_exit is the wait status squeue reports.
    const std::string_view exit = fields[4];
    const size_t colon = exit.find(':');
    std::optional<int> code = ParseIndex(exit.substr(0, colon));
    std::optional<int> signal = colon == std::string_view::npos ? std::optional<int>(0) : ParseIndex(exit.substr(colon + 1));
    if (code && signal) job.element.raw_exit = *signal != 0 ? (*signal & 0x7f) : ((*code & 0xff) << 8);
    out.push_back(std::move(job));
  }
  return out;
}

bool IsAccountingDisabled(std::string_view error_text) {
  return error_text.find("accounting storage is disabled") != std::string_view::npos ||
         error_text.find("not configured with slurmdbd") != std::string_view::npos;
}

core::AttemptOutcome OutcomeFromSlurm(const ElementState& element, const std::string& slurm_job) {
  core::AttemptOutcome o;
  const int signal = element.raw_exit & 0x7f;
  const int code = (element.raw_exit >> 8) & 0xff;
  const std::string& state = element.state;
  if (state == "OUT_OF_MEMORY") {
    o.kind = core::AttemptOutcome::Kind::kExited;
    o.exit_code = 137;
    o.reason = "OutOfMemoryError: Container killed due to memory usage";
  } else if (state == "COMPLETED" || state == "FAILED") {
    // The wrapper left no exit record: it failed itself, or was killed before it could write one.
    if (signal != 0) {
      o.kind = core::AttemptOutcome::Kind::kSignaled;
      o.signal = signal;
    } else {
      o.kind = core::AttemptOutcome::Kind::kExited;
      o.exit_code = code == 0 ? 1 : code;  // no record of success is not a success
    }
    o.reason = "Slurm job " + slurm_job + " ended " + state + " without the task's exit record (see its Slurm "
               "output file)";
  } else if (state == "CANCELLED" || state == "TIMEOUT" || state == "DEADLINE" || state == "PREEMPTED") {
    o.kind = core::AttemptOutcome::Kind::kSignaled;
    o.signal = signal != 0 ? signal : SIGKILL;
    o.reason = "Slurm job " + slurm_job + " ended " + state;
  } else {  // NODE_FAIL, BOOT_FAIL, REVOKED, SPECIAL_EXIT: the node or Slurm lost it
    o.kind = core::AttemptOutcome::Kind::kLost;
    o.message = "Slurm job " + slurm_job + " ended " + state;
    o.reason = "Slurm job " + slurm_job + " ended " + state;
  }
  return o;
}

}  // namespace nightshift::slurm
