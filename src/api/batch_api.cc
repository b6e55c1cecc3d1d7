#include "api/batch_api.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "api/answer.h"
#include "api/json_text.h"
#include "api/submit_job_request.h"
#include "core/job_identity.h"
#include "store/store.h"

namespace nightshift::api {
namespace {

// vCPUs nightshift hands a Slurm compute environment at once when the client does not say: Slurm
// queues what does not fit, so this only bounds what is submitted ahead.
constexpr double kDefaultSlurmVcpus = 1024;

// Reads `tags`, checking the run-as tag's value (core/job_identity.h) when there is one.
std::optional<std::map<std::string, std::string>> ReadTags(JsonReader& r) {
  std::optional<std::map<std::string, std::string>> tags = r.StringMap("tags");
  if (!tags) return tags;
  if (auto it = tags->find(core::kRunAsTag); it != tags->end()) {
    r.Fail(core::CheckUserName(it->second, "tags." + std::string(core::kRunAsTag)));
  }
  return tags;
}

constexpr size_t kMaxDescribeJobs = 100;
constexpr char kJobArnPrefix[] = "job/";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<bool> ReadState(JsonReader& r, const std::string& key) {
  std::optional<std::string> state = r.String(key);
  if (!state) return std::nullopt;
  if (*state == "ENABLED") return true;
  if (*state == "DISABLED") return false;
  r.Fail(Status::InvalidArgument(r.PathOf(key) + " must be ENABLED or DISABLED"));
  return std::nullopt;
}

// Offset pagination for the small resource lists: the token is the index of the next item.
Result<OrderedJson> Page(std::vector<OrderedJson> items, const char* list_key, JsonReader& r) {
  int64_t max = r.Int("maxResults", false, 1, 1000).value_or(100);
  std::optional<std::string> token = r.String("nextToken");
  NS_RETURN_IF_ERROR(r.Finish());
  size_t start = 0;
  if (token) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(token->c_str(), &end, 10);
    if (token->empty() || *end != '\0' || v > items.size()) return Status::InvalidArgument("invalid nextToken");
    start = static_cast<size_t>(v);
  }
  OrderedJson out;
  OrderedJson list = OrderedJson::array();
  size_t stop = std::min(items.size(), start + static_cast<size_t>(max));
  for (size_t i = start; i < stop; ++i) list.push_back(std::move(items[i]));
  out[list_key] = std::move(list);
  if (stop < items.size()) out["nextToken"] = std::to_string(stop);
  return out;
}

// Reads computeEnvironmentOrder [{order, computeEnvironment}] sorted by order.
std::optional<std::vector<std::string>> ReadComputeEnvironmentOrder(JsonReader& r, bool required) {
  const Json* list = r.Array("computeEnvironmentOrder", required);
  if (!list) return std::nullopt;
  std::vector<std::pair<int64_t, std::string>> entries;
  for (size_t i = 0; i < list->size(); ++i) {
    JsonReader e((*list)[i], r.PathOf("computeEnvironmentOrder") + "[" + std::to_string(i) + "]");
    int64_t order = e.Int("order", true, 0, INT32_MAX).value_or(0);
    std::string ce = e.String("computeEnvironment", true).value_or("");
    r.Fail(e.Finish());
    entries.emplace_back(order, ce);
  }
  std::stable_sort(entries.begin(), entries.end());
  std::vector<std::string> names;
  for (auto& [order, ce] : entries) names.push_back(ce);
  return names;
}

// ListJobs' `filters`: one filter at a time. A filter other than SHARE_IDENTIFIER returns every
// status, as in AWS.
Status ReadListFilter(const Json& filters, store::JobQuery& q) {
  if (filters.size() > 1) return Status::InvalidArgument("filters: only one filter at a time");
  JsonReader f(filters[0], "filters[0]");
  std::string name = f.String("name", true).value_or("");
  std::vector<std::string> values = f.StringList("values", true).value_or(std::vector<std::string>{});
  NS_RETURN_IF_ERROR(f.Finish());
  if (values.size() != 1) return Status::InvalidArgument("filters[0].values must hold exactly one value");
  const std::string& v = values[0];
  q.states.clear();
  if (name == "JOB_NAME") {
    q.name_pattern = v;
  } else if (name == "JOB_DEFINITION") {
    q.definition_pattern = v.rfind("arn:", 0) == 0 ? v.substr(v.rfind('/') + 1) : v;
  } else if (name == "BEFORE_CREATED_AT" || name == "AFTER_CREATED_AT") {
    char* end = nullptr;
    long long ms = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') return Status::InvalidArgument("filters[0].values: " + name + " takes epoch milliseconds");
    (name == "BEFORE_CREATED_AT" ? q.created_before : q.created_after) = ms;
  } else if (name == "SHARE_IDENTIFIER") {
    return Status::InvalidArgument("filters: SHARE_IDENTIFIER needs fair-share scheduling, which nightshift does not support yet");
  } else {
    return Status::InvalidArgument("filters[0].name must be JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT or AFTER_CREATED_AT");
  }
  return Status::Ok();
}

}  // namespace

const std::map<std::string, BatchApi::Operation>& BatchApi::Operations() {
  static const std::map<std::string, Operation> kOperations = {
      {"createcomputeenvironment", {&BatchApi::CreateComputeEnvironment, true}},
      {"updatecomputeenvironment", {&BatchApi::UpdateComputeEnvironment, true}},
      {"deletecomputeenvironment", {&BatchApi::DeleteComputeEnvironment, true}},
      {"describecomputeenvironments", {&BatchApi::DescribeComputeEnvironments, false}},
      {"createjobqueue", {&BatchApi::CreateJobQueue, true}},
      {"updatejobqueue", {&BatchApi::UpdateJobQueue, true}},
      {"deletejobqueue", {&BatchApi::DeleteJobQueue, true}},
      {"describejobqueues", {&BatchApi::DescribeJobQueues, false}},
      {"registerjobdefinition", {&BatchApi::RegisterJobDefinition, true}},
      {"deregisterjobdefinition", {&BatchApi::DeregisterJobDefinition, true}},
      {"describejobdefinitions", {&BatchApi::DescribeJobDefinitions, false}},
      {"submitjob", {&BatchApi::SubmitJob, true}},
      {"describejobs", {&BatchApi::DescribeJobs, false}},
      {"listjobs", {&BatchApi::ListJobs, false}},
      {"canceljob", {&BatchApi::CancelJob, true}},
      {"terminatejob", {&BatchApi::TerminateJob, true}},
  };
  return kOperations;
}

std::vector<std::string> BatchApi::OperationNames() {
  std::vector<std::string> names;
  for (const auto& [name, operation] : Operations()) names.push_back(name);
  return names;
}

bool BatchApi::Handle(const HttpRequest& request, const Respond& respond) {
  if (request.path.rfind("/v1/", 0) != 0) return false;
  if (request.path.rfind("/v1/tags/", 0) == 0) {
    HandleTags(request, respond);
    return true;
  }
  const std::string op = Lower(request.path.substr(4));
  auto it = Operations().find(op);
  if (it == Operations().end() || request.method != "POST") {
    respond(ErrorResponse(AwsService::kBatch, 404, "UnknownOperationException",
                          "unknown operation " + request.method + " " + request.path));
    return true;
  }
  Result<Json> body = ParseBody(request.body);
  if (!body.ok()) {
    respond(ErrorResponse(AwsService::kBatch, body.status()));
    return true;
  }
  Answer((this->*(it->second.handler))(*body), it->second.mutates, respond);
  return true;
}

void BatchApi::Answer(Result<OrderedJson> result, bool mutates, const Respond& respond) {
  api::Answer(engine_, AwsService::kBatch, result.ok() ? Result<std::string>(JsonText(*result)) : result.status(),
              mutates, respond);
}

void BatchApi::HandleTags(const HttpRequest& request, const Respond& respond) {
  const std::string arn = PercentDecode(request.path.substr(std::string("/v1/tags/").size()));
  if (request.method == "GET") {
    Result<std::map<std::string, std::string>> tags = engine_.ListTags(arn);
    if (!tags.ok()) return Answer(tags.status(), false, respond);
    OrderedJson out;
    out["tags"] = *tags;
    return Answer(out, false, respond);
  }
  if (request.method == "DELETE") {
    std::vector<std::string> keys;
    for (auto& [k, v] : ParseQuery(request.query)) {
      if (k == "tagKeys") keys.push_back(v);
    }
    if (keys.empty()) return Answer(Status::InvalidArgument("tagKeys is required"), false, respond);
    Status st = engine_.UntagResource(arn, keys);
    return Answer(st.ok() ? Result<OrderedJson>(OrderedJson::object()) : st, true, respond);
  }
  if (request.method == "POST") {
    Result<Json> body = ParseBody(request.body);
    if (!body.ok()) return Answer(body.status(), false, respond);
    JsonReader r(*body, "");
    std::optional<std::map<std::string, std::string>> tags = ReadTags(r);
    if (r.ok() && !tags) r.Fail(Status::InvalidArgument("tags is required"));
    Status st = r.Finish();
    if (st.ok()) st = engine_.TagResource(arn, *tags);
    return Answer(st.ok() ? Result<OrderedJson>(OrderedJson::object()) : st, true, respond);
  }
  Answer(Status::InvalidArgument("unsupported method " + request.method + " on /v1/tags"), false, respond);
}

// ---------------------------------------------------------------------------------------------
// Compute environments

Result<OrderedJson> BatchApi::CreateComputeEnvironment(const Json& body) {
  JsonReader r(body, "");
  core::ComputeEnvironment ce;
  ce.name = r.String("computeEnvironmentName", true).value_or("");
  ce.type = r.String("type", true).value_or("");
  if (r.ok() && ce.type != "MANAGED" && ce.type != "UNMANAGED") {
    r.Fail(Status::InvalidArgument("type must be MANAGED or UNMANAGED"));
  }
  ce.enabled = ReadState(r, "state").value_or(true);
  std::optional<int64_t> unmanaged = r.Int("unmanagedvCpus", false, 1, 1'000'000);
  const Json* resources = r.Object("computeResources");
  ce.tags = ReadTags(r).value_or(std::map<std::string, std::string>{});
  OrderedJson extra = OrderedJson::object();
  for (const char* echoed : {"serviceRole", "updatePolicy", "context"}) {
    r.Accept(echoed);
    if (body.contains(echoed)) extra[echoed] = body[echoed];
  }
  r.Unsupported("eksConfiguration");
  if (const Json* slurm = r.Object("slurm")) {  // nightshift's extension: the jobs go to Slurm
    JsonReader sr(*slurm, "slurm");
    ce.executor = core::ExecutorKind::kSlurm;
    ce.slurm.partition = sr.String("partition", true).value_or("");
    ce.slurm.account = sr.String("account").value_or("");
    ce.slurm.qos = sr.String("qos").value_or("");
    ce.slurm.sbatch_args = sr.StringList("sbatchArgs").value_or(std::vector<std::string>{});
    for (const std::string& arg : ce.slurm.sbatch_args) {
      if (arg.empty() || arg[0] != '-') sr.Fail(Status::InvalidArgument("slurm.sbatchArgs: \"" + arg + "\" is not an option (one option per element, as --exclusive or --nice=5)"));
    }
    r.Fail(sr.Finish());
  }
  if (r.ok() && ce.type == "MANAGED") {
    if (!resources) return Status::InvalidArgument("computeResources is required for a MANAGED compute environment");
    if (!(*resources).contains("maxvCpus") || !(*resources)["maxvCpus"].is_number_integer()) {
      return Status::InvalidArgument("computeResources.maxvCpus is required and must be an integer");
    }
    ce.max_vcpus = (*resources)["maxvCpus"].get<double>();
    extra["computeResources"] = *resources;
  } else if (r.ok()) {
    if (resources) return Status::InvalidArgument("computeResources is only valid for a MANAGED compute environment");
    // UNMANAGED: the capacity is this machine's (a Slurm cluster's: kDefaultSlurmVcpus), unless
    // the client says otherwise.
    const double fallback = ce.executor == core::ExecutorKind::kSlurm
                                ? kDefaultSlurmVcpus
                                : static_cast<double>(std::max(1u, std::thread::hardware_concurrency()));
    ce.max_vcpus = unmanaged ? static_cast<double>(*unmanaged) : fallback;
  }
  NS_RETURN_IF_ERROR(r.Finish());
  ce.extra_json = extra.dump();
  Result<core::ComputeEnvironment> created = engine_.CreateComputeEnvironment(std::move(ce));
  if (!created.ok()) return created.status();
  return OrderedJson{{"computeEnvironmentName", created->name}, {"computeEnvironmentArn", created->arn}};
}

Result<OrderedJson> BatchApi::UpdateComputeEnvironment(const Json& body) {
  JsonReader r(body, "");
  engine::ComputeEnvironmentUpdate u;
  u.name_or_arn = r.String("computeEnvironment", true).value_or("");
  u.enabled = ReadState(r, "state");
  if (auto unmanaged = r.Int("unmanagedvCpus", false, 1, 1'000'000)) u.max_vcpus = static_cast<double>(*unmanaged);
  if (const Json* resources = r.Object("computeResources")) {
    JsonReader cr(*resources, "computeResources");
    if (auto max = cr.Int("maxvCpus", false, 1, 1'000'000)) u.max_vcpus = static_cast<double>(*max);
    for (auto it = resources->begin(); it != resources->end(); ++it) cr.Accept(it.key());
    r.Fail(cr.Finish());
  }
  for (const char* echoed : {"serviceRole", "updatePolicy", "context"}) r.Accept(echoed);
  NS_RETURN_IF_ERROR(r.Finish());
  Result<core::ComputeEnvironment> updated = engine_.UpdateComputeEnvironment(u);
  if (!updated.ok()) return updated.status();
  return OrderedJson{{"computeEnvironmentName", updated->name}, {"computeEnvironmentArn", updated->arn}};
}

Result<OrderedJson> BatchApi::DeleteComputeEnvironment(const Json& body) {
  JsonReader r(body, "");
  std::string name = r.String("computeEnvironment", true).value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  NS_RETURN_IF_ERROR(engine_.DeleteComputeEnvironment(name));
  return OrderedJson::object();
}

Result<OrderedJson> BatchApi::DescribeComputeEnvironments(const Json& body) {
  JsonReader r(body, "");
  std::optional<std::vector<std::string>> names = r.StringList("computeEnvironments");
  std::vector<OrderedJson> items;
  if (names && !names->empty()) {
    for (const std::string& n : *names) {
      if (const auto* ce = engine_.FindComputeEnvironment(n)) items.push_back(ComputeEnvironmentJson(*ce));
    }
  } else {
    for (const auto& [name, ce] : engine_.compute_environments()) items.push_back(ComputeEnvironmentJson(ce));
  }
  return Page(std::move(items), "computeEnvironments", r);
}

// ---------------------------------------------------------------------------------------------
// Job queues

Result<OrderedJson> BatchApi::CreateJobQueue(const Json& body) {
  JsonReader r(body, "");
  core::JobQueue q;
  q.name = r.String("jobQueueName", true).value_or("");
  q.enabled = ReadState(r, "state").value_or(true);
  q.priority = static_cast<int>(r.Int("priority", true, 0, 1000).value_or(1));
  q.compute_environments = ReadComputeEnvironmentOrder(r, true).value_or(std::vector<std::string>{});
  q.tags = ReadTags(r).value_or(std::map<std::string, std::string>{});
  r.Unsupported("schedulingPolicyArn");
  r.Unsupported("jobStateTimeLimitActions");
  r.Unsupported("serviceEnvironmentOrder");
  NS_RETURN_IF_ERROR(r.Finish());
  Result<core::JobQueue> created = engine_.CreateJobQueue(std::move(q));
  if (!created.ok()) return created.status();
  return OrderedJson{{"jobQueueName", created->name}, {"jobQueueArn", created->arn}};
}

Result<OrderedJson> BatchApi::UpdateJobQueue(const Json& body) {
  JsonReader r(body, "");
  engine::JobQueueUpdate u;
  u.name_or_arn = r.String("jobQueue", true).value_or("");
  u.enabled = ReadState(r, "state");
  if (auto p = r.Int("priority", false, 0, 1000)) u.priority = static_cast<int>(*p);
  u.compute_environments = ReadComputeEnvironmentOrder(r, false);
  r.Unsupported("schedulingPolicyArn");
  r.Unsupported("jobStateTimeLimitActions");
  NS_RETURN_IF_ERROR(r.Finish());
  Result<core::JobQueue> updated = engine_.UpdateJobQueue(u);
  if (!updated.ok()) return updated.status();
  return OrderedJson{{"jobQueueName", updated->name}, {"jobQueueArn", updated->arn}};
}

Result<OrderedJson> BatchApi::DeleteJobQueue(const Json& body) {
  JsonReader r(body, "");
  std::string name = r.String("jobQueue", true).value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  NS_RETURN_IF_ERROR(engine_.DeleteJobQueue(name));
  return OrderedJson::object();
}

Result<OrderedJson> BatchApi::DescribeJobQueues(const Json& body) {
  JsonReader r(body, "");
  std::optional<std::vector<std::string>> names = r.StringList("jobQueues");
  const std::string ce_prefix = engine_.Arn("compute-environment", "");
  std::vector<OrderedJson> items;
  if (names && !names->empty()) {
    for (const std::string& n : *names) {
      if (const auto* q = engine_.FindJobQueue(n)) items.push_back(JobQueueJson(*q, ce_prefix));
    }
  } else {
    for (const auto& [name, q] : engine_.job_queues()) items.push_back(JobQueueJson(q, ce_prefix));
  }
  return Page(std::move(items), "jobQueues", r);
}

// ---------------------------------------------------------------------------------------------
// Job definitions

Result<OrderedJson> BatchApi::RegisterJobDefinition(const Json& body) {
  JsonReader r(body, "");
  core::JobDefinition d;
  d.name = r.String("jobDefinitionName", true).value_or("");
  d.type = r.String("type", true).value_or("");
  if (r.ok() && d.type != "container") {
    r.Fail(Status::InvalidArgument(d.type == "multinode" ? "type multinode is not supported by nightshift yet"
                                                         : "type must be container or multinode"));
  }
  d.parameters = r.StringMap("parameters").value_or(std::map<std::string, std::string>{});
  d.scheduling_priority = static_cast<int>(r.Int("schedulingPriority", false, 0, 9999).value_or(0));
  ReadContainerProperties(r, "containerProperties", d.spec);
  if (r.ok() && !body.contains("containerProperties")) {
    r.Fail(Status::InvalidArgument("containerProperties is required for a container job definition"));
  }
  if (auto retry = ReadRetryStrategy(r, "retryStrategy")) d.spec.retry = *retry;
  d.spec.timeout_seconds = ReadTimeout(r, "timeout");
  d.tags = r.StringMap("tags").value_or(std::map<std::string, std::string>{});
  r.Bool("propagateTags");
  if (auto caps = r.StringList("platformCapabilities")) {
    for (const std::string& c : *caps) {
      if (c != "EC2") r.Fail(Status::InvalidArgument("platformCapabilities: only EC2 is supported, got " + c));
    }
  }
  for (const char* unsupported : {"nodeProperties", "eksProperties", "ecsProperties", "consumableResourceProperties"}) {
    r.Unsupported(unsupported);
  }
  NS_RETURN_IF_ERROR(r.Finish());
  OrderedJson extra = OrderedJson::object();
  for (const char* echoed : {"containerProperties", "propagateTags"}) {
    if (body.contains(echoed)) extra[echoed] = body[echoed];
  }
  d.extra_json = extra.dump();
  Result<core::JobDefinition> registered = engine_.RegisterJobDefinition(std::move(d));
  if (!registered.ok()) return registered.status();
  return OrderedJson{{"jobDefinitionName", registered->name},
                     {"jobDefinitionArn", registered->arn},
                     {"revision", registered->revision}};
}

Result<OrderedJson> BatchApi::DeregisterJobDefinition(const Json& body) {
  JsonReader r(body, "");
  std::string ref = r.String("jobDefinition", true).value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  NS_RETURN_IF_ERROR(engine_.DeregisterJobDefinition(ref));
  return OrderedJson::object();
}

Result<OrderedJson> BatchApi::DescribeJobDefinitions(const Json& body) {
  JsonReader r(body, "");
  std::optional<std::vector<std::string>> refs = r.StringList("jobDefinitions");
  std::optional<std::string> name = r.String("jobDefinitionName");
  std::optional<std::string> status = r.String("status");
  if (status && *status != "ACTIVE" && *status != "INACTIVE") {
    r.Fail(Status::InvalidArgument("status must be ACTIVE or INACTIVE"));
  }
  std::vector<OrderedJson> items;
  if (refs && !refs->empty()) {
    if (refs->size() > 100) return Status::InvalidArgument("jobDefinitions: at most 100 entries");
    for (const std::string& ref : *refs) {
      if (const auto* d = engine_.FindJobDefinition(ref)) items.push_back(JobDefinitionJson(*d));
    }
  } else {
    for (const auto& [key, d] : engine_.job_definitions()) {
      if (name && d.name != *name) continue;
      if (status && (*status == "ACTIVE") != d.active) continue;
      items.push_back(JobDefinitionJson(d));
    }
  }
  return Page(std::move(items), "jobDefinitions", r);
}

// ---------------------------------------------------------------------------------------------
// Jobs

JobView BatchApi::ViewOf(const core::Job& job) const {
  JobView v{job,
            engine_.Arn("job", job.id),
            engine_.Arn("job-queue", job.queue),
            engine_.Arn("job-definition", job.definition),
            engine_.Explain(job)};
  return v;
}

Result<OrderedJson> BatchApi::SubmitJob(const Json& body) {
  Result<engine::SubmitJobRequest> request = ReadSubmitJobRequest(body);
  if (!request.ok()) return request.status();
  Result<core::Job> job = engine_.SubmitJob(*request);
  if (!job.ok()) return job.status();
  return OrderedJson{{"jobArn", engine_.Arn("job", job->id)}, {"jobName", job->name}, {"jobId", job->id}};
}

Result<OrderedJson> BatchApi::DescribeJobs(const Json& body) {
  JsonReader r(body, "");
  std::vector<std::string> ids = r.StringList("jobs", true).value_or(std::vector<std::string>{});
  NS_RETURN_IF_ERROR(r.Finish());
  if (ids.size() > kMaxDescribeJobs) return Status::InvalidArgument("jobs: at most 100 job IDs per call");
  OrderedJson list = OrderedJson::array();
  for (std::string id : ids) {
    if (size_t p = id.find(kJobArnPrefix); id.rfind("arn:", 0) == 0 && p != std::string::npos) {
      id = id.substr(p + sizeof(kJobArnPrefix) - 1);
    }
    Result<std::optional<core::Job>> job = engine_.GetJob(id);
    if (!job.ok()) return job.status();
    if (*job) list.push_back(JobDetailJson(ViewOf(**job)));
  }
  return OrderedJson{{"jobs", std::move(list)}};
}

Result<OrderedJson> BatchApi::ListJobs(const Json& body) {
  JsonReader r(body, "");
  store::JobQuery q;
  std::optional<std::string> queue = r.String("jobQueue");
  std::optional<std::string> array = r.String("arrayJobId");
  r.Unsupported("multiNodeJobId");
  std::optional<std::string> status = r.String("jobStatus");
  q.limit = static_cast<int>(r.Int("maxResults", false, 1, 1000).value_or(1000));
  q.page_token = r.String("nextToken").value_or("");
  const Json* filters = r.Array("filters");
  NS_RETURN_IF_ERROR(r.Finish());
  if (queue.has_value() == array.has_value()) {
    return Status::InvalidArgument("exactly one of jobQueue and arrayJobId must be given");
  }
  if (queue) {
    const core::JobQueue* jq = engine_.FindJobQueue(*queue);
    if (!jq) return Status::InvalidArgument("jobQueue: job queue " + *queue + " not found");
    q.queue = jq->name;
  } else {
    q.array_parent = *array;
  }
  if (status) {
    std::optional<core::JobState> s = core::ParseJobState(*status);
    if (!s) return Status::InvalidArgument("jobStatus must be one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED");
    q.states = {*s};
  }
  if (filters && !filters->empty()) {
    NS_RETURN_IF_ERROR(ReadListFilter(*filters, q));
  } else if (!status) {
    q.states = {core::JobState::kRunning};  // AWS: without a status, only RUNNING jobs
  }
  Result<store::JobPage> page = engine_.ListJobs(q);
  if (!page.ok()) return page.status();
  OrderedJson list = OrderedJson::array();
  for (const core::Job& job : page->jobs) list.push_back(JobSummaryJson(ViewOf(job)));
  OrderedJson out{{"jobSummaryList", std::move(list)}};
  if (!page->next_token.empty()) out["nextToken"] = page->next_token;
  return out;
}

Result<OrderedJson> BatchApi::CancelJob(const Json& body) {
  JsonReader r(body, "");
  std::string id = r.String("jobId", true).value_or("");
  std::string reason = r.String("reason", true).value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  NS_RETURN_IF_ERROR(engine_.CancelJob(id, reason));
  return OrderedJson::object();
}

Result<OrderedJson> BatchApi::TerminateJob(const Json& body) {
  JsonReader r(body, "");
  std::string id = r.String("jobId", true).value_or("");
  std::string reason = r.String("reason", true).value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  NS_RETURN_IF_ERROR(engine_.TerminateJob(id, reason));
  return OrderedJson::object();
}

}  // namespace nightshift::api
