// LocalExecutor: runs attempts as processes on this host. Each attempt runs under its own
// nightshift-shim (exec/shim.h), started in its own session, which outlives the server: a restart
// or kill -9 of the server neither kills the job nor loses its output or exit status, and the next
// server process re-attaches with Adopt(). The shim and the server share nothing but the attempt
// directory (exec/attempt_dir.h) and its `state` file, which the server creates and locks before
// spawning the shim, and which the shim keeps locked and appends its progress to
// (exec/attempt_state.h). The server reads the outcome in it only once the shim is known dead (its
// pidfd fired) or once it holds the lock itself (Adopt), when the content is complete.
//
// Exits are observed without polling: a pidfd per shim, waited on by the io_context. The exit
// callback always runs from the io_context (posted or as an async completion), never from inside
// Launch/Adopt/Terminate, so the engine may call any method from it.
//
// The job's environment is a minimal base plus LaunchRequest::environment (which wins on equal
// names): PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; HOME (the server's,
// else "/"); USER, LOGNAME, LANG, LC_ALL, TZ, TMPDIR when the server has them;
// AWS_BATCH_JOB_ID=<job_id> and AWS_BATCH_JOB_ATTEMPT=<attempt>. Nothing else of the server's
// environment (no credentials) reaches jobs.
//
// Thread-safety: not thread-safe. Construct, call, and destroy it on the thread running the
// io_context (the engine's loop). Destroy it before the io_context. Destruction stops watching but
// never kills shims or jobs: they keep running and a new executor can Adopt them.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/attempt_dir.h"
#include "exec/executor.h"
#include "exec/posix_util.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace nightshift::exec {

class LocalExecutor final : public Executor {
 public:
  // Grace the shim applies to a plain SIGTERM that does not come from Terminate (e.g. an admin's
  // `kill`); Terminate always passes its own grace.
  static constexpr int64_t kDefaultGraceMs = 30'000;

  // attempts_root: directory for attempt dirs (e.g. <data>/jobs), created on demand; made absolute.
  // shim_path: the nightshift-shim binary. io must outlive the executor.
  LocalExecutor(boost::asio::io_context& io, const std::string& attempts_root,
                std::string shim_path);
  ~LocalExecutor() override;
  LocalExecutor(const LocalExecutor&) = delete;
  LocalExecutor& operator=(const LocalExecutor&) = delete;

  void SetExitCallback(ExitCallback callback) override;

  // Creates the attempt dir and its state file, locks it, spawns the shim (which starts the job)
  // and watches it. Errors, nothing started: InvalidArgument (empty argv, bad job id, bad
  // environment name), Conflict (this attempt is running, or has already run: its state file has a
  // `job` line or an exit record), Unavailable/Internal (cannot create files, spawn the shim or
  // open a pidfd). A dir left by a Launch that never got as far as starting the job is reused.
  [[nodiscard]] Status Launch(const LaunchRequest& request) override;

  // Sends SIGTERM with grace_ms (sigqueue value) to the shim, which forwards it to the job's group
  // and SIGKILLs the group after the grace. If no shim watches the attempt any more but its job's
  // group still exists, signals the group directly (SIGTERM, then SIGKILL after grace_ms).
  void Terminate(const AttemptKey& key, int64_t grace_ms) override;

  // kRunning: a live shim holds the lock; it is watched from now on and its exit reported.
  // kExited: the lock is free and the state file has a complete exit record; or the lock is free,
  //   the job was started (`job` line) but the shim died without a record: then whatever is left
  //   of the job's process group is killed and a record of kind kLost is appended (so adopting
  //   again gives the same answer). Either way the outcome is posted to the exit callback.
  //   (Also kLost: a state file that cannot be read, or a shim that holds the lock but has not
  //   written its pid within 2 s.)
  // kNeverStarted: the lock is free and no job process was ever started (no `job` line, no
  //   record; or no state file); the attempt dir is removed and the engine may Launch the attempt
  //   again. Also returned for a job id that cannot be a dir name.
  AdoptResult Adopt(const AttemptKey& key) override;

  // The attempt's `log` (exec/attempt_dir.h); empty for a job id that cannot be a dir name.
  std::string LogPath(const AttemptKey& key) const override;

 private:
  struct Watch;

  [[nodiscard]] Result<std::vector<std::string>> BuildEnvironment(
      const LaunchRequest& request) const;
  [[nodiscard]] Result<bool> MakeAttemptDir(const AttemptDir& dir) const;
  [[nodiscard]] Result<UniqueFd> PrepareAttemptDir(const AttemptDir& dir) const;
  [[nodiscard]] Result<pid_t> SpawnShim(const AttemptDir& dir, const LaunchRequest& request,
                                        const std::vector<std::string>& env, int state_fd) const;
  [[nodiscard]] Status StartWatching(const AttemptKey& key, const AttemptDir& dir, pid_t shim_pid);
  void WatchShim(const AttemptKey& key, const AttemptDir& dir, pid_t shim_pid, int pidfd);
  void WaitForExit(std::shared_ptr<Watch> watch);
  void OnShimExited(const std::shared_ptr<Watch>& watch);
  AdoptResult AdoptLive(const AttemptKey& key, const AttemptDir& dir, int state_fd);
  AdoptResult AdoptStopped(const AttemptKey& key, const AttemptDir& dir, int state_fd);
  void PostOutcome(const AttemptKey& key, core::AttemptOutcome outcome);
  void TerminateOrphan(const AttemptDir& dir, int64_t grace_ms);

  boost::asio::io_context& io_;
  std::string root_;
  std::string shim_path_;
  std::vector<core::EnvVar> base_env_;
  UniqueFd dev_null_;  // the shim's fds 0-2, so that spawning it opens nothing; may be invalid
  ExitCallback callback_;
  std::map<std::string, std::shared_ptr<Watch>> watches_;       // by attempt dir
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers outliving us check it
};

}  // namespace nightshift::exec
