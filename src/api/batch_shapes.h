// AWS Batch wire shapes: conversions between the JSON members of the Batch API and nightshift's
// model (core/job.h, core/resources.h). Readers report the first invalid member through the
// JsonReader; writers produce the newest model's members (older clients ignore extra ones).
#pragma once

#include <optional>
#include <string>

#include "api/json_reader.h"
#include "core/job.h"
#include "core/resources.h"
#include "core/scheduler.h"

namespace nightshift::api {

using OrderedJson = nlohmann::ordered_json;

// retryStrategy {attempts, evaluateOnExit[]}.
std::optional<core::RetryStrategy> ReadRetryStrategy(JsonReader& parent, const std::string& key);
// timeout {attemptDurationSeconds}.
std::optional<int64_t> ReadTimeout(JsonReader& parent, const std::string& key);
// environment [{name, value}].
std::vector<core::EnvVar> ReadEnvironment(JsonReader& parent, const std::string& key);
// resourceRequirements [{type: VCPU|MEMORY, value}] (and the deprecated vcpus/memory members)
// into `resources`; `given` tells which were present.
struct GivenResources {
  bool vcpus = false;
  bool memory = false;
};
GivenResources ReadResources(JsonReader& container, core::Resources& resources);
// containerProperties of a job definition into the spec template.
void ReadContainerProperties(JsonReader& parent, const std::string& key, core::JobSpec& spec);

OrderedJson RetryStrategyJson(const core::RetryStrategy& retry);
OrderedJson ResourceRequirementsJson(const core::Resources& resources);
OrderedJson EnvironmentJson(const std::vector<core::EnvVar>& environment);

struct JobView {
  const core::Job& job;
  std::string job_arn;
  std::string queue_arn;
  std::string definition_arn;
  std::string status_reason;  // live explanation
};
OrderedJson JobDetailJson(const JobView& view);
OrderedJson JobSummaryJson(const JobView& view);

OrderedJson ComputeEnvironmentJson(const core::ComputeEnvironment& ce);
OrderedJson JobQueueJson(const core::JobQueue& queue, const std::string& region_account_prefix);
OrderedJson JobDefinitionJson(const core::JobDefinition& definition);

// Merges the members of a JSON object text (extra_json) into `into`; invalid text is ignored.
void MergeExtra(OrderedJson& into, const std::string& extra_json);

}  // namespace nightshift::api
