// AWS Batch's JSON for the parts of a job that both DescribeJobs (api/batch_shapes.h) and job
// events (event_codec.h) show, written once (with JsonWriter; the json forms parse that text): an
// attempt and a job's dependsOn.
// Pure. Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/job.h"
#include "events/json_writer.h"

namespace nightshift::events {

// {"container": {"exitCode", "reason", "logStreamName"}, "startedAt", "stoppedAt", "statusReason"}
void WriteAttempt(JsonWriter& w, const core::Attempt& attempt);
nlohmann::ordered_json AttemptJson(const core::Attempt& attempt);
// [{"jobId", "type"}]: type only for N_TO_N and SEQUENTIAL, as AWS shows them.
void WriteDependsOn(JsonWriter& w, const std::vector<core::Dependency>& deps);
nlohmann::ordered_json DependsOnJson(const std::vector<core::Dependency>& deps);

}  // namespace nightshift::events
