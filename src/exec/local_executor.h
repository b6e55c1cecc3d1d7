// LocalExecutor: runs attempts as processes on this host. Every attempt runs under
// nightshift-supervisor (exec/supervisor.h), one resident process per server process, started in
// its own session on the first Launch, which outlives the server: a restart or kill -9 of the
// server neither kills a job nor loses its output or exit status, and the next server process
// re-attaches with Adopt().
//
// Launching an attempt creates no file on the server's side: the launch message names the attempt
// (exec/supervisor_protocol.h) and the supervisor records it in its journal (exec/journal.h,
// exec/local_layout.h) before it starts the job, then the job's pid and its outcome. The journal's
// flock, held by the supervisor for its whole life, tells whether its supervisor still runs.
//
// Exits are observed without polling: the supervisor's `ended` messages for our own attempts; for
// adopted ones (run by the supervisor of an earlier server process), an inotify watch on that
// supervisor's journal, to which it appends the outcome and which it closes (dropping its lock)
// when it exits; and our supervisor's pidfd for its death, after which its attempts are concluded
// from its journal (kLost if no outcome was recorded). The exit callback always runs from the
// io_context (posted or as an async completion), never from inside Launch/Adopt/Terminate, so the
// engine may call any method from it.
//
// The job's environment is a minimal base plus LaunchRequest::environment (which wins on equal
// names) plus its secrets (which win over both, exec/secret_reader.h): PATH=/usr/local/sbin:
// /usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; HOME (the server's, else "/"); USER, LOGNAME,
// LANG, LC_ALL, TZ, TMPDIR when the server has them; AWS_BATCH_JOB_ID=<job_id> and
// AWS_BATCH_JOB_ATTEMPT=<attempt>. Nothing else of the server's environment (no credentials)
// reaches jobs.
//
// A job without a working dir of its own starts in the shared `work` dir under the root. When
// LaunchRequest::run_as names another user than the server's (which must then be root), HOME,
// USER and LOGNAME are that user's and the job starts instead in a dir of its own, owned by the
// user, which the supervisor creates inside a 0700 dir; its output is still written by the
// supervisor, so the job cannot alter its log or the journal.
//
// Upgrades: attempts started by a version with a directory per attempt (`state` and `log`) are
// adopted read-only: their recorded outcome is reported and their logs are found; one still
// running under an old supervisor is reported kLost (so upgrade with no local job running).
//
// Thread-safety: not thread-safe. Construct, call, and destroy it on the thread running the
// io_context (the engine's loop). Destroy it before the io_context. Destruction stops watching but
// never kills the supervisor or jobs: they keep running and a new executor can Adopt them.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/credentials.h"
#include "exec/executor.h"
#include "exec/podman_command.h"
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
  // How long Adopt waits for a supervisor of an earlier server to record that it has read every
  // launch of that server (`detached`), before it could say that an attempt was never started.
  static constexpr int64_t kDetachWaitMs = 10'000;

  // attempts_root: the root of exec/local_layout.h (e.g. <data>/jobs), created on demand; made
  // absolute. supervisor_path: the nightshift-supervisor binary. io must outlive the executor.
  LocalExecutor(boost::asio::io_context& io, const std::string& attempts_root,
                std::string supervisor_path);
  ~LocalExecutor() override;
  LocalExecutor(const LocalExecutor&) = delete;
  LocalExecutor& operator=(const LocalExecutor&) = delete;

  void SetExitCallback(ExitCallback callback) override;

  // Hands the attempt to the supervisor (started first if need be, which costs one round trip).
  // A held attempt (Hold) is instead re-attached, as Adopt does: Ok, and its exit is reported
  // through the callback (at once if it has ended).
  // Errors, nothing started: InvalidArgument (empty argv, bad job id, bad environment name,
  // command and environment over kMaxMessageBytes, an unknown run_as user or one the server
  // cannot switch to, a secret that cannot be read), Conflict (this attempt is running, or a
  // journal shows it has already run and it is not held), Unavailable/Internal (cannot start the
  // supervisor).
  [[nodiscard]] Status Launch(const LaunchRequest& request) override;

  // Every launch is in the supervisor's journal before the job starts.
  bool RecordsLaunches() const override { return true; }
  // The attempts in journals of earlier supervisors that Adopt did not claim. The first call
  // reads every journal (as Adopt does) and waits for their supervisors to have read every launch
  // (kDetachWaitMs at most each).
  std::vector<AttemptKey> UnclaimedLaunches() override;
  // A held attempt's journal is kept until the attempt is launched (re-attached) or disowned.
  void Hold(const AttemptKey& key) override;
  // Signals a disowned attempt's process group if it still runs (SIGTERM, then SIGKILL after
  // kDefaultGraceMs).
  void Disown(const AttemptKey& key) override;

  // Asks the supervisor to SIGTERM the job's process group and SIGKILL it after grace_ms. For an
  // adopted attempt whose job's group still exists, signals the group directly (SIGTERM, then
  // SIGKILL after grace_ms).
  void Terminate(const AttemptKey& key, int64_t grace_ms) override;

  // The first call reads every journal under the root. Then:
  // kRunning: the attempt is in the journal of a supervisor that still runs, without an outcome;
  //   the journal is watched from now on and the attempt's exit reported.
  // kExited: a journal has its outcome; or its supervisor died without one: then whatever is left
  //   of the job's process group is killed and a record of kind kLost is appended to that journal
  //   (so adopting again gives the same answer). Either way the outcome is posted to the exit
  //   callback. Also kLost: a supervisor of an earlier server that has not recorded `detached`
  //   within kDetachWaitMs (nobody can tell whether it will still start the attempt).
  // kNeverStarted: no journal names the attempt (nor does the previous layout show a started
  //   job): the engine may Launch it again. Also for a job id that cannot be a name.
  AdoptResult Adopt(const AttemptKey& key) override;

  // Notes which outcomes have been reported so far, for OutcomesCommitted.
  void MarkOutcomes() override;
  // Deletes the journals of supervisors that are gone once every attempt adopted from them has
  // been reported before the mark, and lets our supervisor delete its records of the outcomes
  // reported before the mark.
  void OutcomesCommitted() override;

  // The attempt's log (exec/local_layout.h), or the previous layout's if only that exists; empty
  // for a job id that cannot be a name.
  std::string LogPath(const AttemptKey& key) const override;

  // Where secrets' files are (core/job_identity.h); without one, a job with secrets fails.
  void SetSecretsDir(std::string dir) { secrets_dir_ = std::move(dir); }
  // How container attempts run (exec/podman_command.h). The default: `podman` from PATH, its
  // default runtime, pull policy missing, ulimits nofile and nproc at this process's hard limits,
  // and the attempt's own memory cgroup when this process is root on a cgroups v1 host.
  void SetPodmanSettings(PodmanSettings settings) { podman_ = std::move(settings); }
  const PodmanSettings& podman_settings() const { return podman_; }
  // Records per journal segment of supervisors started from now on (tests use small ones).
  void SetJournalRotation(uint64_t records) { rotate_records_ = records; }

  // The pid of the running supervisor, if one was started (for tests and diagnostics).
  std::optional<pid_t> supervisor_pid() const;

 private:
  struct Watch;
  struct Link;
  struct Journal;
  struct Inotify;

  [[nodiscard]] Result<LaunchMessage> BuildHostLaunch(const LaunchRequest& request, const std::string& name) const;
  [[nodiscard]] Result<LaunchMessage> BuildContainerLaunch(const LaunchRequest& request, const std::string& name) const;
  [[nodiscard]] Result<std::vector<std::string>> BuildEnvironment(const LaunchRequest& request,
                                                                  const std::optional<UserAccount>& account) const;
  // Supervisor link.
  [[nodiscard]] Status StartSupervisor();
  // Sends encode(the receiving supervisor's committed seq), starting a supervisor if none runs.
  [[nodiscard]] Status Send(const std::function<std::string(uint64_t)>& encode);
  void FlushOutgoing(const std::shared_ptr<Link>& link);
  void WaitWritable(const std::shared_ptr<Link>& link);
  void WaitReadable(const std::shared_ptr<Link>& link);
  void ReadMessages(const std::shared_ptr<Link>& link, bool post);
  void OnMessage(Link& link, const std::string& packet, bool post);
  void OnSupervisorDied(const std::shared_ptr<Link>& link);
  // Journals.
  void EnsureScanned();
  Journal* LoadJournal(const std::string& supervisor);
  Journal* FindJournalOf(const std::string& name);
  bool WaitUntilDetached(Journal& journal);
  AdoptResult AdoptFromJournal(const AttemptKey& key, const std::string& name, Journal& journal);
  AdoptResult AdoptLegacy(const AttemptKey& key, const std::string& name);
  core::AttemptOutcome Conclude(Journal& journal, const std::string& name, std::string why_lost);
  [[nodiscard]] Status WatchJournal(Journal& journal);
  [[nodiscard]] Status EnsureInotify();
  void WaitInotify();
  void ReadInotify();
  bool CollectAdopted(Journal& journal);
  void RecheckJournals();
  void PostOutcome(const AttemptKey& key, core::AttemptOutcome outcome);
  void Report(const AttemptKey& key, const core::AttemptOutcome& outcome);
  void TerminateOrphan(const std::string& name, int64_t grace_ms);
  void RemoveOrphanContainers();
  void RemoveContainer(const std::string& container_name);

  boost::asio::io_context& io_;
  std::string root_;
  std::string supervisor_path_;
  uint64_t rotate_records_ = 0;  // 0: the supervisor's default
  std::vector<core::EnvVar> base_env_;
  std::string secrets_dir_;
  std::string cgroup_root_ = "/sys/fs/cgroup";  // before podman_, whose default reads it
  PodmanSettings podman_;
  UniqueFd dev_null_;  // the supervisor's fds 0-2
  ExitCallback callback_;
  std::shared_ptr<Link> link_;                 // the current supervisor, if any
  std::map<std::string, Watch> watches_;       // by attempt name: every attempt we wait for
  bool scanned_ = false;
  std::map<std::string, std::unique_ptr<Journal>> journals_;  // of supervisors not (any more) ours
  std::map<std::string, Journal*> adopted_from_;  // attempt name -> its journal, until reported
  std::map<int, Journal*> journal_by_wd_;      // inotify watch -> journal
  std::unique_ptr<Inotify> inotify_;           // created on the first watched journal
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers outliving us check it
  uint64_t reports_ = 0;  // outcomes reported (Report) so far
  // At the last MarkOutcomes: the supervisor then, its reported_seq, and reports_.
  std::weak_ptr<Link> marked_link_;
  uint64_t marked_seq_ = 0;
  uint64_t marked_reports_ = 0;
};

// nightshift-supervisor in the directory of the running program (where the build and the
// install put it), else the bare name (looked up in PATH).
std::string SupervisorBesideThisProgram();

}  // namespace nightshift::exec
