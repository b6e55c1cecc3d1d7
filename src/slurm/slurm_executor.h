// SlurmExecutor: runs the attempts of Slurm compute environments as Slurm jobs. nightshift keeps
// the dependencies and the queue order: an attempt reaches Slurm only when the engine places it,
// so Slurm never holds a job that waits for another (no DependencyNeverSatisfied). Slurm does
// the placement on nodes. Slurm is reached through its client commands or slurmrestd
// (slurm/slurm_client.h); the commands are named below.
//
// Launches made in the same loop turn (or while earlier sbatch calls ran) with the same sbatch
// options are one `sbatch --array` submission (an AWS array job's children, or any independent
// jobs), whose element i runs the
// i-th task of a batch file through nightshift-slurm-task (slurm/task_spec.h has the shared
// files). vCPUs and memory become --cpus-per-task and --mem, the timeout --time (nightshift
// still enforces the exact timeout), TerminateJob scancel.
//
// States are event-driven: the task wrapper writes a start and an exit record into the shared
// directory, which this executor watches with inotify, so a job's exit reaches the engine within
// milliseconds. A reconciliation with `squeue --json` every poll interval is the safety net: it
// keeps each waiting attempt's reason current ("Slurm job 12_3 pending: Resources"), notices an
// element that ended without an exit record (killed, node failure: decoded from Slurm's state and
// raw wait status), and tells when the controller cannot be reached, in which case attempts wait
// with that reason and submissions are retried with backoff; nothing is dropped. An element that
// squeue no longer knows (ended while no server watched, then forgotten after MinJobAge) is looked
// up in Slurm's accounting (sacct -X, or sacct -c without slurmdbd) before it is called lost.
//
// Restarts: Adopt finds an attempt's records, its batch and the batch's Slurm job id; it waits
// for an sbatch that the previous server left running (the batch file's flock); a batch whose
// submission nobody can confirm is looked up in squeue, and resubmitted only when Slurm answers
// that it does not know it. Requeued elements are refused by the wrapper (never run twice).
//
// Thread-safety: not thread-safe; construct, call and destroy on the engine's loop thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "exec/posix_util.h"
#include "slurm/command_runner.h"
#include "slurm/slurm_client.h"
#include "slurm/slurm_text.h"
#include "slurm/task_spec.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::slurm {

struct SlurmExecutorOptions {
  std::string shared_dir;   // slurm/task_spec.h's directory; created on demand
  std::string slurm_conf;   // SLURM_CONF for the client commands; empty: their own default
  std::string bin_dir;      // where sbatch, squeue, scancel, sacct are; empty: PATH
  RestEndpoint rest;        // slurmrestd instead of the client commands, when its url is set
  std::string wrapper;      // nightshift-slurm-task, at a path every node sees
  std::string secrets_dir;  // passed to the wrapper, which reads secrets on the node
  std::chrono::milliseconds poll_interval{5000};
  std::chrono::milliseconds command_time_limit{60'000};
};

class SlurmExecutor final : public exec::Executor {
 public:
  SlurmExecutor(boost::asio::io_context& io, SlurmExecutorOptions options);
  ~SlurmExecutor() override;
  SlurmExecutor(const SlurmExecutor&) = delete;
  SlurmExecutor& operator=(const SlurmExecutor&) = delete;

  // Creates the shared directory's subdirectories and the inotify watch. Errors name the path.
  [[nodiscard]] Status Start();

  void SetExitCallback(ExitCallback callback) override { on_exit_ = std::move(callback); }
  void SetStartCallback(StartCallback callback) override { on_start_ = std::move(callback); }
  bool ReportsStarts() const override { return true; }
  [[nodiscard]] Status Launch(const exec::LaunchRequest& request) override;
  void Terminate(const exec::AttemptKey& key, int64_t grace_ms) override;
  exec::AdoptResult Adopt(const exec::AttemptKey& key) override;
  void MarkOutcomes() override;
  void OutcomesCommitted() override;
  std::string LogPath(const exec::AttemptKey& key) const override;

 private:
  struct Tracked;
  struct Batch;
  struct Watch;

  void FlushLaunches();
  void Submit(const std::string& batch_id);
  void OnSubmitted(const std::string& batch_id, const CommandResult& result);
  void RetrySubmitLater(const std::string& batch_id, const std::string& why);
  void Cancel(const std::string& task, bool kill);
  void WatchStatusDir();
  void OnStatusFile(const std::string& file_name);
  void ReadStartRecord(Tracked& t);
  bool ReadExitRecord(Tracked& t);
  void Deliver(Tracked& t, const core::AttemptOutcome& outcome);
  void Progress(Tracked& t, const std::string& reason);
  void ArmReconcile(std::chrono::milliseconds after);
  void Reconcile();
  void OnSqueue(uint64_t generation, const CommandResult& result);
  // Asks Slurm's accounting how `tasks` ended (slurmdbd, or with `completion_log` its job
  // completion log), then delivers what it knows and fails the rest as lost.
  void AskAccounting(std::vector<std::string> tasks, bool completion_log);
  void OnAccounting(const std::vector<std::string>& tasks, bool completion_log, const CommandResult& result);
  void LoadBatchesForAdoption();
  void ForgetTask(const std::string& task);

  boost::asio::io_context& io_;
  SlurmExecutorOptions options_;
  SharedLayout layout_;
  CommandRunner runner_;
  std::unique_ptr<SlurmClient> client_;  // made by Start
  ExitCallback on_exit_;
  StartCallback on_start_;
  std::unique_ptr<Watch> watch_;
  std::map<std::string, std::unique_ptr<Tracked>> tracked_;  // by task name
  std::map<std::string, std::unique_ptr<Batch>> batches_;    // by batch id
  std::vector<std::string> to_flush_;  // tasks launched this turn, not yet in a batch
  std::vector<std::string> delivered_;  // tasks whose outcome went to the engine
  size_t marked_ = 0;                   // how many of delivered_ the last MarkOutcomes covered
  uint64_t submissions_ = 0;            // sbatch answers so far: orders them against squeue
  int submissions_in_flight_ = 0;
  bool reconcile_running_ = false;
  bool adoption_loaded_ = false;
  std::optional<std::vector<NamedElements>> adoption_squeue_;  // nullopt: squeue failed
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// nightshift-slurm-task beside the running program.
std::string SlurmTaskBesideThisProgram();

}  // namespace nightshift::slurm
