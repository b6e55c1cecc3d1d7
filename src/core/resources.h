// Compute environments, job queues and job definitions: the AWS Batch resources jobs run on.
// Thread-safety: plain values owned by the engine's loop.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "util/clock.h"

namespace nightshift::core {

enum class ExecutorKind { kLocal, kSlurm };

std::string_view Name(ExecutorKind kind);  // local | slurm

// Where a Slurm compute environment's jobs go (sbatch options). Empty members are not passed.
struct SlurmSettings {
  std::string partition;
  std::string account;
  std::string qos;
  std::vector<std::string> sbatch_args;  // extra sbatch options, each one argument ("--exclusive")
  bool operator==(const SlurmSettings&) const = default;
};

struct ComputeEnvironment {
  std::string name;
  std::string arn;
  std::string type = "MANAGED";  // MANAGED | UNMANAGED
  bool enabled = true;
  ExecutorKind executor = ExecutorKind::kLocal;
  SlurmSettings slurm;         // executor kSlurm only
  double max_vcpus = 0;        // capacity: computeResources.maxvCpus or unmanagedvCpus
  int64_t max_memory_mib = 0;  // 0 = memory not limited
  TimeMs created_at = 0;
  std::map<std::string, std::string> tags;
  std::string extra_json;  // echoed members (computeResources, serviceRole, ...)
};

struct JobQueue {
  std::string name;
  std::string arn;
  int priority = 1;  // higher is evaluated first
  bool enabled = true;
  std::vector<std::string> compute_environments;  // names, in ascending `order`
  std::string scheduling_policy_arn;
  TimeMs created_at = 0;
  std::map<std::string, std::string> tags;
  std::string extra_json;
};

struct JobDefinition {
  std::string name;
  int revision = 1;
  std::string arn;
  bool active = true;
  std::string type = "container";
  JobSpec spec;  // the template: command may hold Ref::name placeholders
  std::map<std::string, std::string> parameters;  // defaults for Ref::name
  int scheduling_priority = 0;
  TimeMs created_at = 0;
  std::map<std::string, std::string> tags;
  std::string extra_json;  // containerProperties and other members, echoed as given
};

}  // namespace nightshift::core
