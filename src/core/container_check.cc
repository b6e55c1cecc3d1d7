#include "core/container_check.h"

#include <array>
#include <set>
#include <string>

namespace nightshift::core {
namespace {

constexpr size_t kMaxImageLength = 255;

constexpr std::array<std::string_view, 15> kUlimitNames = {
    "core",   "cpu",    "data",  "fsize",  "locks",   "memlock",    "msgqueue", "nice",
    "nofile", "nproc",  "rss",   "rtprio", "rttime",  "sigpending", "stack"};

bool IsImageChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_:./#@").find(c) != std::string_view::npos;
}

Status Invalid(std::string_view field, const std::string& what) {
  return Status::InvalidArgument(std::string(field) + what);
}

// An absolute path usable in `podman run -v SOURCE:TARGET[:ro]`.
Status CheckPath(std::string_view path, std::string_view field) {
  if (path.empty() || path.front() != '/') return Invalid(field, " must be an absolute path");
  if (path.find(':') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    return Invalid(field, " must not contain ':' or NUL");
  }
  return Status::Ok();
}

std::string Item(std::string_view field, std::string_view list, size_t i) {
  return std::string(field) + "." + std::string(list) + "[" + std::to_string(i) + "]";
}

Status CheckVolumes(const ContainerSettings& c, std::string_view field) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < c.volumes.size(); ++i) {
    const Volume& v = c.volumes[i];
    const std::string item = Item(field, "volumes", i);
    if (v.name.empty()) return Invalid(item, ".name is required");
    if (!names.insert(v.name).second) return Invalid(item, ".name: duplicate volume name " + v.name);
    if (v.source_path.empty()) {
      return Invalid(item, ".host.sourcePath is required: nightshift mounts host directories only");
    }
    NS_RETURN_IF_ERROR(CheckPath(v.source_path, item + ".host.sourcePath"));
  }
  for (size_t i = 0; i < c.mount_points.size(); ++i) {
    const MountPoint& m = c.mount_points[i];
    const std::string item = Item(field, "mountPoints", i);
    if (names.count(m.source_volume) == 0) {
      return Invalid(item, ".sourceVolume: no volume named '" + m.source_volume + "'");
    }
    NS_RETURN_IF_ERROR(CheckPath(m.container_path, item + ".containerPath"));
  }
  return Status::Ok();
}

Status CheckUlimits(const ContainerSettings& c, std::string_view field) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < c.ulimits.size(); ++i) {
    const Ulimit& u = c.ulimits[i];
    const std::string item = Item(field, "ulimits", i);
    if (!IsKnownUlimitName(u.name)) return Invalid(item, ".name: unknown ulimit '" + u.name + "'");
    if (!names.insert(u.name).second) return Invalid(item, ".name: duplicate ulimit " + u.name);
    if (u.soft_limit < 0 || u.hard_limit < 0 || u.soft_limit > u.hard_limit) {
      return Invalid(item, ": softLimit and hardLimit must satisfy 0 <= softLimit <= hardLimit");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsKnownUlimitName(std::string_view name) {
  for (std::string_view known : kUlimitNames) {
    if (known == name) return true;
  }
  return false;
}

Status CheckImageReference(std::string_view image, std::string_view field) {
  if (image.empty()) return Invalid(field, " must not be empty");
  if (image.size() > kMaxImageLength) return Invalid(field, " is longer than 255 characters");
  for (char c : image) {
    if (!IsImageChar(c)) {
      return Invalid(field, ": invalid character '" + std::string(1, c) +
                                "' in image reference (allowed: letters, digits, - _ : . / # @)");
    }
  }
  return Status::Ok();
}

Status CheckContainerSettings(const ContainerSettings& settings, std::string_view field) {
  NS_RETURN_IF_ERROR(CheckVolumes(settings, field));
  NS_RETURN_IF_ERROR(CheckUlimits(settings, field));
  if (!settings.working_dir.empty()) {
    NS_RETURN_IF_ERROR(CheckPath(settings.working_dir, std::string(field) + ".workingDirectory"));
  }
  return Status::Ok();
}

}  // namespace nightshift::core
