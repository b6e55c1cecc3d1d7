#include "events/sse.h"

#include <charconv>

namespace nightshift::events {

std::string SseEvent(const core::Event& event) {
  std::string out;
  out.reserve(event.doc.size() + 40);
  out += "id: ";
  out += std::to_string(event.id);
  out += "\nevent: ";
  out += core::Name(event.type);
  out += "\ndata: ";
  out += event.doc;
  out += "\n\n";
  return out;
}

std::string SseComment(std::string_view text) { return ": " + std::string(text) + "\n\n"; }

std::string SseDropped(uint64_t last_sent_id) {
  const std::string id = std::to_string(last_sent_id);
  return "event: dropped\ndata: {\"resume_after\":" + id +
         ",\"message\":\"the client fell behind; reconnect with Last-Event-ID: " + id + "\"}\n\n";
}

Result<std::optional<uint64_t>> ResumePoint(std::string_view last_event_id,
                                            std::string_view since) {
  std::string_view text = !last_event_id.empty() ? last_event_id : since;
  const char* what = !last_event_id.empty() ? "Last-Event-ID" : "since";
  if (text.empty()) return std::optional<uint64_t>();
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(what) +
                                   " must be an event id (a non-negative integer), not '" +
                                   std::string(text) + "'");
  }
  return std::optional<uint64_t>(value);
}

}  // namespace nightshift::events
