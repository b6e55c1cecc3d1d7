// The fires table: one row per decided fire (or range of fires decided alike), keyed by
// (schedule, logical_time, trigger); see schema.cc. This file holds the SQL that writes and
// reads rows, the mapping between a row and a core::Fire (the rest goes through
// schedule_codec.h), and ListFires' page tokens and bounds.
//
// ListFires pages are newest first: ORDER BY logical_time DESC, trigger (ascending, in the order
// of the trigger's stored value: schedule, manual, backfill). A page token is the
// (logical_time, trigger) of the last fire of the previous page, and the next page starts
// strictly after it, so fires are neither skipped nor repeated, and fires committed between two
// page requests do not shift the pages.
// Thread-safety: pure functions over a Statement the caller owns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/schedule.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "util/status.h"

namespace nightshift::store {

// Every statement that reads fires selects these columns, in this order, so ReadFireRow reads
// any of them.
inline constexpr std::string_view kFireColumns = "schedule, logical_time, trigger, doc";

// Inserts a fire, or replaces the doc of the fire with the same key.
inline constexpr std::string_view kUpsertFireSql =
    "INSERT INTO fires (schedule, logical_time, trigger, doc) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (schedule, logical_time, trigger) DO UPDATE SET doc = excluded.doc";

inline constexpr std::string_view kSelectFireSql =
    "SELECT schedule, logical_time, trigger, doc FROM fires "
    "WHERE schedule = ?1 AND logical_time = ?2 AND trigger = ?3";

inline constexpr std::string_view kDeleteFiresOfScheduleSql =
    "DELETE FROM fires WHERE schedule = ?1";

// One page of ListFires, plus one row telling whether another page follows; parameters as
// ListFiresBounds. One range of the primary key, read in its stored order: the page costs
// `limit` rows, however long the schedule's history (a test checks the plan).
inline constexpr std::string_view kListFiresSql =
    "SELECT schedule, logical_time, trigger, doc FROM fires "
    "WHERE schedule = ?1 AND logical_time >= ?2 AND logical_time <= ?3 "
    "AND (logical_time < ?3 OR trigger > ?4) "
    "ORDER BY logical_time DESC, trigger LIMIT ?5";

// Binds `fire`'s key and its encoded `doc` to kUpsertFireSql's parameters. Text is bound without
// copying: `fire` and `doc` must outlive the statement's execution.
void BindFireRow(Statement& upsert, const core::Fire& fire, std::string_view doc);

// Reads the current row of a statement that selected kFireColumns.
// Errors: kInternal when the row is corrupt (unknown trigger, undecodable doc).
Result<core::Fire> ReadFireRow(const Statement& select);

struct FireCursor {
  TimeMs logical_time = 0;
  core::FireTrigger trigger = core::FireTrigger::kSchedule;
};

std::string EncodeFirePageToken(const FireCursor& cursor);
// Errors: kInvalidArgument "invalid nextToken" for anything EncodeFirePageToken did not produce.
Result<FireCursor> DecodeFirePageToken(std::string_view token);

// The values of kListFiresSql's parameters for a query: the fires of `schedule` with
// from <= logical_time <= to, except those at logical_time == to whose trigger's stored value is
// not above after_trigger (-1 when no page token cuts the range at `to`).
struct ListFiresBounds {
  std::string schedule;
  TimeMs from = 0;
  TimeMs to = 0;
  int64_t after_trigger = -1;
  int limit = 1;  // fires wanted on the page; the statement is given limit + 1
};

// Errors: kInvalidArgument when the query names no schedule, or its page token is invalid
// ("invalid nextToken").
Result<ListFiresBounds> BuildListFiresBounds(const FireQuery& query);
// Binds `bounds` to kListFiresSql's parameters. `bounds` must outlive the execution.
void BindListFires(Statement& list, const ListFiresBounds& bounds);

}  // namespace nightshift::store
