#include "exec/attempt_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "exec/posix_util.h"

namespace nightshift::exec {

void AppendLogRecord(std::string* out, TimeMs timestamp_ms, LogStream stream,
                     std::string_view text) {
  char head[32];
  auto [end, ec] = std::to_chars(head, head + sizeof head - 3, timestamp_ms);
  *end++ = ' ';
  *end++ = static_cast<char>(stream);
  *end++ = ' ';
  out->append(head, end);
  out->append(text);
  out->push_back('\n');
}

std::optional<LogRecord> ParseLogRecord(std::string_view line) {
  LogRecord record;
  const char* first = line.data();
  const char* last = line.data() + line.size();
  auto [p, ec] = std::from_chars(first, last, record.timestamp_ms);
  if (ec != std::errc() || p == first || last - p < 3 || p[0] != ' ' || p[2] != ' ')
    return std::nullopt;
  char stream = p[1];
  if (stream != 'o' && stream != 'e' && stream != 'n') return std::nullopt;
  record.stream = static_cast<LogStream>(stream);
  record.text = std::string_view(p + 3, static_cast<size_t>(last - p - 3));
  return record;
}

std::string FormatLogToken(const LogToken& token) {
  bool forward = token.direction == LogToken::Direction::kForward;
  return (forward ? "f/" : "b/") + std::to_string(token.offset);
}

Result<LogToken> ParseLogToken(std::string_view text) {
  auto invalid = [&] {
    return Status::InvalidArgument("invalid nextToken '" + std::string(text) + "'");
  };
  if (text.size() < 3 || text[1] != '/' || (text[0] != 'f' && text[0] != 'b')) return invalid();
  std::optional<int64_t> offset = ParseInt64(text.substr(2));
  if (!offset || *offset < 0 || text[2] == '-' || text.back() == '\n') return invalid();
  LogToken token;
  token.direction = text[0] == 'f' ? LogToken::Direction::kForward : LogToken::Direction::kBackward;
  token.offset = *offset;
  return token;
}

namespace {

constexpr size_t kChunk = size_t{256} * 1024;
constexpr size_t kEventOverhead = 26;  // AWS counts each event as its message + 26 bytes

// A record line found in the file: byte range [start, end), end just after its '\n'.
// record is nullopt for a line that is not a record (skipped by readers).
struct FoundRecord {
  int64_t start = 0;
  int64_t end = 0;
  std::optional<LogRecord> record;  // text points into the reader's buffer: copy it
};
using Visitor = std::function<bool(const FoundRecord&)>;  // false: stop scanning

// Bounded, positioned reads over one open log file of a known size.
class LogFile {
 public:
  LogFile(int fd, int64_t size) : fd_(fd), size_(size) {}

  Result<int64_t> CompleteEnd();
  Result<bool> IsBoundary(int64_t offset);
  Status ScanForward(int64_t from, int64_t to, const Visitor& visit);
  Status ScanBackward(int64_t from, const Visitor& visit);
  Result<int64_t> FirstAtOrAfter(TimeMs t, int64_t end);

 private:
  Status ReadAt(int64_t offset, size_t len);
  Result<std::optional<FoundRecord>> ProbeAfter(int64_t offset, int64_t end);

  int fd_;
  int64_t size_;
  std::string buf_;
};

Status LogFile::ReadAt(int64_t offset, size_t len) {
  buf_.resize(len);
  size_t got = 0;
  while (got < len) {
    ssize_t n =
        RetryEintr([&] { return ::pread(fd_, buf_.data() + got, len - got, offset + got); });
    if (n < 0) return ErrnoStatus("read log");
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  buf_.resize(got);
  return Status::Ok();
}

// The offset just after the last '\n': everything before it is complete records.
Result<int64_t> LogFile::CompleteEnd() {
  for (int64_t end = size_; end > 0;) {
    int64_t start = std::max<int64_t>(0, end - static_cast<int64_t>(kChunk));
    NS_RETURN_IF_ERROR(ReadAt(start, static_cast<size_t>(end - start)));
    size_t nl = buf_.rfind('\n');
    if (nl != std::string::npos) return start + static_cast<int64_t>(nl) + 1;
    end = start;
  }
  return int64_t{0};
}

Result<bool> LogFile::IsBoundary(int64_t offset) {
  if (offset == 0) return true;
  if (offset > size_) return false;
  NS_RETURN_IF_ERROR(ReadAt(offset - 1, 1));
  return buf_.size() == 1 && buf_[0] == '\n';
}

Status LogFile::ScanForward(int64_t from, int64_t to, const Visitor& visit) {
  for (int64_t pos = from; pos < to;) {
    NS_RETURN_IF_ERROR(ReadAt(pos, static_cast<size_t>(std::min<int64_t>(kChunk, to - pos))));
    std::string_view data(buf_);
    size_t consumed = 0;
    for (size_t nl; (nl = data.find('\n', consumed)) != std::string_view::npos; consumed = nl + 1) {
      FoundRecord found{pos + static_cast<int64_t>(consumed), pos + static_cast<int64_t>(nl) + 1,
                        ParseLogRecord(data.substr(consumed, nl - consumed))};
      if (!visit(found)) return Status::Ok();
    }
    if (consumed == 0) return Status::Ok();  // a partial tail, or a corrupt over-long line
    pos += static_cast<int64_t>(consumed);
  }
  return Status::Ok();
}

// Visits records newest first, starting with the one that ends at `from` (a record boundary).
Status LogFile::ScanBackward(int64_t from, const Visitor& visit) {
  for (int64_t end = from; end > 0;) {
    int64_t start = std::max<int64_t>(0, end - static_cast<int64_t>(kChunk));
    NS_RETURN_IF_ERROR(ReadAt(start, static_cast<size_t>(end - start)));
    if (static_cast<int64_t>(buf_.size()) != end - start)
      return Status::Internal("log file shrank");
    std::string_view data(buf_);
    size_t line_end = data.size();
    while (line_end > 0) {
      size_t prev_nl = line_end >= 2 ? data.rfind('\n', line_end - 2) : std::string_view::npos;
      if (prev_nl == std::string_view::npos && start > 0) break;  // begins in an earlier chunk
      size_t line_start = prev_nl == std::string_view::npos ? 0 : prev_nl + 1;
      FoundRecord found{start + static_cast<int64_t>(line_start),
                        start + static_cast<int64_t>(line_end),
                        ParseLogRecord(data.substr(line_start, line_end - 1 - line_start))};
      if (!visit(found)) return Status::Ok();
      line_end = line_start;
    }
    if (start + static_cast<int64_t>(line_end) == end)
      return Status::Ok();  // corrupt over-long line
    end = start + static_cast<int64_t>(line_end);
  }
  return Status::Ok();
}

// The first record that starts at or after offset (and before end), if one is within reach.
Result<std::optional<FoundRecord>> LogFile::ProbeAfter(int64_t offset, int64_t end) {
  int64_t from = offset - 1;  // offset > 0 here: the byte before tells whether offset is a start
  NS_RETURN_IF_ERROR(
      ReadAt(from, static_cast<size_t>(std::min<int64_t>(2 * kMaxRecordLine, end - from))));
  std::string_view data(buf_);
  size_t nl = data.find('\n');
  size_t next = nl == std::string_view::npos ? nl : data.find('\n', nl + 1);
  if (next == std::string_view::npos) return std::optional<FoundRecord>();
  return std::optional<FoundRecord>(
      FoundRecord{from + static_cast<int64_t>(nl) + 1, from + static_cast<int64_t>(next) + 1,
                  ParseLogRecord(data.substr(nl + 1, next - nl - 1))});
}

// Offset of the first record with timestamp >= t (end if none), assuming timestamps never
// decrease along the file: a binary search by byte offset, then a short linear scan.
Result<int64_t> LogFile::FirstAtOrAfter(TimeMs t, int64_t end) {
  int64_t lo = 0, hi = end;  // records starting before lo are < t; the one at hi (or end) is >= t
  while (hi - lo > static_cast<int64_t>(kChunk)) {
    Result<std::optional<FoundRecord>> probe = ProbeAfter(lo + (hi - lo) / 2, hi);
    if (!probe.ok()) return probe.status();
    if (!probe->has_value()) break;  // no record starts in the upper half: scan from lo
    const FoundRecord& found = **probe;
    if (found.record && found.record->timestamp_ms >= t) {
      hi = found.start;
    } else {
      lo = found.end;
    }
  }
  int64_t answer = hi;
  NS_RETURN_IF_ERROR(ScanForward(lo, hi, [&](const FoundRecord& found) {
    if (!found.record || found.record->timestamp_ms < t) return true;
    answer = found.start;
    return false;
  }));
  return answer;
}

// Collects events into a page within the count and byte limits.
class PageBuilder {
 public:
  explicit PageBuilder(int limit) : limit_(static_cast<size_t>(limit)) {}

  bool Fits(const LogRecord& record) const {
    return events_.empty() || bytes_ + record.text.size() + kEventOverhead <= kMaxLogPageBytes;
  }
  // Returns false once the page is full.
  bool Add(const LogRecord& record) {
    events_.push_back(LogEvent{record.timestamp_ms, std::string(record.text), record.timestamp_ms,
                               record.stream});
    bytes_ += record.text.size() + kEventOverhead;
    return events_.size() < limit_ && bytes_ < kMaxLogPageBytes;
  }
  std::vector<LogEvent> Take() { return std::move(events_); }

 private:
  size_t limit_;
  size_t bytes_ = 0;
  std::vector<LogEvent> events_;
};

bool BeforeStart(const LogReadOptions& o, TimeMs ts) { return o.start_time && ts < *o.start_time; }
bool AtOrAfterEnd(const LogReadOptions& o, TimeMs ts) { return o.end_time && ts >= *o.end_time; }

LogPage MakePage(std::vector<LogEvent> events, int64_t forward, int64_t backward) {
  return LogPage{std::move(events), FormatLogToken({LogToken::Direction::kForward, forward}),
                 FormatLogToken({LogToken::Direction::kBackward, backward})};
}

Result<LogPage> ReadForward(LogFile& file, int64_t from, int64_t end, const LogReadOptions& o) {
  PageBuilder page(o.limit);
  int64_t pos = from;  // just after the last record consumed
  int64_t first = -1;  // start of the first event returned
  NS_RETURN_IF_ERROR(file.ScanForward(from, end, [&](const FoundRecord& found) {
    const std::optional<LogRecord>& r = found.record;
    if (r && AtOrAfterEnd(o, r->timestamp_ms)) return false;
    if (r && !BeforeStart(o, r->timestamp_ms)) {
      if (!page.Fits(*r)) return false;
      if (first < 0) first = found.start;
      pos = found.end;
      return page.Add(*r);
    }
    pos = found.end;
    return true;
  }));
  return MakePage(page.Take(), pos, first < 0 ? from : first);
}

Result<LogPage> ReadBackward(LogFile& file, int64_t from, const LogReadOptions& o) {
  PageBuilder page(o.limit);
  int64_t pos = from;  // start of the earliest record consumed
  NS_RETURN_IF_ERROR(file.ScanBackward(from, [&](const FoundRecord& found) {
    const std::optional<LogRecord>& r = found.record;
    if (r && BeforeStart(o, r->timestamp_ms)) return false;
    if (r && !AtOrAfterEnd(o, r->timestamp_ms)) {
      if (!page.Fits(*r)) return false;
      pos = found.start;
      return page.Add(*r);
    }
    pos = found.start;
    return true;
  }));
  std::vector<LogEvent> events = page.Take();
  std::reverse(events.begin(), events.end());
  return MakePage(std::move(events), from, pos);
}

Result<LogPage> ReadWithToken(LogFile& file, int64_t end, const LogToken& token,
                              const LogReadOptions& o) {
  Result<bool> boundary = file.IsBoundary(token.offset);
  if (!boundary.ok()) return boundary.status();
  if (token.offset > end || !*boundary) {
    return Status::InvalidArgument("nextToken '" + o.next_token + "' does not point into this log");
  }
  if (token.direction == LogToken::Direction::kForward)
    return ReadForward(file, token.offset, end, o);
  return ReadBackward(file, token.offset, o);
}

Result<LogPage> ReadFromEdge(LogFile& file, int64_t end, const LogReadOptions& o) {
  if (o.start_from_head) {
    Result<int64_t> from = o.start_time ? file.FirstAtOrAfter(*o.start_time, end) : int64_t{0};
    if (!from.ok()) return from.status();
    return ReadForward(file, *from, end, o);
  }
  Result<int64_t> from = o.end_time ? file.FirstAtOrAfter(*o.end_time, end) : end;
  if (!from.ok()) return from.status();
  return ReadBackward(file, *from, o);
}

}  // namespace

Result<LogPage> ReadLogEvents(const std::string& path, const LogReadOptions& options) {
  if (options.limit < 1 || options.limit > kMaxLogEventsLimit) {
    return Status::InvalidArgument("limit must be between 1 and 10000");
  }
  std::optional<LogToken> token;
  if (!options.next_token.empty()) {
    Result<LogToken> parsed = ParseLogToken(options.next_token);
    if (!parsed.ok()) return parsed.status();
    token = *parsed;
  }
  Result<UniqueFd> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok() && fd.status().code() != StatusCode::kNotFound) return fd.status();
  struct stat st {};
  if (fd.ok() && ::fstat(fd->get(), &st) != 0) return ErrnoStatus("stat " + path);
  LogFile file(fd.ok() ? fd->get() : -1, fd.ok() ? st.st_size : 0);
  Result<int64_t> end = file.CompleteEnd();
  if (!end.ok()) return end.status();
  return token ? ReadWithToken(file, *end, *token, options) : ReadFromEdge(file, *end, options);
}

}  // namespace nightshift::exec
