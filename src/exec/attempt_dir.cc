#include "exec/attempt_dir.h"

#include <string_view>

namespace nightshift::exec {
namespace {

constexpr size_t kMaxNameBytes = 255;  // NAME_MAX

bool IsSinglePathComponent(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

}  // namespace

Result<AttemptDir> AttemptDirFor(const std::string& root, const AttemptKey& key) {
  if (!IsSinglePathComponent(key.job_id)) {
    return Status::InvalidArgument("job id '" + key.job_id + "' is not usable as a directory name");
  }
  if (key.attempt < 1) {
    return Status::InvalidArgument("attempt must be >= 1, got " + std::to_string(key.attempt));
  }
  std::string name = key.job_id + "." + std::to_string(key.attempt);
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument("job id '" + key.job_id + "' is too long for a directory name");
  }
  return AttemptDir{root + "/" + name};
}

}  // namespace nightshift::exec
