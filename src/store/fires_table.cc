#include "store/fires_table.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "store/page_token.h"
#include "store/schedule_codec.h"

namespace nightshift::store {
namespace {

// Column positions in kFireColumns; the parameters of kUpsertFireSql are the same, 1-based.
enum Column { kSchedule, kLogicalTime, kTrigger, kDoc };

int Param(Column column) { return static_cast<int>(column) + 1; }

}  // namespace

void BindFireRow(Statement& upsert, const core::Fire& fire, std::string_view doc) {
  upsert.BindText(Param(kSchedule), fire.schedule);
  upsert.BindInt(Param(kLogicalTime), fire.logical_time);
  upsert.BindInt(Param(kTrigger), FireTriggerToWire(fire.trigger));
  upsert.BindBlob(Param(kDoc), doc);
}

Result<core::Fire> ReadFireRow(const Statement& select) {
  core::Fire key;
  key.schedule = std::string(select.ColumnText(kSchedule));
  key.logical_time = select.ColumnInt(kLogicalTime);
  std::optional<core::FireTrigger> trigger = FireTriggerFromWire(select.ColumnInt(kTrigger));
  if (!trigger) {
    return Status::Internal("fire " + key.schedule + " at " + std::to_string(key.logical_time) +
                            ": unknown trigger " + std::to_string(select.ColumnInt(kTrigger)));
  }
  key.trigger = *trigger;
  return DecodeFire(select.ColumnBlob(kDoc), std::move(key));
}

std::string EncodeFirePageToken(const FireCursor& cursor) {
  return HexEncode(std::to_string(cursor.logical_time) + "|" +
                   std::to_string(FireTriggerToWire(cursor.trigger)));
}

Result<FireCursor> DecodeFirePageToken(std::string_view token) {
  std::optional<std::string> text = HexDecode(token);
  if (!text) return InvalidPageToken();
  std::string_view view = *text;
  size_t bar = view.find('|');
  if (bar == std::string_view::npos) return InvalidPageToken();
  std::optional<TimeMs> logical_time = ParseDecimal<TimeMs>(view.substr(0, bar));
  std::optional<int64_t> wire = ParseDecimal<int64_t>(view.substr(bar + 1));
  if (!logical_time || !wire) return InvalidPageToken();
  std::optional<core::FireTrigger> trigger = FireTriggerFromWire(*wire);
  if (!trigger) return InvalidPageToken();
  return FireCursor{.logical_time = *logical_time, .trigger = *trigger};
}

Result<ListFiresBounds> BuildListFiresBounds(const FireQuery& query) {
  if (query.schedule.empty()) return Status::InvalidArgument("list fires: give a schedule");
  ListFiresBounds bounds{.schedule = query.schedule,
                         .from = query.logical_from.value_or(std::numeric_limits<TimeMs>::min()),
                         .to = query.logical_to.value_or(std::numeric_limits<TimeMs>::max()),
                         .limit = std::max(query.limit, 1)};
  if (query.page_token.empty()) return bounds;
  Result<FireCursor> cursor = DecodeFirePageToken(query.page_token);
  if (!cursor.ok()) return cursor.status();
  // A cursor above `to` (the client narrowed the range between pages) cuts nothing.
  if (cursor->logical_time <= bounds.to) {
    bounds.to = cursor->logical_time;
    bounds.after_trigger = FireTriggerToWire(cursor->trigger);
  }
  return bounds;
}

void BindListFires(Statement& list, const ListFiresBounds& bounds) {
  list.BindText(1, bounds.schedule);
  list.BindInt(2, bounds.from);
  list.BindInt(3, bounds.to);
  list.BindInt(4, bounds.after_trigger);
  list.BindInt(5, static_cast<int64_t>(bounds.limit) + 1);
}

}  // namespace nightshift::store
