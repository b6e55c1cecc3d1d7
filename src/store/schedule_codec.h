// Schedule codec: how schedules and their fires are stored in the `doc` columns of the schedules
// and fires tables, in the wire format of wire_format.h. Field numbers are listed in
// schedule_codec.cc and are never reused.
//
// A schedule's doc holds every member, its key (group, name) included, like a resource's
// (resource_codec.h): schedules are few. A fire's doc holds every member except its key
// (schedule, logical_time, trigger), which the fires table keeps in columns: fires are many, and
// the key would otherwise be stored twice in every row.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/schedule.h"
#include "util/status.h"

namespace nightshift::store {

std::string EncodeSchedule(const core::Schedule& schedule);
// Errors: kInternal naming the corrupt byte.
Result<core::Schedule> DecodeSchedule(std::string_view doc);

// The doc of `fire`: every member but schedule, logical_time and trigger.
std::string EncodeFire(const core::Fire& fire);
// Returns `key` (whose schedule, logical_time and trigger the caller has set from the row's
// columns) with the members stored in `doc`. Errors: kInternal naming the fire and the corrupt
// byte.
Result<core::Fire> DecodeFire(std::string_view doc, core::Fire key);

// The stored value of a trigger, as the fires table's `trigger` column holds it: its position in
// an append-only table, never its C++ value (wire_format.h).
int64_t FireTriggerToWire(core::FireTrigger trigger);
// nullopt for a value no trigger has.
std::optional<core::FireTrigger> FireTriggerFromWire(int64_t wire);

}  // namespace nightshift::store
