// What nightshift says to Slurm's client commands and reads back from them: the sbatch command
// line of a submission, and parsers of `sbatch --parsable` and `squeue --json` output, with the
// decoding of Slurm's states and exit codes into attempt outcomes.
// Facts relied on (Slurm 22.05): squeue --json reports `exit_code` as the raw wait status (exit 3
// is 768, signal 9 is 9); a pending array is one record with `array_task_string` ("0-5", "0,2,7",
// "0-9:2", "0-99%4") and no task id; finished jobs stay listed for MinJobAge.
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/resources.h"
#include "util/status.h"

namespace nightshift::slurm {

// One sbatch submission: a Slurm array whose element i runs the batch file's task i (a single
// task: a plain job, its element 0).
struct Submission {
  std::string job_name;     // "ns.<batch>"
  int size = 1;             // array elements 0..size-1
  core::SlurmSettings settings;
  core::Resources resources;
  std::optional<int64_t> timeout_seconds;
  std::string output_dir;   // Slurm's own output files go here
  std::string wrapper;      // nightshift-slurm-task (absolute path, the same on every node)
  std::string batch_path;   // the batch file the wrapper reads
};

// The sbatch argv (argv[0] = sbatch_path): --parsable, the job name, --array (size > 1), --output, partition,
// account, qos, --cpus-per-task (vCPUs rounded up), --mem (MiB, when declared), --time (the
// timeout rounded up to minutes, plus one: nightshift enforces the exact timeout itself),
// --no-requeue, the CE's extra args, and --wrap. (Not --export=NONE: it makes Slurm start each job
// about 4x slower; the command runner gives sbatch a small environment instead, and the task
// wrapper builds the job's own.)
std::vector<std::string> SbatchArgv(const std::string& sbatch_path, const Submission& submission);

// The same submission as slurmrestd's `POST /slurm/v0.0.38/job/submit` body: the script that
// execs the wrapper, and the job's properties with `environment` (slurmrestd passes the caller's
// own environment to nothing). InvalidArgument if the compute environment has sbatch arguments,
// which have no generic REST form.
[[nodiscard]] Result<std::string> RestSubmitBody(const Submission& submission,
                                                 const std::map<std::string, std::string>& environment);
// The job id of a slurmrestd submission's answer (errors beside a job id are warnings), or its
// errors (Unavailable, with slurmrestd's text, which IsTransientSlurmError reads as it reads
// sbatch's).
[[nodiscard]] Result<std::string> ParseRestSubmitAnswer(std::string_view body);
// The errors of a slurmrestd answer, joined ("" when it has none).
std::string RestErrors(std::string_view body);

// `sbatch --parsable` prints "<job id>[;<cluster>]". InvalidArgument if it is not that.
[[nodiscard]] Result<std::string> ParseSbatchOutput(std::string_view out);

// True for sbatch/squeue errors that say the controller cannot be reached or is busy: the call
// is worth repeating later. False for errors in the request (bad partition, ...).
bool IsTransientSlurmError(std::string_view message);

// An element of a nightshift submission as squeue reports it.
struct ElementState {
  std::string array_job_id;   // the submission's Slurm job id
  int task = 0;               // array index
  std::string state;          // PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
  std::string reason;         // squeue's state_reason ("Resources", "Priority", "None")
  int raw_exit = 0;           // squeue: raw wait status
};

// Every element of jobs named `<name_prefix>...` in `squeue --json` output, keyed by job name
// (a pending array's record is expanded into its elements). InvalidArgument if it is not JSON of
// that shape; Unavailable if squeue reports errors (it exits 0 with an empty list and an `errors`
// member when the controller cannot be reached: that is no answer, not "no jobs").
struct NamedElements {
  std::string job_name;
  ElementState element;
};
[[nodiscard]] Result<std::vector<NamedElements>> ParseSqueueJson(std::string_view json,
                                                                  std::string_view name_prefix);

// The indexes of an array_task_string: "0-5", "1,3,8", "0-9:2", "0-99%4", combinations.
[[nodiscard]] Result<std::vector<int>> ParseArrayTaskString(std::string_view text);

bool IsTerminalSlurmState(std::string_view state);

// A job as Slurm's accounting reports it, one line of
// `sacct -n -P --format=JobID,JobIDRaw,JobName,State,ExitCode` (kSacctFormat): from slurmdbd, or
// with `-c` from the job completion log (jobcomp/filetxt) of a cluster without slurmdbd.
inline constexpr char kSacctFormat[] = "--format=JobID,JobIDRaw,JobName,State,ExitCode";
struct AccountedJob {
  std::string job_id;    // "41_3" for an array element from slurmdbd; Slurm's raw job id with -c
  std::string raw_id;    // Slurm's own id of the job or element (SLURM_JOB_ID)
  std::string job_name;
  ElementState element;  // state ("CANCELLED by 0" is CANCELLED) and raw_exit from ExitCode "code:signal"
};
// Lines that are not five fields are skipped (sacct -c also warns about fields it cannot read).
std::vector<AccountedJob> ParseSacct(std::string_view text);
// Whether sacct's error says that the cluster keeps no accounting database (then `sacct -c`).
bool IsAccountingDisabled(std::string_view error_text);

// The outcome of an element that ended without the wrapper's exit record (the wrapper was
// killed, could not start, or the node failed), as Slurm reports it. `slurm_job` names the
// element in reasons ("12_3"). Precondition: IsTerminalSlurmState(element.state).
core::AttemptOutcome OutcomeFromSlurm(const ElementState& element, const std::string& slurm_job);

}  // namespace nightshift::slurm
