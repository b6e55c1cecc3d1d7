// `nightshift ce ...`: compute environments through the server's AWS Batch API
// (Create/Describe/Update/DeleteComputeEnvironment).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/batch_call.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/table.h"

namespace nightshift::cli {
namespace {

void AddNamed(CLI::App& app, NamedFlags& f) {
  app.add_option("name", f.name, "Compute environment name or ARN")->required();
  AddClientFlags(app, f.client);
}

std::string Vcpus(const Json& ce) {
  if (ce.contains("unmanagedvCpus")) return Text(ce["unmanagedvCpus"]);
  if (ce.contains("computeResources")) return Text(ce["computeResources"].value("maxvCpus", Json()));
  return "-";
}

std::string TypeOf(const Json& ce) {
  if (ce.contains("slurm")) return "slurm:" + Text(ce["slurm"].value("partition", Json()));
  return Text(ce["type"]);
}

void PrintCes(const Json& answer) {
  std::vector<Row> rows;
  for (const Json& ce : answer["computeEnvironments"]) {
    rows.push_back({Text(ce["computeEnvironmentName"]), TypeOf(ce), Text(ce["state"]), Text(ce["status"]),
                    Vcpus(ce), Text(ce["computeEnvironmentArn"])});
  }
  PrintTable(std::cout, {"NAME", "TYPE", "STATE", "STATUS", "VCPUS", "ARN"}, rows);
}

Result<Json> Describe(const NamedFlags& f) {
  return DescribeOne(f.client, "describecomputeenvironments", "computeEnvironments", "computeEnvironments", f.name,
                     "compute environment");
}

struct SlurmFlags {
  std::string partition, account, qos;
  std::vector<std::string> sbatch_args;
};

Command CeCreateVerb() {
  return {"create", "Create a compute environment (processes on this host, or jobs on a Slurm cluster)",
          [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            auto type = std::make_shared<std::string>("UNMANAGED");
            auto vcpus = std::make_shared<int64_t>(0);
            auto disabled = std::make_shared<bool>(false);
            auto run_as = std::make_shared<std::string>();
            auto slurm = std::make_shared<SlurmFlags>();
            AddNamed(app, *f);
            AddRunAsFlag(app, *run_as);
            app.add_option("--type", *type,
                           "UNMANAGED (capacity --vcpus), MANAGED (computeResources.maxvCpus), or slurm (jobs go to "
                           "a Slurm partition; the server needs --slurm)")
                ->check(CLI::IsMember({"UNMANAGED", "MANAGED", "slurm"}))
                ->capture_default_str();
            app.add_option("--vcpus", *vcpus, "vCPUs its jobs may use at once (default: this machine's cores, for "
                                              "slurm 1024; required for MANAGED)");
            app.add_option("--partition", slurm->partition, "slurm: the partition (sbatch --partition); required");
            app.add_option("--account", slurm->account, "slurm: sbatch --account");
            app.add_option("--qos", slurm->qos, "slurm: sbatch --qos");
            app.add_option("--sbatch-arg", slurm->sbatch_args,
                           "slurm: one more sbatch option, as --sbatch-arg=--exclusive (repeatable)");
            app.add_flag("--disabled", *disabled, "Create it DISABLED: no new jobs are placed on it");
            return [f, type, vcpus, disabled, run_as, slurm] {
              const bool is_slurm = *type == "slurm";
              if (is_slurm && slurm->partition.empty()) {
                return ReportError(Status::InvalidArgument("--partition is required for a slurm compute environment"));
              }
              if (!is_slurm && (!slurm->partition.empty() || !slurm->account.empty() || !slurm->qos.empty() ||
                                !slurm->sbatch_args.empty())) {
                return ReportError(Status::InvalidArgument("--partition, --account, --qos and --sbatch-arg are for "
                                                           "--type slurm"));
              }
              Json body{{"computeEnvironmentName", f->name}, {"type", is_slurm ? "UNMANAGED" : *type},
                        {"state", *disabled ? "DISABLED" : "ENABLED"}};
              if (is_slurm) {
                body["slurm"] = {{"partition", slurm->partition}};
                if (!slurm->account.empty()) body["slurm"]["account"] = slurm->account;
                if (!slurm->qos.empty()) body["slurm"]["qos"] = slurm->qos;
                if (!slurm->sbatch_args.empty()) body["slurm"]["sbatchArgs"] = slurm->sbatch_args;
              }
              if (*type == "MANAGED") {
                if (*vcpus <= 0) return ReportError(Status::InvalidArgument("--vcpus is required for a MANAGED compute environment"));
                body["computeResources"] = {{"maxvCpus", *vcpus}};
              } else if (*vcpus > 0) {
                body["unmanagedvCpus"] = *vcpus;
              }
              PutRunAs(body, *run_as);
              return CallBatchAndPrint(f->client, "createcomputeenvironment", body, [](const Json& a) {
                std::cout << "created compute environment " << Text(a["computeEnvironmentName"]) << "\n";
              });
            };
          }};
}

Command CeUpdateVerb() {
  return {"update", "Enable, disable or resize a compute environment", [](CLI::App& app) -> std::function<int()> {
            auto f = std::make_shared<NamedFlags>();
            auto vcpus = std::make_shared<int64_t>(0);
            auto state = std::make_shared<std::string>();
            AddNamed(app, *f);
            app.add_option("--vcpus", *vcpus, "New capacity in vCPUs");
            app.add_option("--state", *state, "ENABLED or DISABLED")->check(CLI::IsMember({"ENABLED", "DISABLED"}));
            return [f, vcpus, state] {
              Json body{{"computeEnvironment", f->name}};
              if (!state->empty()) body["state"] = *state;
              if (*vcpus > 0) {
                // AWS names the capacity differently by type.
                Result<Json> current = Describe(*f);
                if (!current.ok()) return ReportError(current.status());
                if ((*current)["type"] == "MANAGED") {
                  body["computeResources"] = {{"maxvCpus", *vcpus}};
                } else {
                  body["unmanagedvCpus"] = *vcpus;
                }
              }
              return CallBatchAndPrint(f->client, "updatecomputeenvironment", body, [](const Json& a) {
                std::cout << "updated compute environment " << Text(a["computeEnvironmentName"]) << "\n";
              });
            };
          }};
}

}  // namespace

Command ComputeEnvironmentCommand() {
  return {.name = "ce",
          .help = "Compute environments: where jobs run and how many vCPUs they may use",
          .verbs = {CeCreateVerb(),
                    ListBatchVerb("List compute environments", "describecomputeenvironments", "computeEnvironments",
                                  PrintCes),
                    ShowBatchVerb("Show a compute environment", "Compute environment name or ARN",
                                  "describecomputeenvironments", "computeEnvironments", "compute environment",
                                  PrintCes),
                    CeUpdateVerb(),
                    NamedBatchVerb("delete", "Delete a compute environment (disable it and take it off every queue first)",
                                   "Compute environment name or ARN", "deletecomputeenvironment", "computeEnvironment",
                                   "deleted compute environment")}};
}

}  // namespace nightshift::cli
