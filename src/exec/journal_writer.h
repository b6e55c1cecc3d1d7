// JournalWriter: nightshift-supervisor's side of its journal (exec/journal.h), in segments under
// <root>/journal (exec/local_layout.h). It keeps every segment it has not deleted open and
// flock-ed for the life of the process, so that "lock held" means "this supervisor still runs".
//
// Rotation and deletion keep the journal small: after rotate_records records the supervisor starts
// a new segment that begins with the `launch` and `job` records of the attempts still running, so
// an older segment is needed only for the outcomes recorded in it; once the server has committed
// those (committed_seq of its launch messages), the segment is deleted.
//
// Nothing is fsync-ed: the journal must survive a server crash, not a machine crash.
//
// Thread-safety: not thread-safe; the supervisor uses it from its only thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "exec/posix_util.h"
#include "util/status.h"

namespace nightshift::exec {

class JournalWriter {
 public:
  static constexpr uint64_t kDefaultRotateRecords = 4096;

  // Creates <root>/journal if need be (0700) and the first segment of `supervisor`'s journal,
  // locked. rotate_records >= 1.
  [[nodiscard]] static Result<std::unique_ptr<JournalWriter>> Create(std::string root,
                                                                     std::string supervisor,
                                                                     uint64_t rotate_records);
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Appends one record (whole lines) with one write to the current segment.
  [[nodiscard]] Status Append(std::string_view record);
  // The same for an exit record reported by the ended message numbered seq.
  [[nodiscard]] Status AppendExit(std::string_view record, uint64_t seq);

  // The current segment holds rotate_records records or more.
  bool WantsRotation() const;
  // Starts the next segment with `carried` (the records of the attempts still running) as its
  // first write. On failure the current segment stays current.
  [[nodiscard]] Status Rotate(std::string_view carried);
  // Deletes every segment but the current one whose exit records all have seq <= committed_seq.
  void Release(uint64_t committed_seq);

  size_t segment_count() const { return segments_.size(); }

 private:
  struct Segment {
    uint64_t n = 0;
    std::string path;
    UniqueFd fd;
    uint64_t records = 0;
    uint64_t max_seq = 0;
  };

  JournalWriter(std::string root, std::string supervisor, uint64_t rotate_records)
      : root_(std::move(root)), supervisor_(std::move(supervisor)), rotate_records_(rotate_records) {}
  [[nodiscard]] Result<Segment> CreateSegment(uint64_t n) const;

  std::string root_;
  std::string supervisor_;
  uint64_t rotate_records_;
  std::deque<Segment> segments_;  // oldest first; the last one is current
};

}  // namespace nightshift::exec
