#include "exec/journal_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "exec/local_layout.h"

namespace nightshift::exec {
namespace {

constexpr size_t kMaxSegmentBytes = size_t{1} << 30;

// The journal segments in dir: supervisor -> segment numbers.
Result<std::map<std::string, std::set<uint64_t>>> ListSegments(const std::string& dir) {
  std::map<std::string, std::set<uint64_t>> found;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return found;
    return ErrnoStatus("opendir " + dir);
  }
  while (const dirent* entry = ::readdir(d)) {
    if (std::optional<JournalSegmentName> name = ParseJournalSegmentName(entry->d_name)) {
      found[name->supervisor].insert(name->n);
    }
  }
  ::closedir(d);
  return found;
}

}  // namespace

Result<std::vector<std::string>> ListJournalSupervisors(const std::string& root) {
  Result<std::map<std::string, std::set<uint64_t>>> found = ListSegments(JournalDirOf(root));
  if (!found.ok()) return found.status();
  std::vector<std::string> supervisors;
  for (const auto& [supervisor, segments] : *found) supervisors.push_back(supervisor);
  return supervisors;
}

Result<std::unique_ptr<JournalReader>> JournalReader::Open(std::string root, std::string supervisor) {
  std::unique_ptr<JournalReader> reader(new JournalReader(std::move(root), std::move(supervisor)));
  NS_RETURN_IF_ERROR(reader->OpenNewSegments());
  if (reader->segments_.empty()) return Status::NotFound("no journal of " + reader->supervisor_);
  reader->TryTakeLocks();
  return reader;
}

Status JournalReader::Refresh() {
  if (!segments_.empty()) NS_RETURN_IF_ERROR(ReadTail(segments_.back()));
  return OpenNewSegments();
}

// Segments newer than the last one read, in order; one deleted meanwhile is skipped.
Status JournalReader::OpenNewSegments() {
  Result<std::map<std::string, std::set<uint64_t>>> found = ListSegments(JournalDirOf(root_));
  if (!found.ok()) return found.status();
  const uint64_t last = segments_.empty() ? 0 : segments_.back().n;
  for (uint64_t n : (*found)[supervisor_]) {
    if (n <= last) continue;
    Segment segment{n, JournalSegmentPath(root_, supervisor_, n), UniqueFd(), 0};
    Result<UniqueFd> fd = OpenFile(segment.path, O_RDWR | O_APPEND);
    if (!fd.ok() && fd.status().code() == StatusCode::kNotFound) continue;
    if (!fd.ok()) return fd.status();
    segment.fd = std::move(*fd);
    if (dead_) ::flock(segment.fd.get(), LOCK_EX | LOCK_NB);  // its writer is gone: ours, like the rest
    if (!segments_.empty()) parsed_.EndSegment();
    segments_.push_back(std::move(segment));
    NS_RETURN_IF_ERROR(ReadTail(segments_.back()));
  }
  return Status::Ok();
}

Status JournalReader::ReadTail(Segment& segment) {
  Result<std::string> text = ReadFileAt(segment.fd.get(), segment.read, kMaxSegmentBytes);
  if (!text.ok()) return Status(text.status().code(), segment.path + ": " + text.status().message());
  segment.read += static_cast<int64_t>(text->size());
  parsed_.Feed(*text);
  return Status::Ok();
}

bool JournalReader::TryTakeLocks() {
  if (dead_) return true;
  for (Segment& segment : segments_) {
    if (RetryEintr([&] { return ::flock(segment.fd.get(), LOCK_EX | LOCK_NB); }) != 0) {
      for (Segment& taken : segments_) ::flock(taken.fd.get(), LOCK_UN);
      return false;
    }
  }
  dead_ = true;
  // Its supervisor may have written (an outcome, a new segment) after our last read and before it
  // exited: read the journal's final state, which nothing changes now but us.
  [[maybe_unused]] Status refreshed = Refresh();
  return true;
}

Status JournalReader::Append(std::string_view record) {
  Segment& last = segments_.back();
  NS_RETURN_IF_ERROR(ReadTail(last));  // everything its supervisor wrote, to know where we are
  std::string text = parsed_.ends_mid_line() ? "\n" : "";
  text.append(record);
  Status written = WriteAll(last.fd.get(), text);
  if (!written.ok()) return Status(written.code(), last.path + ": " + written.message());
  return ReadTail(last);
}

void JournalReader::Delete() {
  for (const Segment& segment : segments_) ::unlink(segment.path.c_str());
}

}  // namespace nightshift::exec
