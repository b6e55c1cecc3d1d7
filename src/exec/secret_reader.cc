#include "exec/secret_reader.h"

#include <climits>
#include <cstdlib>
#include <cstring>

#include "core/job_identity.h"
#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

Result<std::string> RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return ErrnoStatus(path);
  return std::string(resolved);
}

Result<std::string> ReadSecret(const core::SecretRef& ref, const std::string& secrets_dir) {
  Result<std::string> dir = RealPath(secrets_dir);
  if (!dir.ok()) return Status::InvalidArgument("the secrets directory " + dir.status().message());
  // The reference is checked against the directory as configured and as resolved.
  Result<std::string> path = core::SecretPath(ref.value_from, secrets_dir);
  if (!path.ok()) path = core::SecretPath(ref.value_from, *dir);
  if (!path.ok()) return path.status();
  Result<std::string> file = RealPath(*path);
  if (!file.ok()) return Status::InvalidArgument(file.status().message());
  if (file->compare(0, dir->size() + 1, *dir + "/") != 0) {
    return Status::InvalidArgument(*path + " resolves to " + *file + ", outside the secrets directory " + *dir);
  }
  Result<std::string> value = ReadSmallFile(*file, kMaxSecretBytes);
  if (!value.ok()) return Status::InvalidArgument(value.status().message());
  if (!value->empty() && value->back() == '\n') value->pop_back();
  if (value->find('\0') != std::string::npos) return Status::InvalidArgument(*file + " holds a NUL byte");
  return value;
}

}  // namespace

Result<std::vector<core::EnvVar>> ReadSecrets(const std::vector<core::SecretRef>& secrets,
                                              const std::string& secrets_dir) {
  std::vector<core::EnvVar> env;
  for (const core::SecretRef& ref : secrets) {
    Result<std::string> value = ReadSecret(ref, secrets_dir);
    if (!value.ok()) {
      return Status::InvalidArgument("secret " + ref.name + " (valueFrom " + ref.value_from +
                                     "): " + value.status().message());
    }
    env.push_back({ref.name, std::move(*value)});
  }
  return env;
}

}  // namespace nightshift::exec
