// Server-Sent Events framing (the WHATWG "text/event-stream" format) for the event stream:
// each event is "id: N", "event: <type>" and one "data:" line holding its JSON, then a blank
// line. A client that reconnects sends the last id it saw as Last-Event-ID.
// Pure. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.h"

namespace nightshift::events {

// One event. Its JSON has no newline (it is compact), so it fits one data line.
std::string SseEvent(const core::Event& event);
// A comment line: ignored by clients, keeps proxies and idle timers from closing the stream.
std::string SseComment(std::string_view text);
// The last message to a client that fell behind: an event "dropped" without an id (so that the
// client's Last-Event-ID stays the last event it received) whose data says where to resume.
std::string SseDropped(uint64_t last_sent_id);

// The id to resume after: the Last-Event-ID header, else the `since` query value; nullopt when
// neither is given (the stream then starts with new events). Errors: kInvalidArgument when the
// value is not a non-negative integer.
Result<std::optional<uint64_t>> ResumePoint(std::string_view last_event_id, std::string_view since);

}  // namespace nightshift::events
