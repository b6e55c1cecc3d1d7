// SseReader: splits a Server-Sent Events stream, fed in pieces as they arrive, into events
// (`event:` and `data:` fields; comments and other fields are skipped).
// Thread-safety: none; one per stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nightshift::cli {

struct SseEvent {
  std::string event = "message";  // the `event:` field, "message" when absent
  std::string data;               // the `data:` lines, joined with '\n'
};

class SseReader {
 public:
  // The events completed by `piece` (an event ends with a blank line).
  std::vector<SseEvent> Feed(std::string_view piece);

 private:
  std::string pending_;  // the start of an incomplete event
};

}  // namespace nightshift::cli
