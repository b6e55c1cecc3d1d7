// LocalExecutor: runs attempts as processes on this host. Every attempt runs under
// nightshift-supervisor (exec/supervisor.h), one resident process per server process, started in
// its own session on the first Launch, which outlives the server: a restart or kill -9 of the
// server neither kills a job nor loses its output or exit status, and the next server process
// re-attaches with Adopt().
//
// The server creates the attempt dir and its `state` file (exec/attempt_dir.h), locks the file and
// hands it, open, to the supervisor with the launch (exec/supervisor_protocol.h); the supervisor
// keeps it locked until the attempt is over and reports the outcome on its socket. "Lock held"
// therefore means "a supervisor runs the attempt", whichever server started it.
//
// Exits are observed without polling: the supervisor's `ended` messages for our own attempts;
// for adopted ones (run by the supervisor of an earlier server process), an inotify watch for the
// close of their `state` file, which that supervisor unlocks and closes when the attempt is over;
// and the supervisor's pidfd for its death, after which its attempts are concluded from their
// files (kLost if no outcome was recorded). The exit callback always runs from the io_context
// (posted or as an async completion), never from inside Launch/Adopt/Terminate, so the engine may
// call any method from it.
//
// The job's environment is a minimal base plus LaunchRequest::environment (which wins on equal
// names) plus its secrets (which win over both, exec/secret_reader.h): PATH=/usr/local/sbin:
// /usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; HOME (the server's, else "/"); USER, LOGNAME,
// LANG, LC_ALL, TZ, TMPDIR when the server has them; AWS_BATCH_JOB_ID=<job_id> and
// AWS_BATCH_JOB_ATTEMPT=<attempt>. Nothing else of the server's environment (no credentials)
// reaches jobs.
//
// LaunchRequest::run_as names the job's user: HOME, USER and LOGNAME are then that user's. When
// it is not the server's own user (which must then be root), the attempt dir is made 0700 and the
// job runs in its subdirectory `work`, owned by the user (unless it has a working dir of its
// own); its output is still written by the supervisor, so the job cannot alter its log or state.
//
// Thread-safety: not thread-safe. Construct, call, and destroy it on the thread running the
// io_context (the engine's loop). Destroy it before the io_context. Destruction stops watching but
// never kills the supervisor or jobs: they keep running and a new executor can Adopt them.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/attempt_dir.h"
#include "exec/credentials.h"
#include "exec/executor.h"
#include "exec/posix_util.h"
#include "exec/supervisor_protocol.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace nightshift::exec {

class LocalExecutor final : public Executor {
 public:
  // Grace the supervisor applies when it is itself sent SIGTERM (e.g. by an admin's `kill`), to
  // every attempt; Terminate always passes its own grace.
  static constexpr int64_t kDefaultGraceMs = 30'000;

  // attempts_root: directory for attempt dirs (e.g. <data>/jobs), created on demand; made absolute.
  // supervisor_path: the nightshift-supervisor binary. io must outlive the executor.
  LocalExecutor(boost::asio::io_context& io, const std::string& attempts_root,
                std::string supervisor_path);
  ~LocalExecutor() override;
  LocalExecutor(const LocalExecutor&) = delete;
  LocalExecutor& operator=(const LocalExecutor&) = delete;

  void SetExitCallback(ExitCallback callback) override;

  // Creates the attempt dir and its state file, locks it and hands it with the launch to the
  // supervisor (started first if need be). Errors, nothing started: InvalidArgument (empty argv,
  // bad job id, bad environment name, command and environment over kMaxMessageBytes, an unknown
  // run_as user or one the server cannot switch to, a secret that cannot be read), Conflict
  // (this attempt is running, or has already run: its state file has a `job` line or an exit
  // record), Unavailable/Internal (cannot create files or start the supervisor). A dir left by a
  // Launch that never got as far as starting the job is reused.
  [[nodiscard]] Status Launch(const LaunchRequest& request) override;

  // Asks the supervisor to SIGTERM the job's process group and SIGKILL it after grace_ms. For an
  // attempt no supervisor of ours runs (adopted, or not ours) whose job's group still exists,
  // signals the group directly (SIGTERM, then SIGKILL after grace_ms).
  void Terminate(const AttemptKey& key, int64_t grace_ms) override;

  // kRunning: a supervisor holds the lock; the attempt is watched from now on and its exit
  //   reported.
  // kExited: the lock is free and the state file has a complete exit record; or the lock is free,
  //   the job was started (`job` line) but its supervisor died without a record: then whatever is
  //   left of the job's process group is killed and a record of kind kLost is appended (so
  //   adopting again gives the same answer). Either way the outcome is posted to the exit callback.
  //   (Also kLost: a state file that cannot be read or watched.)
  // kNeverStarted: the lock is free and no job process was ever started (no `job` line, no
  //   record; or no state file); the attempt dir is removed and the engine may Launch the attempt
  //   again. Also returned for a job id that cannot be a dir name.
  AdoptResult Adopt(const AttemptKey& key) override;

  // The attempt's `log` (exec/attempt_dir.h); empty for a job id that cannot be a dir name.
  std::string LogPath(const AttemptKey& key) const override;

  // Where secrets' files are (core/job_identity.h); without one, a job with secrets fails.
  void SetSecretsDir(std::string dir) { secrets_dir_ = std::move(dir); }

  // The pid of the running supervisor, if one was started (for tests and diagnostics).
  std::optional<pid_t> supervisor_pid() const;

 private:
  struct Watch;
  struct Link;
  struct Inotify;

  [[nodiscard]] Result<std::vector<std::string>> BuildEnvironment(const LaunchRequest& request,
                                                                  const std::optional<UserAccount>& account) const;
  [[nodiscard]] Result<bool> MakeAttemptDir(const AttemptDir& dir) const;
  [[nodiscard]] Result<UniqueFd> PrepareAttemptDir(const AttemptDir& dir) const;
  // Supervisor link.
  [[nodiscard]] Status StartSupervisor();
  [[nodiscard]] Status Send(std::string packet, UniqueFd fd);
  void FlushOutgoing(const std::shared_ptr<Link>& link);
  void WaitWritable(const std::shared_ptr<Link>& link);
  void WaitReadable(const std::shared_ptr<Link>& link);
  void ReadMessages(const std::shared_ptr<Link>& link, bool post);
  void OnEnded(const std::string& packet, bool post);
  void OnSupervisorDied(const std::shared_ptr<Link>& link);
  // Adopted attempts.
  AdoptResult WatchAdopted(const AttemptKey& key, const AttemptDir& dir, UniqueFd state);
  [[nodiscard]] Status EnsureInotify();
  void WaitInotify();
  void ReadInotify();
  void RecheckAdopted();
  bool ConcludeIfUnlocked(const std::string& dir);
  AdoptResult AdoptStopped(const AttemptKey& key, const AttemptDir& dir, int state_fd);
  void PostOutcome(const AttemptKey& key, core::AttemptOutcome outcome);
  void Report(const AttemptKey& key, const core::AttemptOutcome& outcome);
  void TerminateOrphan(const AttemptDir& dir, int64_t grace_ms);

  boost::asio::io_context& io_;
  std::string root_;
  std::string supervisor_path_;
  std::vector<core::EnvVar> base_env_;
  std::string secrets_dir_;
  UniqueFd dev_null_;  // the supervisor's fds 0-2
  ExitCallback callback_;
  std::shared_ptr<Link> link_;                 // the current supervisor, if any
  std::map<std::string, Watch> watches_;       // by attempt dir: every attempt we wait for
  std::map<int, std::string> adopted_by_wd_;   // inotify watch -> attempt dir
  std::unique_ptr<Inotify> inotify_;         // created on the first adopted attempt
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers outliving us check it
};

// nightshift-supervisor in the directory of the running program (where the build and the
// install put it), else the bare name (looked up in PATH).
std::string SupervisorBesideThisProgram();

}  // namespace nightshift::exec
