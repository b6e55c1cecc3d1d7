#include "cli/sse_reader.h"

namespace nightshift::cli {
namespace {

// Fills `event` from one event's lines (without the blank line that ends it). False when they hold
// no field (only comments, like keep-alives).
bool ParseEvent(std::string_view text, SseEvent& event) {
  bool any = false;
  bool has_data = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    if (line.empty() || line[0] == ':') continue;
    const size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (field == "event") {
      event.event = std::string(value);
      any = true;
    } else if (field == "data") {
      if (has_data) event.data += '\n';
      event.data += value;
      has_data = any = true;
    }
  }
  return any;
}

}  // namespace

std::vector<SseEvent> SseReader::Feed(std::string_view piece) {
  pending_.append(piece);
  std::vector<SseEvent> events;
  size_t start = 0;
  while (true) {
    const size_t end = pending_.find("\n\n", start);
    if (end == std::string::npos) break;
    SseEvent event;
    if (ParseEvent(std::string_view(pending_).substr(start, end - start), event)) events.push_back(std::move(event));
    start = end + 2;
  }
  pending_.erase(0, start);
  return events;
}

}  // namespace nightshift::cli
