#include "api/why_api.h"

#include "api/answer.h"

namespace nightshift::api {
std::span<const Route<WhyApi>> WhyApi::Routes() {
  static constexpr Route<WhyApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/jobs/{id}/why",
                .operation_id = "explainJob",
                .access = auth::Access::kViewer,
                .summary =
                    "Why a job is not running yet, or why it ended (what `nightshift why` prints)",
                .response = R"({"$ref": "#/components/schemas/Why"})"},
       .json = &WhyApi::Why},
  };
  return kRoutes;
}

bool WhyApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kBatch}, request, respond);
}

Result<Json> WhyApi::Why(const RouteCall& call) {
  const std::string& job_id = call.Param("id");
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
