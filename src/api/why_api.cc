#include "api/why_api.h"

#include "api/answer.h"

namespace nightshift::api {
namespace {

constexpr char kJobs[] = "/api/v1/jobs/";

}  // namespace

bool WhyApi::Handle(const HttpRequest& request, const Respond& respond) {
  if (request.path.rfind(kJobs, 0) != 0) return false;
  std::vector<std::string> parts = SplitPath(request.path.substr(sizeof(kJobs) - 2));
  if (parts.size() != 2 || parts[1] != "why") return false;
  Result<Json> result = request.method == "GET"
                            ? Why(parts[0])
                            : Result<Json>(Status::InvalidArgument(
                                  request.method + " " + request.path + ": only GET is allowed"));
  Answer(engine_, AwsService::kBatch,
         result.ok() ? Result<std::string>(result->dump()) : result.status(), false, respond);
  return true;
}

Result<Json> WhyApi::Why(const std::string& job_id) {
  Result<core::Explanation> why = engine_.Why(job_id);
  if (!why.ok()) return why.status();
  Result<std::optional<core::Job>> job = engine_.GetJob(job_id);
  if (!job.ok()) return job.status();
  Json facts = Json::array();
  for (const core::Fact& fact : why->facts) {
    facts.push_back({{"kind", core::FactKindName(fact.kind)}, {"text", fact.text}});
  }
  return Json{{"jobId", job_id},
              {"jobName", *job ? (*job)->name : ""},
              {"status", *job ? core::JobStateName((*job)->state) : ""},
              {"summary", why->summary},
              {"facts", std::move(facts)}};
}

}  // namespace nightshift::api
