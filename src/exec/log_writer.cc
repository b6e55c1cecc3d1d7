#include "exec/log_writer.h"

#include <fcntl.h>

#include <algorithm>

namespace nightshift::exec {

LogWriter::LogWriter(std::string path) : path_(std::move(path)) {
  out_.reserve(kFlushThreshold + kMaxRecordLine);
}

std::string& LogWriter::PartialLine(LogStream stream) {
  return partial_[stream == LogStream::kStderr ? 1 : 0];
}

void LogWriter::Append(LogStream stream, TimeMs now, std::string_view data) {
  while (!data.empty()) {
    size_t nl = data.find('\n');
    bool line_ends = nl != std::string_view::npos;
    std::string_view piece = data.substr(0, line_ends ? nl : data.size());
    data.remove_prefix(line_ends ? nl + 1 : data.size());
    AddPiece(stream, now, piece, line_ends);
  }
}

// Adds a piece of one line (its end if line_ends), emitting a record each time the line reaches
// kMaxRecordText bytes, so the partial line never grows beyond that.
void LogWriter::AddPiece(LogStream stream, TimeMs now, std::string_view piece, bool line_ends) {
  std::string& partial = PartialLine(stream);
  while (partial.size() + piece.size() > kMaxRecordText) {
    size_t take = kMaxRecordText - partial.size();
    partial.append(piece.substr(0, take));
    Emit(stream, now, partial);
    partial.clear();
    piece.remove_prefix(take);
  }
  if (!line_ends) {
    partial.append(piece);
  } else if (partial.empty()) {
    Emit(stream, now, piece);  // the common case: a whole line, no copy
  } else {
    partial.append(piece);
    Emit(stream, now, partial);
    partial.clear();
  }
}

void LogWriter::FinishStream(LogStream stream, TimeMs now) {
  std::string& partial = PartialLine(stream);
  if (partial.empty()) return;
  Emit(stream, now, partial);
  partial.clear();
}

void LogWriter::Note(TimeMs now, std::string_view text) {
  std::string line(text.substr(0, kMaxRecordText));
  std::replace(line.begin(), line.end(), '\n', ' ');
  Emit(LogStream::kNote, now, line);
}

void LogWriter::Emit(LogStream stream, TimeMs now, std::string_view text) {
  AppendLogRecord(&out_, now, stream, text);
  if (out_.size() >= kFlushThreshold) Flush();
}

Status LogWriter::Open() {
  Result<UniqueFd> fd = OpenFile(path_, O_WRONLY | O_CREAT | O_APPEND, 0640);
  if (!fd.ok()) return fd.status();
  fd_ = std::move(fd).value();
  return Status::Ok();
}

void LogWriter::Flush() {
  if (out_.empty()) return;
  Status written = fd_.valid() ? Status::Ok() : Open();
  if (written.ok()) written = WriteAll(fd_.get(), out_);
  if (!written.ok()) {
    if (error_.empty()) error_ = written.message() + " (log)";
    dropped_bytes_ += static_cast<int64_t>(out_.size());  // an upper bound after a short write
  }
  out_.clear();
}

}  // namespace nightshift::exec
