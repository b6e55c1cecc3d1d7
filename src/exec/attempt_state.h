// AttemptState: the content of an attempt's `state` file in the previous layout, a directory per
// attempt (exec/local_layout.h), which supervisors of earlier versions wrote. Today's supervisors
// write a journal instead (exec/journal.h); a server only reads these files, to adopt attempts
// started before an upgrade. The Format functions remain for tests that write such files.
//
// Format: UTF-8 text lines, only ever appended, each line (or group of lines) by one write(2) on
// an O_APPEND fd, so that a writer that dies leaves whole lines or nothing:
//   supervisor <pid> the pid of the nightshift-supervisor that runs the attempt, written with the
//                    job line (or the record of a job that could not be started).
//   job <pid>        the job's pid, which is also its process group id; once the job is spawned.
//                    Absent: no job process was ever started.
//   <exit record>    the outcome in exec/exit_record.h's format, starting with its `kind` line,
//   end              then `end`, in the same write. The first record closed by `end` is the
//                    attempt's outcome; anything after it but `supervisor` lines is ignored.
// Written by the supervisor, except that the server appends a record of kind lost for a supervisor
// that died without writing one. Example of a job that exited 0:
//   supervisor 4100
//   job 4101
//   kind exited
//   exit_code 0
//   signal 0
//   started_at 1700000000000
//   stopped_at 1700000000002
//   supervisor_max_rss_kb 1800
//   end
//
// Readers: a reader that holds the flock sees everything the supervisor will ever write. Any other
// reader may see a prefix; a last line without its '\n', or a record without `end`, is treated as
// not written yet.
//
// Thread-safety: pure functions over values.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "exec/exit_record.h"
#include "util/status.h"

namespace nightshift::exec {

struct AttemptState {
  std::optional<pid_t> supervisor_pid;
  std::optional<pid_t> job_pid;
  // The first record closed by `end`; an error if that record does not parse.
  std::optional<Result<ExitRecord>> exit;
  // The content ends without '\n' (a torn write); an appender must start a new line first.
  bool ends_mid_line = false;
};

// Never fails: lines it does not know (from a newer supervisor) are ignored, as are pid lines whose pid
// does not parse; a record that does not parse is reported as the error in `exit`.
AttemptState ParseAttemptState(std::string_view text);

// "supervisor <pid>\n"
std::string FormatSupervisorLine(pid_t pid);
// "job <pid>\n"
std::string FormatJobLine(pid_t pid);
// The exit record followed by "end\n": the last write to a state file.
std::string FormatFinalRecord(const ExitRecord& record);

}  // namespace nightshift::exec
