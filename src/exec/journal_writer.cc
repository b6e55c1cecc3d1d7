#include "exec/journal_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "exec/local_layout.h"

namespace nightshift::exec {
namespace {

Status MakeDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return Status::Ok();
  return ErrnoStatus("mkdir " + path);
}

}  // namespace

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(std::string root, std::string supervisor,
                                                             uint64_t rotate_records) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return ErrnoStatus("mkdir " + root, ec.value());
  NS_RETURN_IF_ERROR(MakeDir(JournalDirOf(root), 0700));
  std::unique_ptr<JournalWriter> writer(
      new JournalWriter(std::move(root), std::move(supervisor), std::max<uint64_t>(1, rotate_records)));
  Result<Segment> first = writer->CreateSegment(1);
  if (!first.ok()) return first.status();
  writer->segments_.push_back(std::move(*first));
  return writer;
}

// Created under a temporary name and renamed once locked: a reader never sees an unlocked segment
// of a live supervisor.
Result<JournalWriter::Segment> JournalWriter::CreateSegment(uint64_t n) const {
  Segment segment;
  segment.n = n;
  segment.path = JournalSegmentPath(root_, supervisor_, n);
  const std::string temporary = segment.path + ".tmp";
  Result<UniqueFd> fd = OpenFile(temporary, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
  if (!fd.ok()) return fd.status();
  if (RetryEintr([&] { return ::flock(fd->get(), LOCK_EX | LOCK_NB); }) != 0) {
    return ErrnoStatus("flock " + temporary);
  }
  if (::rename(temporary.c_str(), segment.path.c_str()) != 0) {
    Status error = ErrnoStatus("rename " + temporary);
    ::unlink(temporary.c_str());
    return error;
  }
  segment.fd = std::move(*fd);
  return segment;
}

Status JournalWriter::Append(std::string_view record) {
  Segment& current = segments_.back();
  ++current.records;
  return WriteAll(current.fd.get(), record);
}

Status JournalWriter::AppendExit(std::string_view record, uint64_t seq) {
  segments_.back().max_seq = std::max(segments_.back().max_seq, seq);
  return Append(record);
}

bool JournalWriter::WantsRotation() const { return segments_.back().records >= rotate_records_; }

Status JournalWriter::Rotate(std::string_view carried) {
  Result<Segment> next = CreateSegment(segments_.back().n + 1);
  if (!next.ok()) return next.status();
  Status written = carried.empty() ? Status::Ok() : WriteAll(next->fd.get(), carried);
  if (!written.ok()) {
    ::unlink(next->path.c_str());
    return written;
  }
  segments_.push_back(std::move(*next));
  return Status::Ok();
}

void JournalWriter::Release(uint64_t committed_seq) {
  for (auto it = segments_.begin(); it + 1 < segments_.end();) {
    if (it->max_seq > committed_seq) {
      ++it;
      continue;
    }
    ::unlink(it->path.c_str());  // before the close that drops its lock
    it = segments_.erase(it);
  }
}

}  // namespace nightshift::exec
