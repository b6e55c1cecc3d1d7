// The AWS Batch request bodies the CLI's batch verbs send (SubmitJob, RegisterJobDefinition),
// built from their flags. The builders are pure (no I/O), so every rule is unit-tested.
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/client.h"
#include "util/status.h"

namespace CLI {
class App;
}

namespace nightshift::cli {

// What a job runs and needs: a job definition's containerProperties, a submission's
// containerOverrides. Unset members are left out (the definition's values hold).
struct ContainerFlags {
  std::string shell_command;        // --command: run with /bin/sh -c
  std::vector<std::string> argv;    // after --: the argv as given
  std::vector<std::string> env;     // KEY=VALUE
  double vcpus = 0;                 // 0: unset
  int64_t memory_mib = 0;           // 0: unset
};

// Adds --command, the argv after --, --env, --vcpus and --memory to a verb.
void AddContainerFlags(CLI::App& app, ContainerFlags& flags);

struct JobFlags {
  ContainerFlags container;
  std::string name;                     // default: the definition's name
  std::string queue = "default";
  std::string definition;
  std::vector<std::string> depends_on;  // ID[:TYPE]
  std::vector<std::string> parameters;  // KEY=VALUE
  int array_size = 0;                   // 0: not an array job
  int64_t timeout_seconds = 0;          // 0: unset
  int retry_attempts = 0;               // 0: unset
};

// "KEY=VALUE" items of `flag` as a map. Errors: an item without '=' or with an empty key.
Result<std::map<std::string, std::string>> KeyValues(const std::vector<std::string>& items, std::string_view flag);

// "ID" or "ID:TYPE" as a dependsOn entry {jobId, type}. Array children's IDs contain ':' too
// ("<parent>:3"), so only a known type after the last ':' is a type: N_TO_N, SEQUENTIAL,
// afterok, afterany, afternotok, aftercorr (any case).
Result<Json> ParseDependency(std::string_view text);

// containerProperties / containerOverrides members for `flags`.
Result<Json> ContainerJson(const ContainerFlags& flags);

Result<Json> SubmitJobBody(const JobFlags& flags);

Result<Json> RegisterJobDefinitionBody(const std::string& name, const ContainerFlags& container,
                                       const std::vector<std::string>& parameters, int64_t timeout_seconds,
                                       int retry_attempts);

}  // namespace nightshift::cli
