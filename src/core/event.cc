#include "core/event.h"

#include <algorithm>
#include <cctype>
#include <functional>

namespace nightshift::core {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "a,b" and repeated keys add every non-empty item.
void AddItems(std::string_view value, const std::function<void(std::string_view)>& add) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    if (comma > start) add(value.substr(start, comma - start));
    start = comma + 1;
  }
}

template <typename T>
bool Admits(const std::set<T>& allowed, const T& value) {
  return allowed.empty() || allowed.count(value) > 0;
}

void AppendList(std::string& out, std::string_view key, const std::set<std::string>& values) {
  if (values.empty()) return;
  if (!out.empty()) out += '&';
  out += key;
  out += '=';
  bool first = true;
  for (const std::string& v : values) {
    if (!first) out += ',';
    out += v;
    first = false;
  }
}

}  // namespace

std::string_view Name(EventType type) {
  switch (type) {
    case EventType::kJob:
      return "job";
    case EventType::kRun:
      return "run";
    case EventType::kSchedule:
      return "schedule";
  }
  return "job";
}

std::optional<EventType> ParseEventType(std::string_view text) {
  for (EventType t : {EventType::kJob, EventType::kRun, EventType::kSchedule}) {
    if (Name(t) == text) return t;
  }
  return std::nullopt;
}

bool Matches(const EventFilter& filter, const Event& event) {
  return Admits(filter.types, event.type) && Admits(filter.statuses, Upper(event.status)) &&
         Admits(filter.queues, event.queue) && Admits(filter.pipelines, event.pipeline);
}

Result<EventFilter> ParseEventFilter(
    const std::vector<std::pair<std::string, std::string>>& params) {
  EventFilter filter;
  Status error;
  for (const auto& [key, value] : params) {
    if (key == "type") {
      AddItems(value, [&](std::string_view item) {
        std::optional<EventType> type = ParseEventType(item);
        if (type)
          filter.types.insert(*type);
        else if (error.ok())
          error = Status::InvalidArgument("type: unknown event type '" + std::string(item) +
                                          "' (job, run or schedule)");
      });
    } else if (key == "status") {
      AddItems(value, [&](std::string_view item) { filter.statuses.insert(Upper(item)); });
    } else if (key == "queue") {
      AddItems(value, [&](std::string_view item) { filter.queues.emplace(item); });
    } else if (key == "pipeline") {
      AddItems(value, [&](std::string_view item) { filter.pipelines.emplace(item); });
    }
  }
  if (!error.ok()) return error;
  return filter;
}

Result<EventFilter> ParseEventFilterQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view part = query.substr(start, end - start);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos) params.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    start = end + 1;
  }
  return ParseEventFilter(params);
}

std::string FormatEventFilter(const EventFilter& filter) {
  std::set<std::string> types;
  for (EventType t : filter.types) types.emplace(Name(t));
  std::string out;
  AppendList(out, "type", types);
  AppendList(out, "status", filter.statuses);
  AppendList(out, "queue", filter.queues);
  AppendList(out, "pipeline", filter.pipelines);
  return out;
}

}  // namespace nightshift::core
