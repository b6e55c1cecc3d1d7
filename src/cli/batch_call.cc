#include "cli/batch_call.h"

#include "core/job_identity.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace nightshift::cli {

Result<Json> CallBatch(const ClientOptions& client, std::string_view operation, const Json& body) {
  return Call(client, "POST", "/v1/" + std::string(operation), body.dump());
}

Result<Json> CallBatchAllPages(const ClientOptions& client, std::string_view operation, Json body,
                               const std::string& list_key) {
  Json all{{list_key, Json::array()}};
  while (true) {
    Result<Json> page = CallBatch(client, operation, body);
    if (!page.ok()) return page.status();
    for (Json& item : (*page)[list_key]) all[list_key].push_back(std::move(item));
    if (!page->contains("nextToken")) return all;
    body["nextToken"] = (*page)["nextToken"];
  }
}

int CallBatchAndPrint(const ClientOptions& client, std::string_view operation, const Json& body,
                      const TablePrinter& table) {
  return CallAndPrint(client, "POST", "/v1/" + std::string(operation), body.dump(), table);
}

Result<Json> DescribeOne(const ClientOptions& client, std::string_view operation, const std::string& request_key,
                         const std::string& list_key, const std::string& name, const std::string& what) {
  Result<Json> answer = CallBatch(client, operation, {{request_key, {name}}});
  if (!answer.ok()) return answer.status();
  if ((*answer)[list_key].empty()) return Status::NotFound(what + " " + name + " does not exist");
  return (*answer)[list_key][0];
}

Command NamedBatchVerb(const std::string& verb, const std::string& help, const std::string& argument_help,
                       const std::string& operation, const std::string& request_key, const std::string& done) {
  return {verb, help, [=](CLI::App& app) -> std::function<int()> {
            auto name = std::make_shared<std::string>();
            auto client = std::make_shared<ClientOptions>();
            app.add_option("name", *name, argument_help)->required();
            AddClientFlags(app, *client);
            return [=] {
              return CallBatchAndPrint(*client, operation, {{request_key, *name}},
                                       [=](const Json&) { std::cout << done << " " << *name << "\n"; });
            };
          }};
}

Command ListBatchVerb(const std::string& help, const std::string& operation, const std::string& list_key,
                      const TablePrinter& table) {
  return {"list", help, [=](CLI::App& app) -> std::function<int()> {
            auto client = std::make_shared<ClientOptions>();
            AddClientFlags(app, *client);
            return [=] {
              Result<Json> all = CallBatchAllPages(*client, operation, Json::object(), list_key);
              if (!all.ok()) return ReportError(all.status());
              Print(*client, *all, table);
              return 0;
            };
          }};
}

Command ShowBatchVerb(const std::string& help, const std::string& argument_help, const std::string& operation,
                      const std::string& list_key, const std::string& what, const TablePrinter& table) {
  return {"show", help, [=](CLI::App& app) -> std::function<int()> {
            auto name = std::make_shared<std::string>();
            auto client = std::make_shared<ClientOptions>();
            app.add_option("name", *name, argument_help)->required();
            AddClientFlags(app, *client);
            return [=] {
              Result<Json> item = DescribeOne(*client, operation, list_key, list_key, *name, what);
              if (!item.ok()) return ReportError(item.status());
              Print(*client, *item, [&](const Json& one) { table({{list_key, {one}}}); });
              return 0;
            };
          }};
}

Result<Json> DescribeJob(const ClientOptions& client, const std::string& job_id) {
  return DescribeOne(client, "describejobs", "jobs", "jobs", job_id, "job");
}

void AddRunAsFlag(CLI::App& app, std::string& user) {
  app.add_option("--run-as", user,
                 "Unix user its jobs run as (tag " + std::string(core::kRunAsTag) +
                     "); a server running as root refuses jobs with no user unless --allow-root-jobs");
}

void PutRunAs(Json& body, const std::string& user) {
  if (!user.empty()) body["tags"][core::kRunAsTag] = user;
}

}  // namespace nightshift::cli
