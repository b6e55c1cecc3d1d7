#include "exec/journal.h"

#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

constexpr std::string_view kDetachedLine = "detached";

// Splits "<key> <rest>"; rest is empty without a space.
std::pair<std::string_view, std::string_view> SplitKey(std::string_view line) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace

void JournalParser::Feed(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t eol = bytes.find('\n');
    if (eol == std::string_view::npos) {
      partial_.append(bytes);
      return;
    }
    if (partial_.empty()) {
      ApplyLine(bytes.substr(0, eol));
    } else {
      partial_.append(bytes.substr(0, eol));
      std::string line = std::move(partial_);
      partial_.clear();
      ApplyLine(line);
    }
    bytes.remove_prefix(eol + 1);
  }
}

void JournalParser::EndSegment() {
  partial_.clear();
  record_name_.reset();
  record_text_.clear();
}

const JournalEntry* JournalParser::Find(const std::string& name) const {
  auto it = attempts_.find(name);
  return it == attempts_.end() ? nullptr : &it->second;
}

void JournalParser::ApplyLine(std::string_view line) {
  auto [key, rest] = SplitKey(line);
  if (record_name_) {
    if (line == kExitRecordEnd) {
      JournalEntry& entry = attempts_[*record_name_];
      if (!entry.exit) entry.exit = ParseExitRecord(record_text_);
      record_name_.reset();
      record_text_.clear();
      return;
    }
    if (key != "launch" && key != "job" && key != "exit" && line != kDetachedLine) {
      record_text_.append(line).append("\n");
      return;
    }
    record_name_.reset();  // a torn record, followed by a record of its own: drop it
    record_text_.clear();
  }
  if (key == "launch" && !rest.empty()) {
    attempts_.try_emplace(std::string(rest));
  } else if (key == "job") {
    size_t space = rest.rfind(' ');
    if (space == std::string_view::npos) return;
    std::optional<pid_t> pid = ParsePid(rest.substr(space + 1));
    if (pid) attempts_[std::string(rest.substr(0, space))].job_pid = pid;
  } else if (key == "exit" && !rest.empty()) {
    record_name_ = std::string(rest);
  } else if (line == kDetachedLine) {
    detached_ = true;
  }
}

std::string FormatLaunchRecord(std::string_view name) {
  return std::string("launch ").append(name).append("\n");
}

std::string FormatJobRecord(std::string_view name, pid_t pid) {
  return std::string("job ").append(name).append(" ").append(std::to_string(pid)).append("\n");
}

std::string FormatExitJournalRecord(std::string_view name, const ExitRecord& record) {
  return std::string("exit ")
      .append(name)
      .append("\n")
      .append(FormatExitRecord(record))
      .append(kExitRecordEnd)
      .append("\n");
}

std::string FormatDetachedRecord() { return std::string(kDetachedLine).append("\n"); }

}  // namespace nightshift::exec
