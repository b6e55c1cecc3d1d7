#include "exec/attempt_dir.h"

#include <string_view>

namespace nightshift::exec {
namespace {

bool IsSinglePathComponent(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 255) return false;
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
  return AttemptDir{root + "/" + key.job_id + "/" + std::to_string(key.attempt)};
}

}  // namespace nightshift::exec
