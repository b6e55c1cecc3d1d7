#include "exec/attempt_state.h"

#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

// Applies the complete lines of a state file one by one.
class StateParser {
 public:
  explicit StateParser(std::string_view text) : text_(text) {}

  void ApplyLine(size_t begin, size_t end) {
    std::string_view line = text_.substr(begin, end - begin);
    size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (key == "supervisor") {
      if (std::optional<pid_t> pid = ParsePid(value)) state_.supervisor_pid = pid;
    } else if (state_.exit) {
      // The outcome is final: a later record (e.g. a lost one racing the supervisor's) does not count.
    } else if (key == "job") {
      if (std::optional<pid_t> pid = ParsePid(value)) state_.job_pid = pid;
    } else if (key == "kind") {
      record_begin_ = begin;  // a new record; a torn one before it is dropped
    } else if (line == kExitRecordEnd && record_begin_) {
      state_.exit = ParseExitRecord(text_.substr(*record_begin_, begin - *record_begin_));
    }
  }

  AttemptState Finish(bool ends_mid_line) {
    state_.ends_mid_line = ends_mid_line;
    return std::move(state_);
  }

 private:
  std::string_view text_;
  std::optional<size_t> record_begin_;  // offset of the pending record's `kind` line
  AttemptState state_;
};

}  // namespace

AttemptState ParseAttemptState(std::string_view text) {
  StateParser parser(text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) return parser.Finish(true);  // torn: not written yet
    parser.ApplyLine(pos, eol);
    pos = eol + 1;
  }
  return parser.Finish(false);
}

std::string FormatSupervisorLine(pid_t pid) { return "supervisor " + std::to_string(pid) + "\n"; }

std::string FormatJobLine(pid_t pid) { return "job " + std::to_string(pid) + "\n"; }

std::string FormatFinalRecord(const ExitRecord& record) {
  return FormatExitRecord(record).append(kExitRecordEnd).append("\n");
}

}  // namespace nightshift::exec
