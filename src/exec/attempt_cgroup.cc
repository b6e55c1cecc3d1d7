#include "exec/attempt_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

Status MakeDirs(const std::string& path) {
  for (size_t slash = path.find('/', 1); ; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + prefix);
    if (slash == std::string::npos) return Status::Ok();
  }
}

Status WriteValue(const std::string& path, const std::string& value) {
  Result<UniqueFd> fd = OpenFile(path, O_WRONLY | O_TRUNC);
  if (!fd.ok()) return fd.status();
  Status written = WriteAll(fd->get(), value);
  return written.ok() ? written : Status::Internal("write " + path + ": " + written.message());
}

// Some kernels count no failed charge when the OOM killer ends the charging task: a peak this
// close to the limit counts as reaching it.
constexpr int64_t kLimitSlackBytes = 256 * 1024;

std::optional<int64_t> ReadNumber(const std::string& path) {
  Result<UniqueFd> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) return std::nullopt;
  Result<std::string> text = ReadFileAt(fd->get(), 0, 64);
  if (!text.ok()) return std::nullopt;
  return ParseInt64(text->substr(0, text->find('\n')));
}

std::vector<std::string> SubdirsOf(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != ".." && e->d_type == DT_DIR) names.push_back(name);
  }
  ::closedir(d);
  return names;
}

}  // namespace

Status CreateAttemptCgroup(const std::string& root, const std::string& parent, int64_t limit_bytes) {
  const std::string dir = root + "/memory" + parent;
  NS_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string limit = std::to_string(limit_bytes);
  // memsw may not be below the memory limit: memory first, then memsw to the same value.
  NS_RETURN_IF_ERROR(WriteValue(dir + "/memory.limit_in_bytes", limit));
  const std::string memsw = dir + "/memory.memsw.limit_in_bytes";
  if (::access(memsw.c_str(), F_OK) == 0) NS_RETURN_IF_ERROR(WriteValue(memsw, limit));
  return Status::Ok();
}

bool AttemptCgroupHitLimit(const std::string& root, const std::string& parent, int64_t limit_bytes) {
  const std::string dir = root + "/memory" + parent;
  for (const char* counter : {"memory.failcnt", "memory.memsw.failcnt"}) {
    std::optional<int64_t> failures = ReadNumber(dir + "/" + counter);
    if (failures && *failures > 0) return true;
  }
  std::optional<int64_t> peak = ReadNumber(dir + "/memory.max_usage_in_bytes");
  return peak && *peak >= limit_bytes - kLimitSlackBytes;
}

void RemoveAttemptCgroup(const std::string& root, const std::string& parent) {
  for (const std::string& hierarchy : SubdirsOf(root)) {
    const std::string dir = root + "/" + hierarchy + parent;
    for (const std::string& child : SubdirsOf(dir)) ::rmdir((dir + "/" + child).c_str());
    ::rmdir(dir.c_str());
  }
}

}  // namespace nightshift::exec
