// BatchApi: the AWS Batch rest-json API (POST /v1/<operation>, tags under /v1/tags/{arn}) on
// top of the Engine. Each operation reads its JSON members strictly (unknown or unsupported
// members are a ClientException naming them), calls the engine, and answers with AWS's shapes.
// Mutations are answered only once committed.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <map>
#include <string>

#include "api/batch_shapes.h"
#include "api/http_types.h"
#include "engine/engine.h"

namespace nightshift::api {

class BatchApi {
 public:
  explicit BatchApi(engine::Engine& engine) : engine_(engine) {}

  // True if the path belongs to the Batch API (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

  // The operations served under /v1/<name>, lower-case (each must be in aws_operations.h).
  static std::vector<std::string> OperationNames();

 private:
  using Handler = Result<OrderedJson> (BatchApi::*)(const Json& body);
  struct Operation {
    Handler handler;
    bool mutates;
  };
  static const std::map<std::string, Operation>& Operations();

  void HandleTags(const HttpRequest& request, const Respond& respond);
  void Answer(Result<OrderedJson> result, bool mutates, const Respond& respond);

  Result<OrderedJson> CreateComputeEnvironment(const Json& body);
  Result<OrderedJson> UpdateComputeEnvironment(const Json& body);
  Result<OrderedJson> DeleteComputeEnvironment(const Json& body);
  Result<OrderedJson> DescribeComputeEnvironments(const Json& body);
  Result<OrderedJson> CreateJobQueue(const Json& body);
  Result<OrderedJson> UpdateJobQueue(const Json& body);
  Result<OrderedJson> DeleteJobQueue(const Json& body);
  Result<OrderedJson> DescribeJobQueues(const Json& body);
  Result<OrderedJson> RegisterJobDefinition(const Json& body);
  Result<OrderedJson> DeregisterJobDefinition(const Json& body);
  Result<OrderedJson> DescribeJobDefinitions(const Json& body);
  Result<OrderedJson> SubmitJob(const Json& body);
  Result<OrderedJson> DescribeJobs(const Json& body);
  Result<OrderedJson> ListJobs(const Json& body);
  Result<OrderedJson> CancelJob(const Json& body);
  Result<OrderedJson> TerminateJob(const Json& body);

  JobView ViewOf(const core::Job& job) const;

  engine::Engine& engine_;
};

}  // namespace nightshift::api
