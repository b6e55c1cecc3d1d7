#include "slurm/task_spec.h"

#include <optional>

#include "exec/posix_util.h"
#include "util/text.h"

namespace nightshift::slurm {
namespace {

void Field(std::string& out, std::string_view key, std::string_view value) {
  out.append(key).push_back('\0');
  out.append(value).push_back('\0');
}

// "NAME=value" split at the first '='; nullopt without one or with an empty name.
std::optional<std::pair<std::string, std::string>> SplitAssignment(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

}  // namespace

std::string EncodeTaskSpec(const TaskSpec& spec) {
  std::string out;
  Field(out, "job", spec.job_id);
  Field(out, "attempt", std::to_string(spec.attempt));
  for (const std::string& arg : spec.argv) Field(out, "arg", arg);
  for (const core::EnvVar& var : spec.environment) Field(out, "env", var.name + "=" + var.value);
  for (const core::SecretRef& secret : spec.secrets) Field(out, "secret", secret.name + "=" + secret.value_from);
  Field(out, "secrets_dir", spec.secrets_dir);
  Field(out, "workdir", spec.working_dir);
  return out;
}

Result<TaskSpec> DecodeTaskSpec(std::string_view data) {
  TaskSpec spec;
  spec.attempt = 0;
  while (!data.empty()) {
    size_t key_end = data.find('\0');
    size_t value_end = key_end == std::string_view::npos ? key_end : data.find('\0', key_end + 1);
    if (value_end == std::string_view::npos) return Status::InvalidArgument("task spec: a field is cut short");
    std::string_view key = data.substr(0, key_end);
    std::string_view value = data.substr(key_end + 1, value_end - key_end - 1);
    data.remove_prefix(value_end + 1);
    if (key == "job") {
      spec.job_id = value;
    } else if (key == "attempt") {
      std::optional<int64_t> n = exec::ParseInt64(value);
      if (!n || *n < 1 || *n > 1'000'000) return Status::InvalidArgument("task spec: bad attempt " + std::string(value));
      spec.attempt = static_cast<int>(*n);
    } else if (key == "arg") {
      spec.argv.emplace_back(value);
    } else if (key == "env" || key == "secret") {
      auto pair = SplitAssignment(value);
      if (!pair) return Status::InvalidArgument("task spec: " + std::string(key) + " entry without NAME=");
      if (key == "env") {
        spec.environment.push_back({pair->first, pair->second});
      } else {
        spec.secrets.push_back({pair->first, pair->second});
      }
    } else if (key == "secrets_dir") {
      spec.secrets_dir = value;
    } else if (key == "workdir") {
      spec.working_dir = value;
    }
  }
  if (spec.job_id.empty()) return Status::InvalidArgument("task spec: no job id");
  if (spec.attempt == 0) return Status::InvalidArgument("task spec: no attempt");
  if (spec.argv.empty()) return Status::InvalidArgument("task spec: no command");
  return spec;
}

std::string TaskName(const std::string& job_id, int attempt) { return job_id + "." + std::to_string(attempt); }

std::string FormatStartRecord(const StartRecord& record) {
  std::string text = "started_at " + std::to_string(record.started_at) + "\nslurm_job " + record.slurm_job + "\n";
  if (!record.slurm_job_id.empty()) text += "slurm_job_id " + record.slurm_job_id + "\n";
  return text;
}

Result<StartRecord> ParseStartRecord(std::string_view text) {
  StartRecord record;
  bool have_time = false;
  while (!text.empty()) {
    const std::string_view line = TakeLine(text);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "started_at") {
      std::optional<int64_t> ms = exec::ParseInt64(value);
      if (!ms) return Status::InvalidArgument("start record: bad started_at " + std::string(value));
      record.started_at = *ms;
      have_time = true;
    } else if (key == "slurm_job") {
      record.slurm_job = value;
    } else if (key == "slurm_job_id") {
      record.slurm_job_id = value;
    }
  }
  if (!have_time) return Status::InvalidArgument("start record: no started_at");
  return record;
}

}  // namespace nightshift::slurm
