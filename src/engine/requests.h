// Requests the engine accepts, in the engine's own terms (the api layer maps AWS shapes to them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/job.h"

namespace nightshift::engine {

struct SubmitJobRequest {
  std::string job_name;
  std::string job_queue;       // name or ARN
  std::string job_definition;  // name, name:revision, or ARN
  std::map<std::string, std::string> parameters;
  std::optional<std::vector<std::string>> command;  // containerOverrides.command
  std::vector<core::EnvVar> environment;            // containerOverrides.environment
  std::optional<double> vcpus;
  std::optional<int64_t> memory_mib;
  std::vector<core::Dependency> depends_on;
  int array_size = 0;
  std::optional<core::RetryStrategy> retry;
  std::optional<int64_t> timeout_seconds;
  std::map<std::string, std::string> tags;
  std::string share_identifier;
  std::optional<int> scheduling_priority;
  std::string extra_json;  // echoed members (containerOverrides as given, propagateTags, ...)
  std::string working_dir;  // not an AWS member: pipeline steps run in their file's directory
};

struct ComputeEnvironmentUpdate {
  std::string name_or_arn;
  std::optional<bool> enabled;
  std::optional<double> max_vcpus;
  std::string extra_json;  // replaces the echoed members when not empty
};

struct JobQueueUpdate {
  std::string name_or_arn;
  std::optional<bool> enabled;
  std::optional<int> priority;
  std::optional<std::vector<std::string>> compute_environments;  // names or ARNs, in order
};

}  // namespace nightshift::engine
