#include "api/aws_operations.h"

#include <cctype>

#include "api/logs_api.h"
#include "api/route.h"

namespace nightshift::api {
namespace {

using auth::Access;
constexpr AwsService kBatch = AwsService::kBatch;
constexpr AwsService kScheduler = AwsService::kScheduler;
constexpr AwsService kLogs = AwsService::kLogs;
constexpr ResourceFrom kBody = ResourceFrom::kBody;
constexpr ResourceFrom kPath = ResourceFrom::kPath;
constexpr ResourceFrom kAnswer = ResourceFrom::kAnswer;

// Viewers read; operators also run work (jobs, schedules, tags); admins also change what work
// runs on and with (compute environments, queues, job definitions). README, "Access control".
constexpr AwsOperation kOperations[] = {
    {kBatch, "CreateComputeEnvironment", "POST", "/v1/createcomputeenvironment", Access::kAdmin, true, kBody, "computeEnvironmentName"},
    {kBatch, "UpdateComputeEnvironment", "POST", "/v1/updatecomputeenvironment", Access::kAdmin, true, kBody, "computeEnvironment"},
    {kBatch, "DeleteComputeEnvironment", "POST", "/v1/deletecomputeenvironment", Access::kAdmin, true, kBody, "computeEnvironment"},
    {kBatch, "DescribeComputeEnvironments", "POST", "/v1/describecomputeenvironments", Access::kViewer, false},
    {kBatch, "CreateJobQueue", "POST", "/v1/createjobqueue", Access::kAdmin, true, kBody, "jobQueueName"},
    {kBatch, "UpdateJobQueue", "POST", "/v1/updatejobqueue", Access::kAdmin, true, kBody, "jobQueue"},
    {kBatch, "DeleteJobQueue", "POST", "/v1/deletejobqueue", Access::kAdmin, true, kBody, "jobQueue"},
    {kBatch, "DescribeJobQueues", "POST", "/v1/describejobqueues", Access::kViewer, false},
    {kBatch, "RegisterJobDefinition", "POST", "/v1/registerjobdefinition", Access::kAdmin, true, kBody, "jobDefinitionName"},
    {kBatch, "DeregisterJobDefinition", "POST", "/v1/deregisterjobdefinition", Access::kAdmin, true, kBody, "jobDefinition"},
    {kBatch, "DescribeJobDefinitions", "POST", "/v1/describejobdefinitions", Access::kViewer, false},
    {kBatch, "SubmitJob", "POST", "/v1/submitjob", Access::kOperator, true, kAnswer, "jobId"},
    {kBatch, "DescribeJobs", "POST", "/v1/describejobs", Access::kViewer, false},
    {kBatch, "ListJobs", "POST", "/v1/listjobs", Access::kViewer, false},
    {kBatch, "CancelJob", "POST", "/v1/canceljob", Access::kOperator, true, kBody, "jobId"},
    {kBatch, "TerminateJob", "POST", "/v1/terminatejob", Access::kOperator, true, kBody, "jobId"},
    {kBatch, "ListTagsForResource", "GET", "/v1/tags/{resourceArn}", Access::kViewer, false},
    {kBatch, "TagResource", "POST", "/v1/tags/{resourceArn}", Access::kOperator, true, kPath},
    {kBatch, "UntagResource", "DELETE", "/v1/tags/{resourceArn}", Access::kOperator, true, kPath},
    {kScheduler, "ListSchedules", "GET", "/schedules", Access::kViewer, false},
    {kScheduler, "GetSchedule", "GET", "/schedules/{name}", Access::kViewer, false},
    {kScheduler, "CreateSchedule", "POST", "/schedules/{name}", Access::kOperator, true, kPath},
    {kScheduler, "UpdateSchedule", "PUT", "/schedules/{name}", Access::kOperator, true, kPath},
    {kScheduler, "DeleteSchedule", "DELETE", "/schedules/{name}", Access::kOperator, true, kPath},
    {kScheduler, "ListScheduleGroups", "GET", "/schedule-groups", Access::kViewer, false},
    {kScheduler, "GetScheduleGroup", "GET", "/schedule-groups/{name}", Access::kViewer, false},
    {kScheduler, "CreateScheduleGroup", "POST", "/schedule-groups/{name}", Access::kAdmin, true, kPath},
    {kScheduler, "DeleteScheduleGroup", "DELETE", "/schedule-groups/{name}", Access::kAdmin, true, kPath},
    {kScheduler, "ListTagsForResource", "GET", "/tags/{resourceArn}", Access::kViewer, false},
    {kScheduler, "TagResource", "POST", "/tags/{resourceArn}", Access::kOperator, true, kPath},
    {kScheduler, "UntagResource", "DELETE", "/tags/{resourceArn}", Access::kOperator, true, kPath},
    {kLogs, "GetLogEvents", "POST", "/", Access::kViewer, false},
};

bool EqualsLower(std::string_view lower, std::string_view s) {
  if (lower.size() != s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (lower[i] != std::tolower(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Batch names its operations in the path, in any case: "/v1/SubmitJob" is SubmitJob.
bool Fits(const AwsOperation& op, const HttpRequest& request) {
  if (op.method != request.method) return false;
  if (op.service == kLogs) {
    const std::string& target = request.Header("x-amz-target");
    return target.size() == sizeof(kLogsTargetPrefix) - 1 + op.name.size() &&
           target.compare(sizeof(kLogsTargetPrefix) - 1, std::string::npos, op.name) == 0;
  }
  if (op.path.find('{') == std::string_view::npos) return EqualsLower(op.path, request.path);
  return MatchPath(op.path, request.path).has_value();
}

}  // namespace

std::span<const AwsOperation> AwsOperations() { return kOperations; }

const AwsOperation* FindAwsOperation(const HttpRequest& request, AwsService service) {
  for (const AwsOperation& op : kOperations) {
    if (op.service == service && Fits(op, request)) return &op;
  }
  return nullptr;
}

const char* ServicePrefix(AwsService service) {
  switch (service) {
    case AwsService::kBatch: return "batch";
    case AwsService::kScheduler: return "scheduler";
    case AwsService::kLogs: return "logs";
  }
  return "";
}

std::string QualifiedName(const AwsOperation& operation) {
  return std::string(ServicePrefix(operation.service)) + ":" + std::string(operation.name);
}

}  // namespace nightshift::api
