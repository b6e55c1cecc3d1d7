// JournalReader: a server's view of one supervisor's journal (exec/journal.h), all its segments
// under <root>/journal (exec/local_layout.h): what it says, whether its supervisor still runs
// (holds the segments' flocks), and, once that supervisor is gone, the one place where a server
// appends to it (kind lost records) or deletes it.
//
// Thread-safety: not thread-safe; a plain object owned by LocalExecutor on its loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exec/journal.h"
#include "exec/posix_util.h"
#include "util/status.h"

namespace nightshift::exec {

// The supervisors that have a journal under root, sorted; none if there is no journal dir.
[[nodiscard]] Result<std::vector<std::string>> ListJournalSupervisors(const std::string& root);

class JournalReader {
 public:
  // Opens and reads every segment of `supervisor`'s journal and checks its locks (TryTakeLocks).
  // NotFound if it has no segment.
  [[nodiscard]] static Result<std::unique_ptr<JournalReader>> Open(std::string root, std::string supervisor);
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  const std::string& supervisor() const { return supervisor_; }
  const JournalParser& parsed() const { return parsed_; }
  const std::string& last_segment_path() const { return segments_.back().path; }

  // Reads what was appended since the last read, and segments created since.
  [[nodiscard]] Status Refresh();
  // True if the supervisor is gone: every segment's flock was free, and is now held by this
  // reader (so no other server concludes the journal at the same time). Stays true. On the call
  // that finds it gone, reads what the supervisor wrote since the last read (Refresh), so that
  // parsed() is then the journal's final state.
  bool TryTakeLocks();
  bool dead() const { return dead_; }

  // Appends a record to the last segment (starting a new line after a torn tail) and reads it
  // back. Only once dead().
  [[nodiscard]] Status Append(std::string_view record);
  // Unlinks every segment. Only once dead().
  void Delete();

 private:
  struct Segment {
    uint64_t n = 0;
    std::string path;
    UniqueFd fd;
    int64_t read = 0;  // bytes fed to parsed_
  };

  JournalReader(std::string root, std::string supervisor)
      : root_(std::move(root)), supervisor_(std::move(supervisor)) {}
  [[nodiscard]] Status OpenNewSegments();
  [[nodiscard]] Status ReadTail(Segment& segment);

  std::string root_;
  std::string supervisor_;
  std::vector<Segment> segments_;  // oldest first
  JournalParser parsed_;
  bool dead_ = false;
};

}  // namespace nightshift::exec
