// Event: one durable record of something nightshift did — a job's state transition, a pipeline
// run's state change, a schedule's fire or a change of a schedule. Events have ids that only grow;
// each is committed in the same store transaction as the change it describes, so a reader that
// resumes after id N sees exactly the events after N, in order. The JSON a client receives is
// built once, when the event is made (events/event_codec.h), and kept in `doc`.
// EventFilter: which events a stream or a webhook subscription wants.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/clock.h"
#include "util/status.h"

namespace nightshift::core {

enum class EventType { kJob, kRun, kSchedule };

std::string_view Name(EventType type);  // job | run | schedule
std::optional<EventType> ParseEventType(std::string_view text);

struct Event {
  uint64_t id = 0;
  EventType type = EventType::kJob;
  TimeMs at = 0;
  std::string status;    // job state, run state, fire outcome or schedule change (upper case)
  std::string queue;     // job events: the job queue's name
  std::string pipeline;  // run events, and job events of a pipeline's steps
  std::string doc;       // the event as JSON, id included
};

// Every set that is not empty must contain the event's value (types: its type; statuses: its
// status, compared case-insensitively; queues, pipelines: its queue, its pipeline).
struct EventFilter {
  std::set<EventType> types;
  std::set<std::string> statuses;  // upper case
  std::set<std::string> queues;
  std::set<std::string> pipelines;

  bool empty() const {
    return types.empty() && statuses.empty() && queues.empty() && pipelines.empty();
  }
};

bool Matches(const EventFilter& filter, const Event& event);

// Reads a filter from query parameters: type, status, queue, pipeline; each may repeat or hold a
// comma-separated list. Other keys are ignored (the caller owns them). Errors: kInvalidArgument
// naming an unknown type.
Result<EventFilter> ParseEventFilter(
    const std::vector<std::pair<std::string, std::string>>& params);
// The same from a query string, "type=job&status=FAILED" (no percent-decoding).
Result<EventFilter> ParseEventFilterQuery(std::string_view query);
// The filter as a query string ParseEventFilterQuery reads back ("type=job&status=FAILED").
std::string FormatEventFilter(const EventFilter& filter);

}  // namespace nightshift::core
