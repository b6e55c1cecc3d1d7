// `nightshift jobdef ...`: job definitions through the server's AWS Batch API
// (Register/Describe/DeregisterJobDefinition).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/batch_call.h"
#include "cli/batch_requests.h"
#include "cli/command.h"
#include "cli/table.h"

namespace nightshift::cli {

namespace {

std::string CommandText(const Json& definition) {
  std::string text;
  for (const Json& arg : definition["containerProperties"].value("command", Json::array())) {
    text += (text.empty() ? "" : " ") + Text(arg);
  }
  return text.empty() ? "-" : text;
}

void PrintDefinitions(const Json& answer) {
  std::vector<Row> rows;
  for (const Json& d : answer["jobDefinitions"]) {
    rows.push_back({Text(d["jobDefinitionName"]), Text(d["revision"]), Text(d["status"]), CommandText(d)});
  }
  PrintTable(std::cout, {"NAME", "REVISION", "STATUS", "COMMAND"}, rows);
}

Command RegisterVerb() {
  return {"register", "Register a job definition (a new revision if the name exists)",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            auto container = std::make_shared<ContainerFlags>();
            auto parameters = std::make_shared<std::vector<std::string>>();
            auto timeout = std::make_shared<int64_t>(0);
            auto attempts = std::make_shared<int>(0);
            app.add_option("name", f->name, "Job definition name")->required();
            AddContainerFlags(app, *container);
            app.add_option("--parameter", *parameters, "Default for a Ref::KEY placeholder, KEY=VALUE (repeatable)")
                ->allow_extra_args(false);
            app.add_option("--timeout", *timeout, "Seconds an attempt may run");
            app.add_option("--retry-attempts", *attempts, "Attempts in all (1-10)");
            AddClientFlags(app, f->client);
            return [f, container, parameters, timeout, attempts] {
              Result<Json> body = RegisterJobDefinitionBody(f->name, *container, *parameters, *timeout, *attempts);
              if (!body.ok()) return ReportError(body.status());
              return CallBatchAndPrint(f->client, "registerjobdefinition", *body, [](const Json& a) {
                std::cout << "registered job definition " << Text(a["jobDefinitionName"]) << ":" << Text(a["revision"])
                          << "\n";
              });
            };
          }};
}

Command JobdefListVerb() {
  return {"list", "List job definitions (every revision)", [](CLI::App& app) -> std::function<int()> {
            auto client = std::make_shared<ClientOptions>();
            auto name = std::make_shared<std::string>();
            auto status = std::make_shared<std::string>("ACTIVE");
            app.add_option("--name", *name, "Only this definition's revisions");
            app.add_option("--status", *status, "ACTIVE, INACTIVE or all")
                ->check(CLI::IsMember({"ACTIVE", "INACTIVE", "all"}))
                ->capture_default_str();
            AddClientFlags(app, *client);
            return [client, name, status] {
              Json body = Json::object();
              if (!name->empty()) body["jobDefinitionName"] = *name;
              if (*status != "all") body["status"] = *status;
              Result<Json> all = CallBatchAllPages(*client, "describejobdefinitions", body, "jobDefinitions");
              if (!all.ok()) return ReportError(all.status());
              Print(*client, *all, PrintDefinitions);
              return 0;
            };
          }};
}

Command JobdefShowVerb() {
  return {"show", "Show a job definition (NAME: its latest active revision, or NAME:REVISION)",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            app.add_option("definition", f->name, "NAME, NAME:REVISION or ARN")->required();
            AddClientFlags(app, f->client);
            return [f] {
              Result<Json> d = DescribeOne(f->client, "describejobdefinitions", "jobDefinitions", "jobDefinitions",
                                           f->name, "job definition");
              if (!d.ok()) return ReportError(d.status());
              Print(f->client, *d, [](const Json& d) {
                PrintDefinitions({{"jobDefinitions", {d}}});
                std::cout << "\n" << d.dump(2) << "\n";
              });
              return 0;
            };
          }};
}

}  // namespace

Command JobDefinitionCommand() {
  return {.name = "jobdef",
          .help = "Job definitions: versioned templates of what a job runs",
          .verbs = {RegisterVerb(), JobdefListVerb(), JobdefShowVerb(),
                    NamedBatchVerb("deregister", "Deregister a revision (it becomes INACTIVE)", "NAME:REVISION or ARN",
                                   "deregisterjobdefinition", "jobDefinition", "deregistered")}};
}

}  // namespace nightshift::cli
