#include "api/batch_shapes.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/container_check.h"
#include "core/job_identity.h"
#include "events/batch_json.h"

namespace nightshift::api {

using events::AttemptJson;
using events::DependsOnJson;
namespace {

constexpr size_t kMaxEvaluateOnExit = 5;
constexpr size_t kMaxPatternLength = 512;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// AWS: exit code patterns are digits with an optional trailing '*'; reason patterns are letters,
// digits, '.', ':' and white space with an optional trailing '*'.
bool ValidPattern(const std::string& p, bool exit_code) {
  if (p.empty() || p.size() > kMaxPatternLength) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '*' && i + 1 == p.size()) continue;
    if (exit_code ? std::isdigit(c) : (std::isalnum(c) || c == '.' || c == ':' || std::isspace(c))) continue;
    return false;
  }
  return true;
}

std::optional<std::string> ReadPattern(JsonReader& r, const std::string& key, bool exit_code) {
  std::optional<std::string> p = r.String(key);
  if (p && !ValidPattern(*p, exit_code)) {
    r.Fail(Status::InvalidArgument(r.PathOf(key) + ": invalid pattern '" + *p + "'"));
    return std::nullopt;
  }
  return p;
}

std::string FormatNumber(double v) {
  if (std::floor(v) == v) return std::to_string(static_cast<int64_t>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

std::optional<core::RetryStrategy> ReadRetryStrategy(JsonReader& parent, const std::string& key) {
  const Json* obj = parent.Object(key);
  if (!obj) return std::nullopt;
  JsonReader r(*obj, parent.PathOf(key));
  core::RetryStrategy retry;
  retry.attempts = static_cast<int>(r.Int("attempts", false, 1, 10).value_or(1));
  if (const Json* rules = r.Array("evaluateOnExit")) {
    if (obj->contains("evaluateOnExit") && !obj->contains("attempts")) {
      r.Fail(Status::InvalidArgument(r.PathOf("attempts") + " is required with evaluateOnExit"));
    }
    if (rules->size() > kMaxEvaluateOnExit) {
      r.Fail(Status::InvalidArgument(r.PathOf("evaluateOnExit") + ": at most 5 entries"));
    }
    for (size_t i = 0; i < rules->size() && r.ok(); ++i) {
      JsonReader e((*rules)[i], r.PathOf("evaluateOnExit") + "[" + std::to_string(i) + "]");
      core::RetryRule rule;
      std::string action = Upper(e.String("action", true).value_or(""));
      if (e.ok() && action != "RETRY" && action != "EXIT") {
        e.Fail(Status::InvalidArgument(e.PathOf("action") + " must be RETRY or EXIT"));
      }
      rule.action = action == "EXIT" ? core::RetryAction::kExit : core::RetryAction::kRetry;
      rule.on_exit_code = ReadPattern(e, "onExitCode", true).value_or("");
      rule.on_reason = ReadPattern(e, "onReason", false).value_or("");
      rule.on_status_reason = ReadPattern(e, "onStatusReason", false).value_or("");
      r.Fail(e.Finish());
      retry.evaluate_on_exit.push_back(std::move(rule));
    }
  }
  parent.Fail(r.Finish());
  return parent.ok() ? std::optional(retry) : std::nullopt;
}

std::optional<int64_t> ReadTimeout(JsonReader& parent, const std::string& key) {
  const Json* obj = parent.Object(key);
  if (!obj) return std::nullopt;
  JsonReader r(*obj, parent.PathOf(key));
  std::optional<int64_t> seconds = r.Int("attemptDurationSeconds", false, 1, INT32_MAX);
  parent.Fail(r.Finish());
  return seconds;
}

std::vector<core::EnvVar> ReadEnvironment(JsonReader& parent, const std::string& key) {
  std::vector<core::EnvVar> env;
  const Json* list = parent.Array(key);
  if (!list) return env;
  for (size_t i = 0; i < list->size(); ++i) {
    JsonReader e((*list)[i], parent.PathOf(key) + "[" + std::to_string(i) + "]");
    core::EnvVar v;
    v.name = e.String("name", true).value_or("");
    v.value = e.String("value").value_or("");
    if (e.ok() && v.name.rfind("AWS_BATCH", 0) == 0) {
      e.Fail(Status::InvalidArgument(e.PathOf("name") + ": names starting with AWS_BATCH are reserved"));
    }
    parent.Fail(e.Finish());
    env.push_back(std::move(v));
  }
  return env;
}

// secrets: [{name, valueFrom}], references to files on the server's host (core/job_identity.h).
std::vector<core::SecretRef> ReadSecrets(JsonReader& parent, const std::string& key) {
  std::vector<core::SecretRef> secrets;
  const Json* list = parent.Array(key);
  for (size_t i = 0; list && i < list->size(); ++i) {
    const std::string path = parent.PathOf(key) + "[" + std::to_string(i) + "]";
    JsonReader e((*list)[i], path);
    core::SecretRef ref{e.String("name", true).value_or(""), e.String("valueFrom", true).value_or("")};
    if (e.ok()) e.Fail(core::CheckSecretRef(ref, path));
    parent.Fail(e.Finish());
    secrets.push_back(std::move(ref));
  }
  return secrets;
}

GivenResources ReadResources(JsonReader& c, core::Resources& resources) {
  GivenResources given;
  if (auto vcpus = c.Number("vcpus")) {
    resources.vcpus = *vcpus;
    given.vcpus = true;
  }
  if (auto memory = c.Int("memory", false, 0)) {
    resources.memory_mib = *memory;
    given.memory = true;
  }
  const Json* list = c.Array("resourceRequirements");
  for (size_t i = 0; list && i < list->size(); ++i) {
    JsonReader e((*list)[i], c.PathOf("resourceRequirements") + "[" + std::to_string(i) + "]");
    std::string type = e.String("type", true).value_or("");
    std::string value = e.String("value", true).value_or("");
    if (e.ok()) {
      char* end = nullptr;
      double number = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || number < 0) {
        e.Fail(Status::InvalidArgument(e.PathOf("value") + " must be a number: " + value));
      } else if (type == "VCPU") {
        if (number <= 0) e.Fail(Status::InvalidArgument(e.PathOf("value") + ": VCPU must be greater than 0"));
        resources.vcpus = number;
        given.vcpus = true;
      } else if (type == "MEMORY") {
        resources.memory_mib = static_cast<int64_t>(number);
        given.memory = true;
      } else if (type == "GPU") {
        e.Fail(Status::InvalidArgument(e.PathOf("type") + ": GPU resources are not supported by nightshift yet"));
      } else {
        e.Fail(Status::InvalidArgument(e.PathOf("type") + " must be VCPU, MEMORY or GPU"));
      }
    }
    c.Fail(e.Finish());
  }
  return given;
}

// volumes: [{name, host: {sourcePath}}]; mountPoints: [{sourceVolume, containerPath, readOnly}].
void ReadVolumes(JsonReader& c, core::ContainerSettings& settings) {
  const Json* volumes = c.Array("volumes");
  for (size_t i = 0; volumes && i < volumes->size(); ++i) {
    JsonReader v((*volumes)[i], c.PathOf("volumes") + "[" + std::to_string(i) + "]");
    core::Volume volume{v.String("name", true).value_or(""), ""};
    if (const Json* host = v.Object("host")) {
      JsonReader h(*host, v.PathOf("host"));
      volume.source_path = h.String("sourcePath").value_or("");
      v.Fail(h.Finish());
    }
    v.Unsupported("efsVolumeConfiguration");
    c.Fail(v.Finish());
    settings.volumes.push_back(std::move(volume));
  }
  const Json* mounts = c.Array("mountPoints");
  for (size_t i = 0; mounts && i < mounts->size(); ++i) {
    JsonReader m((*mounts)[i], c.PathOf("mountPoints") + "[" + std::to_string(i) + "]");
    settings.mount_points.push_back({m.String("sourceVolume", true).value_or(""),
                                     m.String("containerPath", true).value_or(""), m.Bool("readOnly").value_or(false)});
    c.Fail(m.Finish());
  }
}

// ulimits: [{name, softLimit, hardLimit}].
void ReadUlimits(JsonReader& c, core::ContainerSettings& settings) {
  const Json* list = c.Array("ulimits");
  for (size_t i = 0; list && i < list->size(); ++i) {
    JsonReader u((*list)[i], c.PathOf("ulimits") + "[" + std::to_string(i) + "]");
    settings.ulimits.push_back({u.String("name", true).value_or(""), u.Int("softLimit", true).value_or(0),
                                u.Int("hardLimit", true).value_or(0)});
    c.Fail(u.Finish());
  }
}

// networkConfiguration.assignPublicIp ENABLED asks for a network (podman's default one); a
// container has none otherwise.
bool ReadNetwork(JsonReader& c) {
  const Json* obj = c.Object("networkConfiguration");
  if (!obj) return false;
  JsonReader n(*obj, c.PathOf("networkConfiguration"));
  std::string assign = n.String("assignPublicIp").value_or("DISABLED");
  if (assign != "ENABLED" && assign != "DISABLED") {
    n.Fail(Status::InvalidArgument(n.PathOf("assignPublicIp") + " must be ENABLED or DISABLED"));
  }
  c.Fail(n.Finish());
  return assign == "ENABLED";
}

void ReadContainerSettings(JsonReader& c, core::JobSpec& spec) {
  core::ContainerSettings& settings = spec.container;
  if (auto image = c.String("image")) {
    spec.image = *image;
    c.Fail(core::CheckImageReference(spec.image, c.PathOf("image")));
  }
  ReadVolumes(c, settings);
  ReadUlimits(c, settings);
  settings.readonly_root_filesystem = c.Bool("readonlyRootFilesystem").value_or(false);
  settings.privileged = c.Bool("privileged").value_or(false);
  settings.network = ReadNetwork(c);
  settings.working_dir = c.String("workingDirectory").value_or("");  // a nightshift extension
  if (!c.ok()) return;
  if (spec.image.empty() && settings != core::ContainerSettings{}) {
    c.Fail(Status::InvalidArgument(c.PathOf("image") +
                                   " is required with volumes, mountPoints, ulimits, privileged, "
                                   "readonlyRootFilesystem, networkConfiguration or workingDirectory"));
    return;
  }
  c.Fail(core::CheckContainerSettings(settings, c.PathOf("").substr(0, c.PathOf("").size() - 1)));
}

void ReadContainerProperties(JsonReader& parent, const std::string& key, core::JobSpec& spec) {
  const Json* obj = parent.Object(key);
  if (!obj) return;
  JsonReader c(*obj, parent.PathOf(key));
  spec.command = c.StringList("command").value_or(std::vector<std::string>{});
  spec.environment = ReadEnvironment(c, "environment");
  spec.secrets = ReadSecrets(c, "secrets");
  spec.user = c.String("user").value_or("");
  if (!spec.user.empty()) c.Fail(core::CheckUserName(spec.user, c.PathOf("user")));
  ReadResources(c, spec.resources);
  ReadContainerSettings(c, spec);
  c.Unsupported("linuxParameters");
  for (const char* echoed : {"jobRoleArn", "executionRoleArn", "instanceType", "logConfiguration",
                             "fargatePlatformConfiguration", "runtimePlatform",
                             "ephemeralStorage", "repositoryCredentials", "enableExecuteCommand"}) {
    c.Accept(echoed);
  }
  parent.Fail(c.Finish());
}

OrderedJson RetryStrategyJson(const core::RetryStrategy& retry) {
  OrderedJson j;
  j["attempts"] = retry.attempts;
  if (!retry.evaluate_on_exit.empty()) {
    OrderedJson rules = OrderedJson::array();
    for (const core::RetryRule& rule : retry.evaluate_on_exit) {
      OrderedJson r;
      if (!rule.on_status_reason.empty()) r["onStatusReason"] = rule.on_status_reason;
      if (!rule.on_reason.empty()) r["onReason"] = rule.on_reason;
      if (!rule.on_exit_code.empty()) r["onExitCode"] = rule.on_exit_code;
      r["action"] = rule.action == core::RetryAction::kRetry ? "RETRY" : "EXIT";
      rules.push_back(std::move(r));
    }
    j["evaluateOnExit"] = std::move(rules);
  }
  return j;
}

OrderedJson ResourceRequirementsJson(const core::Resources& resources) {
  OrderedJson list = OrderedJson::array();
  list.push_back({{"value", FormatNumber(resources.vcpus)}, {"type", "VCPU"}});
  if (resources.memory_mib > 0) {
    list.push_back({{"value", std::to_string(resources.memory_mib)}, {"type", "MEMORY"}});
  }
  return list;
}

OrderedJson EnvironmentJson(const std::vector<core::EnvVar>& environment) {
  OrderedJson list = OrderedJson::array();
  for (const core::EnvVar& v : environment) list.push_back({{"name", v.name}, {"value", v.value}});
  return list;
}

void MergeExtra(OrderedJson& into, const std::string& extra_json) {
  if (extra_json.empty()) return;
  OrderedJson extra = OrderedJson::parse(extra_json, nullptr, false);
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (!into.contains(it.key())) into[it.key()] = it.value();
  }
}

namespace {

void ContainerSettingsJson(const core::JobSpec& spec, OrderedJson& container) {
  const core::ContainerSettings& c = spec.container;
  container["image"] = spec.image;
  OrderedJson volumes = OrderedJson::array();
  for (const core::Volume& v : c.volumes) volumes.push_back({{"name", v.name}, {"host", {{"sourcePath", v.source_path}}}});
  container["volumes"] = std::move(volumes);
  OrderedJson mounts = OrderedJson::array();
  for (const core::MountPoint& m : c.mount_points) {
    mounts.push_back({{"sourceVolume", m.source_volume}, {"containerPath", m.container_path}, {"readOnly", m.read_only}});
  }
  container["mountPoints"] = std::move(mounts);
  OrderedJson ulimits = OrderedJson::array();
  for (const core::Ulimit& u : c.ulimits) {
    ulimits.push_back({{"name", u.name}, {"softLimit", u.soft_limit}, {"hardLimit", u.hard_limit}});
  }
  container["ulimits"] = std::move(ulimits);
  container["readonlyRootFilesystem"] = c.readonly_root_filesystem;
  container["privileged"] = c.privileged;
  container["networkConfiguration"] = {{"assignPublicIp", c.network ? "ENABLED" : "DISABLED"}};
  if (!c.working_dir.empty()) container["workingDirectory"] = c.working_dir;
}

OrderedJson ContainerJson(const core::JobSpec& spec) {
  OrderedJson container;
  container["command"] = spec.command;
  container["environment"] = EnvironmentJson(spec.environment);
  container["resourceRequirements"] = ResourceRequirementsJson(spec.resources);
  if (!spec.user.empty()) container["user"] = spec.user;
  if (!spec.image.empty()) ContainerSettingsJson(spec, container);
  if (!spec.secrets.empty()) {
    OrderedJson secrets = OrderedJson::array();
    for (const core::SecretRef& ref : spec.secrets) secrets.push_back({{"name", ref.name}, {"valueFrom", ref.value_from}});
    container["secrets"] = std::move(secrets);
  }
  return container;
}

OrderedJson ArrayPropertiesJson(const JobView& v, bool with_summary) {
  OrderedJson j;
  if (v.job.array_size > 0) {
    if (with_summary) {
      OrderedJson summary = OrderedJson::object();
      for (size_t s = 0; s < v.job.array_summary.size(); ++s) {
        summary[std::string(core::JobStateName(static_cast<core::JobState>(s)))] = v.job.array_summary[s];
      }
      j["statusSummary"] = std::move(summary);
    }
    j["size"] = v.job.array_size;
  } else if (v.job.array_index) {
    j["index"] = *v.job.array_index;
  }
  return j;
}

}  // namespace

OrderedJson JobDetailJson(const JobView& v) {
  const core::Job& job = v.job;
  OrderedJson j;
  j["jobArn"] = v.job_arn;
  j["jobName"] = job.name;
  j["jobId"] = job.id;
  j["jobQueue"] = v.queue_arn;
  j["status"] = core::JobStateName(job.state);
  if (!job.share_identifier.empty()) j["shareIdentifier"] = job.share_identifier;
  j["schedulingPriority"] = job.scheduling_priority;
  OrderedJson attempts = OrderedJson::array();
  for (const core::Attempt& a : job.attempts) {
    if (a.stopped_at) attempts.push_back(AttemptJson(a));  // AWS lists finished attempts
  }
  j["attempts"] = std::move(attempts);
  if (!v.status_reason.empty()) j["statusReason"] = v.status_reason;
  j["createdAt"] = job.created_at;
  j["retryStrategy"] = RetryStrategyJson(job.spec->retry);
  if (job.started_at) j["startedAt"] = job.started_at;
  if (job.stopped_at) j["stoppedAt"] = job.stopped_at;
  j["dependsOn"] = DependsOnJson(job.depends_on);
  j["jobDefinition"] = v.definition_arn;
  j["parameters"] = job.parameters;
  OrderedJson container = ContainerJson(*job.spec);
  if (!job.attempts.empty()) {
    const core::Attempt& last = job.attempts.back();
    if (last.exit_code) container["exitCode"] = *last.exit_code;
    if (!last.reason.empty()) container["reason"] = last.reason;
    container["logStreamName"] = last.log_stream_name;
  }
  if (job.array_size == 0) j["container"] = std::move(container);
  if (job.spec->timeout_seconds) j["timeout"] = {{"attemptDurationSeconds", *job.spec->timeout_seconds}};
  OrderedJson array = ArrayPropertiesJson(v, true);
  if (!array.empty()) j["arrayProperties"] = std::move(array);
  j["tags"] = job.tags;
  j["platformCapabilities"] = OrderedJson::array({"EC2"});
  j["isCancelled"] = job.is_cancelled;
  j["isTerminated"] = job.is_terminated;
  MergeExtra(j, job.extra_json);
  return j;
}

OrderedJson JobSummaryJson(const JobView& v) {
  const core::Job& job = v.job;
  OrderedJson j;
  j["jobArn"] = v.job_arn;
  j["jobId"] = job.id;
  j["jobName"] = job.name;
  j["createdAt"] = job.created_at;
  j["status"] = core::JobStateName(job.state);
  if (!v.status_reason.empty()) j["statusReason"] = v.status_reason;
  if (job.started_at) j["startedAt"] = job.started_at;
  if (job.stopped_at) j["stoppedAt"] = job.stopped_at;
  if (!job.attempts.empty() && job.attempts.back().exit_code) {
    j["container"] = {{"exitCode", *job.attempts.back().exit_code}};
  }
  OrderedJson array = ArrayPropertiesJson(v, false);
  if (!array.empty()) j["arrayProperties"] = std::move(array);
  j["jobDefinition"] = v.definition_arn;
  return j;
}

OrderedJson ComputeEnvironmentJson(const core::ComputeEnvironment& ce) {
  OrderedJson j;
  j["computeEnvironmentName"] = ce.name;
  j["computeEnvironmentArn"] = ce.arn;
  if (ce.type == "UNMANAGED") j["unmanagedvCpus"] = static_cast<int64_t>(ce.max_vcpus);
  j["tags"] = ce.tags;
  j["type"] = ce.type;
  j["state"] = ce.enabled ? "ENABLED" : "DISABLED";
  j["status"] = "VALID";
  j["statusReason"] = "ComputeEnvironment Healthy";
  j["containerOrchestrationType"] = "ECS";
  OrderedJson extra = OrderedJson::parse(ce.extra_json.empty() ? "{}" : ce.extra_json, nullptr, false);
  if (extra.is_object() && extra.contains("computeResources")) {
    OrderedJson resources = extra["computeResources"];
    resources["maxvCpus"] = static_cast<int64_t>(ce.max_vcpus);
    j["computeResources"] = std::move(resources);
  }
  MergeExtra(j, ce.extra_json);
  if (ce.executor == core::ExecutorKind::kSlurm) {
    OrderedJson slurm{{"partition", ce.slurm.partition}};
    if (!ce.slurm.account.empty()) slurm["account"] = ce.slurm.account;
    if (!ce.slurm.qos.empty()) slurm["qos"] = ce.slurm.qos;
    if (!ce.slurm.sbatch_args.empty()) slurm["sbatchArgs"] = ce.slurm.sbatch_args;
    j["slurm"] = std::move(slurm);
  }
  return j;
}

OrderedJson JobQueueJson(const core::JobQueue& queue, const std::string& ce_arn_prefix) {
  OrderedJson j;
  j["jobQueueName"] = queue.name;
  j["jobQueueArn"] = queue.arn;
  j["state"] = queue.enabled ? "ENABLED" : "DISABLED";
  j["status"] = "VALID";
  j["statusReason"] = "JobQueue Healthy";
  j["priority"] = queue.priority;
  OrderedJson order = OrderedJson::array();
  for (size_t i = 0; i < queue.compute_environments.size(); ++i) {
    order.push_back({{"order", static_cast<int>(i + 1)},
                     {"computeEnvironment", ce_arn_prefix + queue.compute_environments[i]}});
  }
  j["computeEnvironmentOrder"] = std::move(order);
  j["tags"] = queue.tags;
  MergeExtra(j, queue.extra_json);
  return j;
}

OrderedJson JobDefinitionJson(const core::JobDefinition& d) {
  OrderedJson j;
  j["jobDefinitionName"] = d.name;
  j["jobDefinitionArn"] = d.arn;
  j["revision"] = d.revision;
  j["status"] = d.active ? "ACTIVE" : "INACTIVE";
  j["type"] = d.type;
  j["schedulingPriority"] = d.scheduling_priority;
  j["parameters"] = d.parameters;
  j["retryStrategy"] = RetryStrategyJson(d.spec.retry);
  OrderedJson container = ContainerJson(d.spec);
  OrderedJson extra = OrderedJson::parse(d.extra_json.empty() ? "{}" : d.extra_json, nullptr, false);
  if (extra.is_object() && extra.contains("containerProperties")) MergeExtra(container, extra["containerProperties"].dump());
  j["containerProperties"] = std::move(container);
  if (d.spec.timeout_seconds) j["timeout"] = {{"attemptDurationSeconds", *d.spec.timeout_seconds}};
  j["tags"] = d.tags;
  j["platformCapabilities"] = OrderedJson::array({"EC2"});
  j["containerOrchestrationType"] = "ECS";
  MergeExtra(j, d.extra_json);
  return j;
}

}  // namespace nightshift::api
