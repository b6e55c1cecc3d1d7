#include "core/job_identity.h"

#include <cctype>

namespace nightshift::core {
namespace {

constexpr std::string_view kFileScheme = "file://";

const std::string* RunAsTagOf(const std::map<std::string, std::string>& tags) {
  auto it = tags.find(kRunAsTag);
  return it == tags.end() || it->second.empty() ? nullptr : &it->second;
}

bool IsPlainName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find(':') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

// An absolute path without empty, "." or ".." segments (so a prefix test is a containment test).
bool IsCleanAbsolutePath(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == ".." || segment.find('\0') != std::string_view::npos) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

Status BadForm(std::string_view value_from) {
  return Status::InvalidArgument("secret valueFrom '" + std::string(value_from) +
                                 "' must be file:///ABSOLUTE/PATH (in the server's secrets directory) or the name of a "
                                 "file in that directory");
}

}  // namespace

Result<std::string> ChooseRunAs(const JobQueue* queue, const ComputeEnvironment* ce, const JobSpec& spec,
                                const RunAsPolicy& policy) {
  if (queue) {
    if (const std::string* user = RunAsTagOf(queue->tags)) return *user;
  }
  if (ce) {
    if (const std::string* user = RunAsTagOf(ce->tags)) return *user;
  }
  if (!spec.user.empty()) return spec.user;
  if (!policy.refuse_unchosen_root) return std::string();
  return Status::InvalidArgument(
      "refusing to run the job as root: the server runs as root and no user was chosen for it (tag " +
      std::string(kRunAsTag) + " on job queue " + (queue ? queue->name : std::string("?")) +
      " or compute environment " + (ce ? ce->name : std::string("?")) +
      ", e.g. nightshift queue create --run-as USER; or containerProperties.user in the job definition; "
      "or start the server with --allow-root-jobs)");
}

Status CheckUserName(std::string_view user, std::string_view field) {
  bool ok = !user.empty() && user.size() <= 32 && user.front() != '-';
  for (char c : user) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument(std::string(field) + " '" + std::string(user) +
                                 "' is not a user name (letters, digits, _ - ., at most 32) or a uid");
}

Status CheckSecretRef(const SecretRef& ref, std::string_view field) {
  const std::string where(field);
  if (ref.name.empty() || ref.name.find('=') != std::string::npos || ref.name.find('\0') != std::string::npos) {
    return Status::InvalidArgument(where + ".name '" + ref.name + "' is not an environment variable name");
  }
  if (ref.name.rfind("AWS_BATCH", 0) == 0) {
    return Status::InvalidArgument(where + ".name: names starting with AWS_BATCH are reserved");
  }
  const std::string_view from = ref.value_from;
  const bool ok = from.substr(0, kFileScheme.size()) == kFileScheme
                      ? IsCleanAbsolutePath(from.substr(kFileScheme.size()))
                      : IsPlainName(from);
  if (!ok) return Status::InvalidArgument(where + ".valueFrom: " + BadForm(from).message());
  return Status::Ok();
}

Result<std::string> SecretPath(std::string_view value_from, std::string_view secrets_dir) {
  NS_RETURN_IF_ERROR(CheckSecretRef({"SECRET", std::string(value_from)}, "secret"));
  if (value_from.substr(0, kFileScheme.size()) != kFileScheme) {
    return std::string(secrets_dir) + "/" + std::string(value_from);
  }
  std::string path(value_from.substr(kFileScheme.size()));
  const std::string prefix = std::string(secrets_dir) + "/";
  if (path.compare(0, prefix.size(), prefix) != 0) {
    return Status::InvalidArgument("secret valueFrom '" + std::string(value_from) +
                                   "' is outside the server's secrets directory " + std::string(secrets_dir));
  }
  return path;
}

}  // namespace nightshift::core
