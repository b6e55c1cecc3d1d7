#include "api/submit_job_request.h"

#include <cctype>

#include "api/batch_shapes.h"

namespace nightshift::api {
namespace {

std::vector<core::Dependency> ReadDependsOn(JsonReader& r) {
  std::vector<core::Dependency> deps;
  const Json* list = r.Array("dependsOn");
  for (size_t i = 0; list && i < list->size(); ++i) {
    JsonReader e((*list)[i], r.PathOf("dependsOn") + "[" + std::to_string(i) + "]");
    core::Dependency dep;
    dep.job_id = e.String("jobId").value_or("");
    std::string type = e.String("type").value_or("");
    // AWS's two array types, plus Slurm's per-edge conditions (botocore sends enums unchecked).
    if (type == "N_TO_N") {
      dep.type = core::DependencyType::kNToN;
    } else if (type == "SEQUENTIAL") {
      dep.type = core::DependencyType::kSequential;
    } else if (type == "afterany") {
      dep.condition = core::DependencyCondition::kAfterAny;
    } else if (type == "afternotok") {
      dep.condition = core::DependencyCondition::kAfterNotOk;
    } else if (type == "aftercorr") {
      dep.condition = core::DependencyCondition::kAfterCorr;
    } else if (!type.empty() && type != "afterok") {
      e.Fail(Status::InvalidArgument(e.PathOf("type") +
                                     " must be N_TO_N, SEQUENTIAL, afterok, afterany, afternotok or aftercorr"));
    }
    if (e.ok() && dep.job_id.empty() && dep.type != core::DependencyType::kSequential) {
      e.Fail(Status::InvalidArgument(e.PathOf("jobId") + " is required"));
    }
    r.Fail(e.Finish());
    deps.push_back(std::move(dep));
  }
  return deps;
}

}  // namespace

Result<engine::SubmitJobRequest> ReadSubmitJobRequest(const Json& body) {
  JsonReader r(body, "");
  engine::SubmitJobRequest s;
  s.job_name = r.String("jobName", true).value_or("");
  s.job_queue = r.String("jobQueue", true).value_or("");
  s.job_definition = r.String("jobDefinition", true).value_or("");
  s.share_identifier = r.String("shareIdentifier").value_or("");
  if (auto p = r.Int("schedulingPriorityOverride", false, 0, 9999)) s.scheduling_priority = static_cast<int>(*p);
  if (const Json* array = r.Object("arrayProperties")) {
    JsonReader a(*array, "arrayProperties");
    s.array_size = static_cast<int>(a.Int("size", false, 2, 100'000).value_or(0));
    r.Fail(a.Finish());
  }
  s.depends_on = ReadDependsOn(r);
  s.parameters = r.StringMap("parameters").value_or(std::map<std::string, std::string>{});
  if (const Json* overrides = r.Object("containerOverrides")) {
    JsonReader c(*overrides, "containerOverrides");
    s.command = c.StringList("command");
    s.environment = ReadEnvironment(c, "environment");
    core::Resources res;
    GivenResources given = ReadResources(c, res);
    if (given.vcpus) s.vcpus = res.vcpus;
    if (given.memory) s.memory_mib = res.memory_mib;
    c.Accept("instanceType");
    r.Fail(c.Finish());
  }
  s.retry = ReadRetryStrategy(r, "retryStrategy");
  s.timeout_seconds = ReadTimeout(r, "timeout");
  s.tags = r.StringMap("tags").value_or(std::map<std::string, std::string>{});
  r.Bool("propagateTags");
  for (const char* unsupported : {"nodeOverrides", "eksPropertiesOverride", "ecsPropertiesOverride",
                                  "consumableResourcePropertiesOverride"}) {
    r.Unsupported(unsupported);
  }
  if (r.ok() && !s.job_name.empty() && !std::isalnum(static_cast<unsigned char>(s.job_name[0]))) {
    r.Fail(Status::InvalidArgument("jobName must start with a letter or digit"));
  }
  if (r.ok() && s.job_name.size() > 128) r.Fail(Status::InvalidArgument("jobName must be at most 128 characters"));
  NS_RETURN_IF_ERROR(r.Finish());
  OrderedJson extra = OrderedJson::object();
  if (body.contains("propagateTags")) extra["propagateTags"] = body["propagateTags"];
  s.extra_json = extra.size() ? extra.dump() : "";
  return s;
}

}  // namespace nightshift::api
