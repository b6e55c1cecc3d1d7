#include "exec/local_layout.h"

#include <cstdint>

#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

constexpr size_t kMaxNameBytes = 255;  // NAME_MAX
constexpr std::string_view kLogSuffix = ".log";
constexpr std::string_view kJournalSuffix = ".journal";

bool IsSinglePathComponent(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

bool HasWhitespace(std::string_view name) { return name.find_first_of(" \t\n\r\v\f") != std::string_view::npos; }

std::string Join(const std::string& root, std::string_view name, std::string_view suffix = {}) {
  return std::string(root).append("/").append(name).append(suffix);
}

}  // namespace

Result<std::string> AttemptName(const AttemptKey& key) {
  if (!IsSinglePathComponent(key.job_id) || HasWhitespace(key.job_id)) {
    return Status::InvalidArgument("job id '" + key.job_id + "' is not usable as a file name");
  }
  if (key.attempt < 1) {
    return Status::InvalidArgument("attempt must be >= 1, got " + std::to_string(key.attempt));
  }
  std::string name = key.job_id + "." + std::to_string(key.attempt);
  if (name.size() + kLogSuffix.size() > kMaxNameBytes) {
    return Status::InvalidArgument("job id '" + key.job_id + "' is too long for a file name");
  }
  return name;
}

std::optional<AttemptKey> ParseAttemptName(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::optional<int64_t> attempt = ParseInt64(name.substr(dot + 1));
  if (!attempt || *attempt < 1 || *attempt > INT32_MAX) return std::nullopt;
  return AttemptKey{std::string(name.substr(0, dot)), static_cast<int>(*attempt)};
}

std::string LogPathOf(const std::string& root, std::string_view name) { return Join(root, name, kLogSuffix); }

std::string SharedWorkDirOf(const std::string& root) { return Join(root, "work"); }

std::string RunAsDirOf(const std::string& root, std::string_view name) { return Join(root, name); }

std::string RunAsWorkDirOf(const std::string& root, std::string_view name) {
  return Join(root, name, "/work");
}

std::string JournalDirOf(const std::string& root) { return Join(root, "journal"); }

std::string JournalSegmentPath(const std::string& root, std::string_view supervisor, uint64_t n) {
  return Join(JournalDirOf(root), supervisor, "." + std::to_string(n) + std::string(kJournalSuffix));
}

std::optional<JournalSegmentName> ParseJournalSegmentName(std::string_view file_name) {
  if (file_name.size() <= kJournalSuffix.size() ||
      file_name.substr(file_name.size() - kJournalSuffix.size()) != kJournalSuffix) {
    return std::nullopt;
  }
  file_name.remove_suffix(kJournalSuffix.size());
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::optional<int64_t> n = ParseInt64(file_name.substr(dot + 1));
  if (!n || *n < 1 || file_name.substr(dot + 1).front() == '-') return std::nullopt;
  return JournalSegmentName{std::string(file_name.substr(0, dot)), static_cast<uint64_t>(*n)};
}

std::string LegacyStatePath(const std::string& root, std::string_view name) {
  return Join(root, name, "/state");
}

std::string LegacyLogPath(const std::string& root, std::string_view name) { return Join(root, name, "/log"); }

}  // namespace nightshift::exec
