// LogWriter: turns the bytes a job writes to stdout and stderr into log records
// (exec/attempt_log.h) appended to the attempt's log file. Used by nightshift-supervisor.
//
// Memory is bounded whatever the job prints: one partial line per stream (at most kMaxRecordText
// bytes; a longer line is emitted in pieces) plus one output buffer that is written out with one
// large write when it passes kFlushThreshold, or on Flush().
//
// A write error (disk full, ...) does not stop the writer or the job: the records that could not be
// written are dropped and counted, later flushes try again; error() keeps the first error.
//
// Thread-safety: not thread-safe; the supervisor uses it from its only thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "exec/attempt_log.h"
#include "exec/posix_util.h"
#include "util/clock.h"

namespace nightshift::exec {

class LogWriter {
 public:
  static constexpr size_t kFlushThreshold = 256 * 1024;

  // Appends to the file at path, created (O_APPEND, O_CLOEXEC, mode 0640: logs share one directory,
  // and a job running as another user must not read other jobs' output) on the first write, so a
  // job without output costs no file.
  explicit LogWriter(std::string path);
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Records the lines completed by `data`, read from `stream` (kStdout or kStderr) at `now`.
  // A line's timestamp is the time its end was read, so timestamps never go backwards.
  void Append(LogStream stream, TimeMs now, std::string_view data);

  // End of a stream: its pending partial line, if any, becomes a record.
  void FinishStream(LogStream stream, TimeMs now);

  // A kNote record written by nightshift itself (newlines in text are replaced by spaces).
  void Note(TimeMs now, std::string_view text);

  // Writes everything buffered to the file.
  void Flush();

  // Empty, or the first error ("open <path>: ...", "write: No space left on device (log)").
  const std::string& error() const { return error_; }
  int64_t dropped_bytes() const { return dropped_bytes_; }

 private:
  std::string& PartialLine(LogStream stream);
  void AddPiece(LogStream stream, TimeMs now, std::string_view piece, bool line_ends);
  void Emit(LogStream stream, TimeMs now, std::string_view text);
  [[nodiscard]] Status Open();

  std::string path_;
  UniqueFd fd_;
  std::string out_;
  std::string partial_[2];  // stdout, stderr
  std::string error_;
  int64_t dropped_bytes_ = 0;
};

}  // namespace nightshift::exec
