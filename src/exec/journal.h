// Journal: the record format of a supervisor's journal (exec/local_layout.h), the one append-only
// file in which nightshift-supervisor records every attempt it runs, and which outlives both the
// supervisor and the server: a server started later learns from it what happened while no server
// was there.
//
// Format: UTF-8 text lines, only ever appended, each record by one write(2) on an O_APPEND fd, so
// that a writer that dies leaves whole records or a torn tail. An attempt is named
// "<job_id>.<attempt>" (AttemptName in exec/local_layout.h: no whitespace).
//   launch <name>      the supervisor took the attempt; written before it starts the job.
//   job <name> <pid>   the job's pid, which is also its process group id; once it was spawned.
//   exit <name>        the attempt's outcome: an exit record in exec/exit_record.h's format,
//   <exit record>      starting with its `kind` line, closed by `end`, all in one write. The first
//   end                complete one for a name is the outcome; later ones are ignored. Written
//                      by the supervisor, or by a server (kind lost) for a supervisor that died.
//   detached           the supervisor's server has gone (its control socket closed): every launch
//                      that server sent is recorded above, and no launch will follow.
// Lines the parser does not know (from a newer supervisor) are ignored. A journal may be split into
// segments (files); a new segment repeats the `launch` and `job` records of the attempts still
// running, so that older segments can be deleted. A reader feeds the segments in order.
// Example of a job that exited 0:
//   launch 0190a3c2-...-9f.1
//   job 0190a3c2-...-9f.1 4101
//   exit 0190a3c2-...-9f.1
//   kind exited
//   exit_code 0
//   signal 0
//   started_at 1700000000000
//   stopped_at 1700000000002
//   supervisor_max_rss_kb 1800
//   end
//
// Readers: a reader that holds the journal's flock sees everything its supervisor will ever
// write. Any other reader may see a prefix: a last line without its '\n', or an exit record without
// `end`, is treated as not written yet.
//
// Thread-safety: the format functions are pure; a JournalParser is a plain value (not shared).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "exec/exit_record.h"
#include "util/status.h"

namespace nightshift::exec {

// What a journal says about one attempt.
struct JournalEntry {
  std::optional<pid_t> job_pid;
  // The first complete exit record; an error if that record does not parse.
  std::optional<Result<ExitRecord>> exit;
};

// Reads a journal incrementally: bytes may be fed in any pieces, segments one after the other.
// Never fails: unknown lines and pid lines whose pid does not parse are ignored; an exit record
// that does not parse is kept as the error in JournalEntry::exit.
class JournalParser {
 public:
  // Applies every line that `bytes` completes; keeps an incomplete last line for the next call.
  void Feed(std::string_view bytes);
  // The end of a segment: its torn tail (incomplete line, exit record without `end`) is dropped,
  // so that it cannot join the next segment's first line.
  void EndSegment();

  const std::map<std::string, JournalEntry>& attempts() const { return attempts_; }
  const JournalEntry* Find(const std::string& name) const;
  bool detached() const { return detached_; }
  // The bytes fed so far end without '\n' (a torn write): an appender must start a new line.
  bool ends_mid_line() const { return !partial_.empty(); }

 private:
  void ApplyLine(std::string_view line);

  std::map<std::string, JournalEntry> attempts_;
  bool detached_ = false;
  std::string partial_;                     // an incomplete last line
  std::optional<std::string> record_name_;  // inside `exit <name>` ... `end`
  std::string record_text_;
};

std::string FormatLaunchRecord(std::string_view name);
std::string FormatJobRecord(std::string_view name, pid_t pid);
// `exit <name>`, the exit record and `end`.
std::string FormatExitJournalRecord(std::string_view name, const ExitRecord& record);
std::string FormatDetachedRecord();

}  // namespace nightshift::exec
