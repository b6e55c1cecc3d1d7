#include "cli/batch_requests.h"

#include <CLI/CLI.hpp>

#include <array>
#include <cctype>
#include <cstdio>

namespace nightshift::cli {
namespace {

// The canonical spelling of a dependency type, or "" if `text` is none.
std::string DependencyType(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kTypes = {"N_TO_N",   "SEQUENTIAL", "afterok",
                                                             "afterany", "afternotok", "aftercorr"};
  for (std::string_view type : kTypes) {
    if (type.size() != text.size()) continue;
    bool same = true;
    for (size_t i = 0; i < type.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(type[i])) == std::tolower(static_cast<unsigned char>(text[i]));
    }
    if (same) return std::string(type);
  }
  return "";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The members both SubmitJob and RegisterJobDefinition take: parameters, timeout, retryStrategy.
Status AddJobOptions(Json& body, const std::vector<std::string>& parameters, int64_t timeout_seconds,
                     int retry_attempts) {
  Result<std::map<std::string, std::string>> params = KeyValues(parameters, "--parameter");
  if (!params.ok()) return params.status();
  if (!params->empty()) body["parameters"] = *params;
  if (timeout_seconds > 0) body["timeout"] = {{"attemptDurationSeconds", timeout_seconds}};
  if (retry_attempts > 0) body["retryStrategy"] = {{"attempts", retry_attempts}};
  return Status::Ok();
}

}  // namespace

void AddContainerFlags(CLI::App& app, ContainerFlags& f) {
  app.add_option("--command", f.shell_command, "Command line, run with /bin/sh -c (or give the argv after --)");
  app.add_option("argv", f.argv, "The command's argv, after --");
  app.add_option("--env", f.env, "Environment variable KEY=VALUE (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--vcpus", f.vcpus, "vCPUs the job needs");
  app.add_option("--memory", f.memory_mib, "Memory the job needs, in MiB");
}

Result<std::map<std::string, std::string>> KeyValues(const std::vector<std::string>& items, std::string_view flag) {
  std::map<std::string, std::string> out;
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(std::string(flag) + " takes KEY=VALUE, got '" + item + "'");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

Result<Json> ParseDependency(std::string_view text) {
  Json dep = Json::object();
  std::string_view id = text;
  if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (std::string type = DependencyType(text.substr(colon + 1)); !type.empty()) {
      dep["type"] = type;
      id = text.substr(0, colon);
    }
  }
  if (id.empty() && dep.value("type", "") != "SEQUENTIAL") {
    return Status::InvalidArgument("--depends-on takes ID[:TYPE], got '" + std::string(text) + "'");
  }
  if (!id.empty()) dep["jobId"] = std::string(id);
  return dep;
}

Result<Json> ContainerJson(const ContainerFlags& flags) {
  Json c = Json::object();
  if (!flags.shell_command.empty() && !flags.argv.empty()) {
    return Status::InvalidArgument("give the command either as --command STRING or after --, not both");
  }
  if (!flags.shell_command.empty()) c["command"] = {"/bin/sh", "-c", flags.shell_command};
  if (!flags.argv.empty()) c["command"] = flags.argv;
  Result<std::map<std::string, std::string>> env = KeyValues(flags.env, "--env");
  if (!env.ok()) return env.status();
  for (const auto& [name, value] : *env) c["environment"].push_back({{"name", name}, {"value", value}});
  if (flags.vcpus > 0) c["resourceRequirements"].push_back({{"type", "VCPU"}, {"value", Number(flags.vcpus)}});
  if (flags.memory_mib > 0) {
    c["resourceRequirements"].push_back({{"type", "MEMORY"}, {"value", std::to_string(flags.memory_mib)}});
  }
  return c;
}

Result<Json> SubmitJobBody(const JobFlags& flags) {
  if (flags.definition.empty()) return Status::InvalidArgument("--definition is required");
  const std::string name = flags.name.empty() ? flags.definition.substr(0, flags.definition.find(':')) : flags.name;
  Json body{{"jobName", name}, {"jobQueue", flags.queue}, {"jobDefinition", flags.definition}};
  Result<Json> container = ContainerJson(flags.container);
  if (!container.ok()) return container.status();
  if (!container->empty()) body["containerOverrides"] = std::move(*container);
  for (const std::string& d : flags.depends_on) {
    Result<Json> dep = ParseDependency(d);
    if (!dep.ok()) return dep.status();
    body["dependsOn"].push_back(std::move(*dep));
  }
  if (flags.array_size > 0) body["arrayProperties"] = {{"size", flags.array_size}};
  NS_RETURN_IF_ERROR(AddJobOptions(body, flags.parameters, flags.timeout_seconds, flags.retry_attempts));
  return body;
}

Result<Json> RegisterJobDefinitionBody(const std::string& name, const ContainerFlags& container,
                                       const std::vector<std::string>& parameters, int64_t timeout_seconds,
                                       int retry_attempts) {
  Result<Json> properties = ContainerJson(container);
  if (!properties.ok()) return properties.status();
  if (!properties->contains("command")) {
    return Status::InvalidArgument("a job definition needs a command: --command STRING, or the argv after --");
  }
  Json body{{"jobDefinitionName", name}, {"type", "container"}, {"containerProperties", std::move(*properties)}};
  NS_RETURN_IF_ERROR(AddJobOptions(body, parameters, timeout_seconds, retry_attempts));
  return body;
}

}  // namespace nightshift::cli
