// The job model: what a submitted job is, what it runs and what happened to it.
// Plain value types shared by core (decisions), store (persistence) and api (wire shapes).
// Thread-safety: plain values; the engine's loop owns the live instances.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/job_state.h"
#include "util/clock.h"

namespace nightshift::core {

struct Resources {
  double vcpus = 1;        // AWS VCPU requirement; may be fractional
  int64_t memory_mib = 0;  // 0 = not declared, not accounted
};

enum class RetryAction { kRetry, kExit };

// One AWS evaluateOnExit entry. Empty pattern = condition not given. Patterns match the whole
// string, except that a trailing '*' matches any suffix.
struct RetryRule {
  RetryAction action = RetryAction::kRetry;
  std::string on_status_reason;
  std::string on_reason;
  std::string on_exit_code;
};

// A nightshift extension (pipelines' retry.backoff): the wait before attempt n+1 after attempt n
// failed is delay * factor^(n-1), at most max_delay (0: unbounded); with jitter, a deterministic
// point in [half that, all of it] chosen by the job and attempt, so retries of many jobs spread.
struct RetryBackoff {
  int64_t delay_ms = 0;
  double factor = 2.0;
  int64_t max_delay_ms = 0;
  bool jitter = false;
  bool operator==(const RetryBackoff&) const = default;
};

struct RetryStrategy {
  int attempts = 1;  // total attempts allowed, 1..10
  std::vector<RetryRule> evaluate_on_exit;
  std::optional<RetryBackoff> backoff;  // none: a retry is runnable at once, as on AWS
};

struct EnvVar {
  std::string name;
  std::string value;
};

// An environment variable whose value is read from a file on the server's host when an attempt
// starts (AWS's containerProperties.secrets). Only the reference is stored and shown, never the
// value. See core/job_identity.h for the forms valueFrom may take.
struct SecretRef {
  std::string name;
  std::string value_from;
  bool operator==(const SecretRef&) const = default;
};

// A host directory made visible to containers (AWS volumes[].host.sourcePath).
struct Volume {
  std::string name;
  std::string source_path;  // absolute path on the host
  bool operator==(const Volume&) const = default;
};

// Where a volume appears in the container (AWS mountPoints[]).
struct MountPoint {
  std::string source_volume;   // a Volume's name
  std::string container_path;  // absolute path in the container
  bool read_only = false;
  bool operator==(const MountPoint&) const = default;
};

// A resource limit in the container (AWS ulimits[]: name as in `ulimit`, e.g. "nofile").
struct Ulimit {
  std::string name;
  int64_t soft_limit = 0;
  int64_t hard_limit = 0;
  bool operator==(const Ulimit&) const = default;
};

// What a container job asks of its container beyond command, environment and resources (AWS
// containerProperties). Only meaningful when JobSpec::image is set.
struct ContainerSettings {
  std::vector<Volume> volumes;
  std::vector<MountPoint> mount_points;
  std::vector<Ulimit> ulimits;
  bool readonly_root_filesystem = false;
  bool privileged = false;
  bool network = false;        // networkConfiguration.assignPublicIp ENABLED: podman's default network
  std::string working_dir;     // workingDirectory (a nightshift extension): path in the container
  bool operator==(const ContainerSettings&) const = default;
};

// What each attempt of a job runs: the job definition merged with the submission's overrides and
// with Ref:: parameters substituted. Immutable once the job is submitted; array children share it.
struct JobSpec {
  std::vector<std::string> command;  // argv; no shell unless argv[0] is one
  std::vector<EnvVar> environment;
  std::vector<SecretRef> secrets;
  Resources resources;
  std::optional<int64_t> timeout_seconds;  // attemptDurationSeconds
  RetryStrategy retry;
  std::string image;  // empty: a host process; else a container image run in podman
  ContainerSettings container;  // with image only
  std::string working_dir;  // empty: the attempt's own directory (pipeline steps: the file's)
  std::string user;  // containerProperties.user: unix user name or uid; empty: not chosen
};

enum class DependencyType { kStandard, kNToN, kSequential };

// Slurm's dependency kinds per edge; AWS's dependsOn is kAfterOk.
enum class DependencyCondition { kAfterOk, kAfterAny, kAfterNotOk, kAfterCorr };

struct Dependency {
  std::string job_id;  // empty only for an array's SEQUENTIAL self-dependency
  DependencyType type = DependencyType::kStandard;
  DependencyCondition condition = DependencyCondition::kAfterOk;
};

// One execution of a job.
struct Attempt {
  TimeMs started_at = 0;
  TimeMs stopped_at = 0;
  std::optional<int> exit_code;
  std::string reason;         // container.reason: "Terminated by signal 9", "OutOfMemoryError: ..."
  std::string status_reason;  // the attempt's statusReason
  std::string log_stream_name;
};

// How an attempt ended, as observed by an executor. A failed job is data, not an error.
struct AttemptOutcome {
  enum class Kind {
    kExited,       // the process exited; exit_code is set
    kSignaled,     // the process was killed by signal
    kSpawnFailed,  // the command could not be started (not found, not executable, ...)
    kLost,         // the supervisor vanished and the outcome is unknowable
  };
  Kind kind = Kind::kExited;
  int exit_code = 0;
  int signal = 0;
  std::string message;  // executor detail, e.g. "exec ./x: No such file or directory"
  // The attempt's container reason when the executor knows it (e.g. AWS's "OutOfMemoryError:
  // Container killed due to memory usage", "CannotPullContainerError: ..."); empty: derived from kind.
  std::string reason;
  TimeMs started_at = 0;
  TimeMs stopped_at = 0;
};

// Count of an array parent's children in each state, indexed by JobState.
using StatusSummary = std::array<int, 7>;

struct Job {
  std::string id;    // UUID; array children are "<parent id>:<index>"
  std::string name;
  std::string queue;       // job queue name
  std::string definition;  // "name:revision"
  std::shared_ptr<const JobSpec> spec;
  std::vector<Dependency> depends_on;

  int array_size = 0;              // > 0: this is an array parent
  std::optional<int> array_index;  // set: this is an array child
  std::string parent_id;           // array child: its parent's id
  StatusSummary array_summary{};   // array parent: its children per state

  JobState state = JobState::kSubmitted;
  std::string status_reason;
  TimeMs created_at = 0;
  TimeMs started_at = 0;  // first attempt's start
  TimeMs stopped_at = 0;
  std::vector<Attempt> attempts;
  std::string compute_environment;  // where the current (or last) attempt was placed
  bool is_cancelled = false;
  bool is_terminated = false;
  TimeMs not_before = 0;  // retry backoff: not dispatched before this time

  std::string share_identifier;
  int scheduling_priority = 0;
  std::map<std::string, std::string> parameters;
  std::map<std::string, std::string> tags;
  // Request members the core does not interpret but DescribeJobs echoes (containerOverrides,
  // propagateTags, ...), as a JSON object text. Owned by the api layer.
  std::string extra_json;

  uint64_t seq = 0;  // submission order: FIFO within a queue
};

}  // namespace nightshift::core
