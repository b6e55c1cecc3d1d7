// Executor: starts, signals and observes the attempts of jobs. The core never knows which
// executor runs a job; the engine talks to executors only through this interface.
//
// Thread-safety: every method, and every callback, runs on the engine's loop thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/resources.h"
#include "util/status.h"

namespace nightshift::exec {

struct AttemptKey {
  std::string job_id;
  int attempt = 1;  // 1-based, AWS_BATCH_JOB_ATTEMPT
  bool operator==(const AttemptKey&) const = default;
};

// A container attempt: the job's command runs in this image under podman (exec/podman_command.h).
struct ContainerRequest {
  std::string image;
  core::ContainerSettings settings;
  std::string user;          // --user in the container; empty: the image's
  core::Resources resources;  // --cpus; memory enforced by the attempt's cgroup
};

struct LaunchRequest {
  AttemptKey key;
  std::vector<std::string> argv;
  std::vector<core::EnvVar> environment;  // added to a minimal base environment (PATH, HOME, ...)
  std::string working_dir;                // empty: the attempt's own directory
  std::string run_as;                     // unix user name or uid; empty: the server's own user
  std::vector<core::SecretRef> secrets;   // read when the attempt starts, added to environment
  // For executors that hand jobs to a batch system, which reserves and limits them itself.
  core::Resources resources;
  std::optional<int64_t> timeout_seconds;
  core::SlurmSettings slurm;  // the compute environment's, for a Slurm executor
  // Set: argv runs in a container; working_dir and run_as are then unused (the container's own
  // working directory and user come from `container`).
  std::optional<ContainerRequest> container;
};

// What Adopt found for an attempt the previous server process had started.
enum class AdoptResult {
  kRunning,       // still running; its exit will be reported through the exit callback
  kExited,        // it finished while no server watched (or was lost: outcome kind kLost); the
                  // outcome is posted to the exit callback, which runs after Adopt returns
  kNeverStarted,  // no process was ever started for it: safe to start it now
};

class Executor {
 public:
  using ExitCallback = std::function<void(const AttemptKey&, const core::AttemptOutcome&)>;
  // For executors whose attempts wait before they start (ReportsStarts()): `started_at` set means
  // the attempt has started; unset, `reason` says why it waits ("Slurm job 12 pending: Priority").
  struct StartProgress {
    std::optional<TimeMs> started_at;
    std::string reason;
  };
  using StartCallback = std::function<void(const AttemptKey&, const StartProgress&)>;

  virtual ~Executor() = default;

  // Where exits are reported. Called once, before anything else.
  virtual void SetExitCallback(ExitCallback callback) = 0;

  // Where an executor that ReportsStarts() reports them. Called once, before anything else.
  virtual void SetStartCallback(StartCallback callback) { (void)callback; }
  // False: an attempt has started when Launch returns. True: it starts later, which the executor
  // reports through the start callback (or it ends first, through the exit callback).
  virtual bool ReportsStarts() const { return false; }

  // True: Launch records the attempt where a later server process finds it (before it starts
  // anything), and a Launch of an attempt that UnclaimedLaunches() named and Hold() kept
  // re-attaches to it instead of starting it again. The caller may then launch an attempt before
  // its STARTING is committed: after a crash, the attempt is claimed, not started twice.
  virtual bool RecordsLaunches() const { return false; }
  // After a restart, before the first Launch (for an executor that RecordsLaunches()): the
  // attempts earlier server processes launched that Adopt was not asked about. Each is given to
  // Hold or Disown.
  virtual std::vector<AttemptKey> UnclaimedLaunches() { return {}; }
  // Keeps an unclaimed attempt for a Launch of the same attempt, until that Launch or Disown.
  virtual void Hold(const AttemptKey& key) { (void)key; }
  // Gives up an unclaimed attempt that will not be launched: terminates it if it still runs; its
  // outcome is never reported.
  virtual void Disown(const AttemptKey& key) { (void)key; }

  // Starts an attempt. The process outlives the server. An error means nothing was started
  // (the caller fails the attempt with the message); a command that cannot be executed is not an
  // error here but an outcome of kind kSpawnFailed reported through the callback.
  [[nodiscard]] virtual Status Launch(const LaunchRequest& request) = 0;

  // SIGTERM to the attempt's whole process group, SIGKILL after grace_ms if still alive.
  // No effect on an attempt that has already exited.
  virtual void Terminate(const AttemptKey& key, int64_t grace_ms) = 0;

  // Re-attaches to an attempt started by an earlier server process (after a restart).
  virtual AdoptResult Adopt(const AttemptKey& key) = 0;

  // Two steps, as the caller commits on another thread while outcomes keep coming:
  // MarkOutcomes() when the caller hands a batch holding every outcome delivered through the exit
  // callback so far to its store; OutcomesCommitted() once that batch is committed: the executor
  // may then drop its own records of the outcomes delivered before the last mark (not those
  // delivered since). Adopt is not called after the first OutcomesCommitted().
  virtual void MarkOutcomes() {}
  virtual void OutcomesCommitted() {}

  // The file holding the attempt's timestamped output (see exec/attempt_log.h).
  virtual std::string LogPath(const AttemptKey& key) const = 0;
};

}  // namespace nightshift::exec
