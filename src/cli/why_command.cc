// `nightshift why JOB_ID`: why a job is not running yet, or why it ended — from the server's
// GET /api/v1/jobs/{id}/why (api/why_api.h). The first line is the summary (the job's
// statusReason while it waits); then one line per fact: each dependency and what it must do,
// capacity in numbers, the queue ahead, a disabled compute environment, a retry backoff, each
// attempt, and for a cascaded failure the chain down to the job that failed by itself.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"

namespace nightshift::cli {
namespace {

struct WhyFlags {
  ClientOptions client;
  std::string job_id;
};

void PrintWhy(const Json& answer) {
  std::cout << Text(answer["jobId"]) << " " << Text(answer["status"]) << ": "
            << Text(answer["summary"]) << "\n";
  for (const Json& fact : answer["facts"]) {
    std::cout << "  " << Text(fact["kind"]) << ": " << Text(fact["text"]) << "\n";
  }
}

}  // namespace

Command WhyCommand() {
  return {"why", "Explain why a job is not running yet, or why it ended",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<WhyFlags>();
            app.add_option("job_id", f->job_id, "Job ID (an array job's child: ID:INDEX)")
                ->required();
            AddClientFlags(app, f->client);
            return [f] {
              return CallAndPrint(f->client, "GET",
                                  "/api/v1/jobs/" + PercentEncode(f->job_id) + "/why", "", PrintWhy);
            };
          }};
}

}  // namespace nightshift::cli
