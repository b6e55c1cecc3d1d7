// The files a Slurm compute environment's attempts share between the server and the task wrapper
// (nightshift-slurm-task) that Slurm runs on a node. They live in one directory, which must be
// on a filesystem that the server's host and every node see at the same path (the shared-filesystem
// assumption of a Slurm cluster's home or project directories):
//
//   tasks/<job id>.<attempt>.task   what the attempt runs (TaskSpec), written by the server
//   batches/<batch>.batch           the tasks of one sbatch submission, one task name per line; the
//                                   Slurm array's element i runs line i. The server holds an flock
//                                   on it while sbatch runs, so a restarted server can wait for a
//                                   submission that was in flight when it died.
//   batches/<batch>.submitted       the Slurm job id of the array, once sbatch answered
//   status/<job id>.<attempt>.start the task has started (StartRecord)
//   status/<job id>.<attempt>.exit  the task has ended (exec/exit_record.h's format)
//   logs/<job id>.<attempt>.log     the attempt's output (exec/attempt_log.h's format)
//   logs/slurm-<array id>_<i>.out   Slurm's own output file (slurm-<job id>.out for a single task):
//                                   only what the wrapper itself prints
//
// The status records are written to a temporary name and renamed, so a reader never sees half a
// record; the server watches status/ with inotify.
//
// TaskSpec encoding: fields "<key>\0<value>\0" in any order, unknown keys ignored; keys: job,
// attempt, arg (repeated, in order), env ("NAME=value", repeated), secret ("NAME=valueFrom",
// repeated), secrets_dir, workdir. Values may hold any byte but NUL.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "util/status.h"

namespace nightshift::slurm {

struct TaskSpec {
  std::string job_id;
  int attempt = 1;
  std::vector<std::string> argv;
  std::vector<core::EnvVar> environment;  // complete but for the secrets
  std::vector<core::SecretRef> secrets;   // read by the task when it starts
  std::string secrets_dir;
  std::string working_dir;  // empty: the state directory's `work`
};

std::string EncodeTaskSpec(const TaskSpec& spec);
// InvalidArgument naming the problem: a field without its NUL, a missing job or argv, a bad
// attempt number, an env or secret entry without '='.
[[nodiscard]] Result<TaskSpec> DecodeTaskSpec(std::string_view data);

// "<job id>.<attempt>": the stem of the attempt's task, status and log files.
std::string TaskName(const std::string& job_id, int attempt);

// The start record: "started_at <epoch ms>\nslurm_job <id>\n".
struct StartRecord {
  TimeMs started_at = 0;
  std::string slurm_job;     // "<array id>_<index>"
  std::string slurm_job_id;  // Slurm's raw id of the element (SLURM_JOB_ID): what `sacct -c` knows
};
std::string FormatStartRecord(const StartRecord& record);
[[nodiscard]] Result<StartRecord> ParseStartRecord(std::string_view text);

// Paths inside the shared directory `dir`.
struct SharedLayout {
  std::string dir;
  std::string TaskPath(const std::string& task) const { return dir + "/tasks/" + task + ".task"; }
  std::string BatchPath(const std::string& batch) const { return dir + "/batches/" + batch + ".batch"; }
  std::string SubmittedPath(const std::string& batch) const {
    return dir + "/batches/" + batch + ".submitted";
  }
  std::string StartPath(const std::string& task) const { return dir + "/status/" + task + ".start"; }
  std::string ExitPath(const std::string& task) const { return dir + "/status/" + task + ".exit"; }
  std::string LogPath(const std::string& task) const { return dir + "/logs/" + task + ".log"; }
  std::string StatusDir() const { return dir + "/status"; }
  std::string WorkDir() const { return dir + "/work"; }
};

}  // namespace nightshift::slurm
