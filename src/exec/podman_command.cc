#include "exec/podman_command.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/text.h"

namespace nightshift::exec {
namespace {

constexpr int kPodmanError = 125;       // podman itself failed
constexpr int kCannotInvoke = 126;      // the command or the container could not be invoked
constexpr int kCommandNotFound = 127;
constexpr int kKilledExit = 128 + 9;    // SIGKILL

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

std::string PullFlag(PullPolicy pull) {
  switch (pull) {
    case PullPolicy::kNever:
      return "--pull=never";
    case PullPolicy::kAlways:
      return "--pull=always";
    case PullPolicy::kMissing:
      break;
  }
  return "--pull=missing";
}

// "1", "0.5", "2.25": as few digits as the value needs.
std::string FormatCpus(double vcpus) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", vcpus);
  std::string text = buf;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string UlimitArg(const core::Ulimit& u) {
  return u.name + "=" + std::to_string(u.soft_limit) + ":" + std::to_string(u.hard_limit);
}

bool SetsUlimit(const core::ContainerSettings& c, std::string_view name) {
  for (const core::Ulimit& u : c.ulimits) {
    if (u.name == name) return true;
  }
  return false;
}

void AddUlimits(const PodmanSettings& settings, const core::ContainerSettings& c, std::vector<std::string>& argv) {
  for (const std::optional<core::Ulimit>& fallback : {settings.default_nofile, settings.default_nproc}) {
    if (fallback && !SetsUlimit(c, fallback->name)) argv.push_back("--ulimit=" + UlimitArg(*fallback));
  }
  for (const core::Ulimit& u : c.ulimits) argv.push_back("--ulimit=" + UlimitArg(u));
}

void AddVolumes(const core::ContainerSettings& c, std::vector<std::string>& argv) {
  for (const core::MountPoint& m : c.mount_points) {
    for (const core::Volume& v : c.volumes) {
      if (v.name != m.source_volume) continue;
      argv.push_back("--volume=" + v.source_path + ":" + m.container_path + (m.read_only ? ":ro" : ""));
    }
  }
}

void AddResources(const PodmanSettings& settings, const LaunchRequest& request, std::vector<std::string>& argv) {
  const core::Resources& r = request.container->resources;
  if (r.memory_mib > 0) {
    if (settings.memory == MemoryMode::kAttemptCgroup) {
      argv.push_back("--cgroup-parent=" + AttemptCgroupOf(ContainerNameOf(request.key)));
    } else {
      argv.push_back("--memory=" + std::to_string(r.memory_mib) + "m");
      argv.push_back("--memory-swap=" + std::to_string(r.memory_mib) + "m");  // no swap, as on AWS
    }
  }
  if (r.vcpus > 0) argv.push_back("--cpus=" + FormatCpus(r.vcpus));
}

// podman's own error: the last non-empty line, when it starts with "Error: " (without that).
std::optional<std::string> LastPodmanError(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const size_t start = text.rfind('\n');
  std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
  if (line.rfind("Error: ", 0) != 0) return std::nullopt;
  return std::string(line.substr(7));
}

bool IsImageError(std::string_view error) {
  for (std::string_view sign : {"image not known", "invalid reference format", "repository name must",
                                "pull", "manifest", "short-name", "unable to find image", "reference"}) {
    if (error.find(sign) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> ListContainersArgs(const std::string& owner) {
  return {"ps", "--all", "--filter=label=" + std::string(kContainerLabelOwner) + "=" + owner,
          "--format={{.Names}} {{index .Labels \"" + std::string(kContainerLabelAttempt) + "\"}} {{index .Labels \"" +
              std::string(kContainerLabelJob) + "\"}}"};
}

std::vector<ListedContainer> ParseListedContainers(std::string_view output) {
  std::vector<ListedContainer> containers;
  while (!output.empty()) {
    const std::string_view line = TakeLine(output);
    const size_t first = line.find(' ');
    const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string attempt(line.substr(first + 1, second - first - 1));
    char* end = nullptr;
    const long number = std::strtol(attempt.c_str(), &end, 10);
    if (attempt.empty() || *end != '\0' || number < 1 || second + 1 >= line.size()) continue;
    containers.push_back({std::string(line.substr(0, first)), {std::string(line.substr(second + 1)), static_cast<int>(number)}});
  }
  return containers;
}

std::optional<PullPolicy> ParsePullPolicy(std::string_view text) {
  if (text == "never") return PullPolicy::kNever;
  if (text == "missing") return PullPolicy::kMissing;
  if (text == "always") return PullPolicy::kAlways;
  return std::nullopt;
}

std::string ContainerNameOf(const AttemptKey& key) {
  std::string name = "nightshift-" + key.job_id + "-" + std::to_string(key.attempt);
  for (char& c : name) {
    if (!IsNameChar(c)) c = '_';
  }
  return name;
}

std::string AttemptCgroupOf(std::string_view container_name) {
  return "/nightshift/" + std::string(container_name);
}

std::vector<std::string> PodmanPrefix(const PodmanSettings& settings) {
  std::vector<std::string> argv = {settings.podman};
  if (!settings.runtime.empty()) argv.push_back("--runtime=" + settings.runtime);
  // A cgroup parent given as a path needs the cgroupfs manager (systemd's takes slice names).
  if (settings.memory == MemoryMode::kAttemptCgroup) argv.push_back("--cgroup-manager=cgroupfs");
  return argv;
}

std::vector<std::string> PodmanRunArgv(const PodmanSettings& settings, const LaunchRequest& request,
                                       const std::vector<core::EnvVar>& environment,
                                       const std::vector<std::string>& secret_names) {
  const ContainerRequest& c = *request.container;
  std::vector<std::string> argv = PodmanPrefix(settings);
  for (std::string arg : {std::string("run"), std::string("--rm"), PullFlag(settings.pull),
                          "--name=" + ContainerNameOf(request.key),
                          "--label=" + std::string(kContainerLabelJob) + "=" + request.key.job_id,
                          "--label=" + std::string(kContainerLabelAttempt) + "=" + std::to_string(request.key.attempt),
                          "--label=" + std::string(kContainerLabelOwner) + "=" + settings.owner}) {
    argv.push_back(std::move(arg));
  }
  if (!c.settings.network) argv.push_back("--network=none");
  AddResources(settings, request, argv);
  AddUlimits(settings, c.settings, argv);
  if (!c.user.empty()) argv.push_back("--user=" + c.user);
  if (c.settings.readonly_root_filesystem) argv.push_back("--read-only");
  if (c.settings.privileged) argv.push_back("--privileged");
  AddVolumes(c.settings, argv);
  if (!c.settings.working_dir.empty()) argv.push_back("--workdir=" + c.settings.working_dir);
  for (const core::EnvVar& var : environment) argv.push_back("--env=" + var.name + "=" + var.value);
  for (const std::string& name : secret_names) argv.push_back("--env=" + name);
  argv.push_back(c.image);
  argv.insert(argv.end(), request.argv.begin(), request.argv.end());
  return argv;
}

core::AttemptOutcome DecodePodmanExit(const PodmanExit& exit) {
  core::AttemptOutcome outcome;
  outcome.kind = core::AttemptOutcome::Kind::kExited;
  outcome.exit_code = exit.exit_code;
  const bool podman_code =
      exit.exit_code == kPodmanError || exit.exit_code == kCannotInvoke || exit.exit_code == kCommandNotFound;
  if (std::optional<std::string> error = podman_code ? LastPodmanError(exit.stderr_tail) : std::nullopt) {
    outcome.kind = core::AttemptOutcome::Kind::kSpawnFailed;
    outcome.exit_code = 0;
    outcome.message = *error;
    outcome.reason = (IsImageError(*error) ? "CannotPullContainerError: " : "CannotStartContainerError: ") + *error;
    return outcome;
  }
  if (exit.exit_code == kKilledExit && !exit.stopped_by_us && (exit.memory_limit_hit || exit.memory_flag_mode)) {
    outcome.reason = kOutOfMemoryReason;
  }
  return outcome;
}

}  // namespace nightshift::exec
