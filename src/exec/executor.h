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

  virtual ~Executor() = default;

  // Where exits are reported. Called once, before anything else.
  virtual void SetExitCallback(ExitCallback callback) = 0;

  // Starts an attempt. The process outlives the server. An error means nothing was started
  // (the caller fails the attempt with the message); a command that cannot be executed is not an
  // error here but an outcome of kind kSpawnFailed reported through the callback.
  [[nodiscard]] virtual Status Launch(const LaunchRequest& request) = 0;

  // SIGTERM to the attempt's whole process group, SIGKILL after grace_ms if still alive.
  // No effect on an attempt that has already exited.
  virtual void Terminate(const AttemptKey& key, int64_t grace_ms) = 0;

  // Re-attaches to an attempt started by an earlier server process (after a restart).
  virtual AdoptResult Adopt(const AttemptKey& key) = 0;

  // Every outcome delivered through the exit callback so far is committed by the caller: the
  // executor may drop its own records of them. Adopt is not called after the first call.
  virtual void OutcomesCommitted() {}

  // The file holding the attempt's timestamped output (see exec/attempt_log.h).
  virtual std::string LogPath(const AttemptKey& key) const = 0;
};

}  // namespace nightshift::exec
