// AttemptLog: the record format of an attempt's log file (exec/local_layout.h) and its reader,
// which serves CloudWatch Logs GetLogEvents semantics for job logs.
//
// Format: append-only, one record per line:
//     <epoch_ms> <stream> <text>\n
//   epoch_ms  decimal milliseconds since the Unix epoch at which the supervisor read the line
//             (CLOCK_REALTIME; non-decreasing in practice, which the time search relies on)
//   stream    'o' the job's stdout, 'e' its stderr, 'n' a note by nightshift itself (exec failure,
//             "SIGTERM sent", ...)
//   text      the raw bytes of one output line without its '\n': any bytes but '\n', not
//             necessarily UTF-8 (the API layer escapes them). A line longer than kMaxRecordText is
//             split into several consecutive records; a last line without '\n' at EOF is a record.
// Example:  1700000000123 o hello world
//
// The writer (exec/log_writer.h, in the supervisor) only ever appends whole records, but a reader may see
// a partial last record while the supervisor writes; it is ignored until complete.
//
// Thread-safety: pure functions; ReadLogEvents only reads the file and may run on any thread,
// concurrently with the writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "util/status.h"

namespace nightshift::exec {

enum class LogStream : char { kStdout = 'o', kStderr = 'e', kNote = 'n' };

inline constexpr size_t kMaxRecordText = 64 * 1024;
// Longest possible record line including the newline (timestamp up to 20 digits).
inline constexpr size_t kMaxRecordLine = 20 + 3 + kMaxRecordText + 1;

struct LogRecord {
  TimeMs timestamp_ms = 0;
  LogStream stream = LogStream::kStdout;
  std::string_view text;
};

// Appends "<ts> <stream> <text>\n" to out. Precondition: text has no '\n' and at most
// kMaxRecordText bytes (the writer splits).
void AppendLogRecord(std::string* out, TimeMs timestamp_ms, LogStream stream,
                     std::string_view text);

// Parses one record line (without its '\n'). nullopt if it is not a record.
std::optional<LogRecord> ParseLogRecord(std::string_view line);

// A position in the log for paging: "f/<byte offset>" (read forward from there) or
// "b/<byte offset>" (read the events before there). Offsets are record boundaries.
struct LogToken {
  enum class Direction { kForward, kBackward };
  Direction direction = Direction::kForward;
  int64_t offset = 0;
  bool operator==(const LogToken&) const = default;
};

std::string FormatLogToken(const LogToken& token);
// InvalidArgument if text is not "f/<n>" or "b/<n>" with n >= 0.
[[nodiscard]] Result<LogToken> ParseLogToken(std::string_view text);

struct LogEvent {
  TimeMs timestamp_ms = 0;
  std::string message;
  TimeMs ingestion_time_ms = 0;  // == timestamp_ms: the supervisor stores a line when it reads it
  LogStream stream = LogStream::kStdout;
};

inline constexpr int kMaxLogEventsLimit = 10000;
inline constexpr size_t kMaxLogPageBytes = 1024 * 1024;  // counted as AWS does: message + 26

struct LogReadOptions {
  bool start_from_head = false;      // ignored when next_token is set (the token has a direction)
  int limit = kMaxLogEventsLimit;    // 1..10000
  std::optional<TimeMs> start_time;  // events with timestamp >= start_time
  std::optional<TimeMs> end_time;    // events with timestamp < end_time
  std::string next_token;            // empty, or a token returned by an earlier call
};

// One page of events, oldest first. Tokens are never empty. Reading forward at the end returns no
// events and a next_forward_token equal to the one passed in (that is how AWS clients stop); the
// same holds for reading backward at the beginning with next_backward_token.
struct LogPage {
  std::vector<LogEvent> events;
  std::string next_forward_token;
  std::string next_backward_token;
};

// GetLogEvents over the log file at path. Without a token: from the head (or the first event at or
// after start_time) if start_from_head, else the last `limit` events (before end_time). A page
// holds at most `limit` events and about kMaxLogPageBytes. Reads with bounded preads (and a binary
// search for time filters); never loads the whole file. A missing file is an empty log. Errors:
// InvalidArgument for a malformed or out-of-range token or a bad limit; Internal/Unavailable for
// I/O failures.
[[nodiscard]] Result<LogPage> ReadLogEvents(const std::string& path, const LogReadOptions& options);

}  // namespace nightshift::exec
