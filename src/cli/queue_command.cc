// `nightshift queue ...`: job queues through the server's AWS Batch API
// (Create/Describe/Update/DeleteJobQueue).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/batch_call.h"
#include "cli/command.h"
#include "cli/table.h"

namespace nightshift::cli {
namespace {

struct QueueFlags {
  ClientOptions client;
  std::string name;
  int priority = -1;  // -1: unset
  std::vector<std::string> ces;
  std::string state;
};

void AddNamed(CLI::App& app, QueueFlags& f) {
  app.add_option("name", f.name, "Job queue name or ARN")->required();
  AddClientFlags(app, f.client);
}

void AddSettings(CLI::App& app, QueueFlags& f) {
  app.add_option("--priority", f.priority, "Higher is served first (0-1000)");
  app.add_option("--ce", f.ces, "Compute environment, in the order tried (repeatable, up to 3)")
      ->allow_extra_args(false);
  app.add_option("--state", f.state, "ENABLED or DISABLED")->check(CLI::IsMember({"ENABLED", "DISABLED"}));
}

Json ComputeEnvironmentOrder(const std::vector<std::string>& ces) {
  Json order = Json::array();
  for (size_t i = 0; i < ces.size(); ++i) order.push_back({{"order", i + 1}, {"computeEnvironment", ces[i]}});
  return order;
}

std::string CeNames(const Json& order) {
  std::string names;
  for (const Json& entry : order) {
    const std::string arn = Text(entry["computeEnvironment"]);
    names += (names.empty() ? "" : ", ") + arn.substr(arn.rfind('/') + 1);
  }
  return names.empty() ? "-" : names;
}

void PrintQueues(const Json& answer) {
  std::vector<Row> rows;
  for (const Json& q : answer["jobQueues"]) {
    rows.push_back({Text(q["jobQueueName"]), Text(q["priority"]), Text(q["state"]), Text(q["status"]),
                    CeNames(q["computeEnvironmentOrder"]), Text(q["jobQueueArn"])});
  }
  PrintTable(std::cout, {"NAME", "PRIORITY", "STATE", "STATUS", "COMPUTE ENVIRONMENTS", "ARN"}, rows);
}

Command QueueCreateVerb() {
  return {"create", "Create a job queue", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<QueueFlags>();
            auto run_as = std::make_shared<std::string>();
            AddNamed(app, *f);
            AddSettings(app, *f);
            AddRunAsFlag(app, *run_as);
            return [f, run_as] {
              const std::vector<std::string> ces = f->ces.empty() ? std::vector<std::string>{"default"} : f->ces;
              Json body{{"jobQueueName", f->name},
                        {"priority", f->priority < 0 ? 1 : f->priority},
                        {"computeEnvironmentOrder", ComputeEnvironmentOrder(ces)},
                        {"state", f->state.empty() ? "ENABLED" : f->state}};
              PutRunAs(body, *run_as);
              return CallBatchAndPrint(f->client, "createjobqueue", body, [](const Json& a) {
                std::cout << "created job queue " << Text(a["jobQueueName"]) << "\n";
              });
            };
          }};
}

Command QueueUpdateVerb() {
  return {"update", "Change a job queue's priority, compute environments or state",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<QueueFlags>();
            AddNamed(app, *f);
            AddSettings(app, *f);
            return [f] {
              Json body{{"jobQueue", f->name}};
              if (f->priority >= 0) body["priority"] = f->priority;
              if (!f->ces.empty()) body["computeEnvironmentOrder"] = ComputeEnvironmentOrder(f->ces);
              if (!f->state.empty()) body["state"] = f->state;
              return CallBatchAndPrint(f->client, "updatejobqueue", body, [](const Json& a) {
                std::cout << "updated job queue " << Text(a["jobQueueName"]) << "\n";
              });
            };
          }};
}

}  // namespace

Command QueueCommand() {
  return {.name = "queue",
          .help = "Job queues: a priority and the compute environments their jobs run on",
          .verbs = {QueueCreateVerb(), ListBatchVerb("List job queues", "describejobqueues", "jobQueues", PrintQueues),
                    ShowBatchVerb("Show a job queue", "Job queue name or ARN", "describejobqueues", "jobQueues",
                                  "job queue", PrintQueues),
                    QueueUpdateVerb(),
                    NamedBatchVerb("delete", "Delete a job queue (disable it first)", "Job queue name or ARN",
                                   "deletejobqueue", "jobQueue", "deleted job queue")}};
}

}  // namespace nightshift::cli
