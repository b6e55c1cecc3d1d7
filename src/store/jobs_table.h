// The jobs table: which members of core::Job have columns of their own, the SQL that writes and
// reads rows, and the mapping between a row and a core::Job (the rest goes through job_codec.h).
// Every statement that reads jobs selects kJobColumns, in that order, so ReadJobRow reads any of
// them.
// Thread-safety: pure functions over a Statement the caller owns.
#pragma once

#include <string>
#include <string_view>

#include "core/job.h"
#include "store/job_codec.h"
#include "store/sqlite_db.h"
#include "util/status.h"

namespace nightshift::store {

inline constexpr std::string_view kJobColumns =
    "id, seq, name, queue, state, created_at, parent_id, array_index, definition, "
    "share_identifier, doc";
// kJobColumns, each prefixed with "<table>.", for statements that join jobs with something.
std::string QualifiedJobColumns(std::string_view table);

// Inserts a job, or replaces every column of the job with the same id.
inline constexpr std::string_view kUpsertJobSql =
    "INSERT INTO jobs (id, seq, name, queue, state, created_at, parent_id, array_index, "
    "definition, share_identifier, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, name = excluded.name, "
    "queue = excluded.queue, state = excluded.state, created_at = excluded.created_at, "
    "parent_id = excluded.parent_id, array_index = excluded.array_index, "
    "definition = excluded.definition, share_identifier = excluded.share_identifier, "
    "doc = excluded.doc";

inline constexpr std::string_view kSelectJobByIdSql =
    "SELECT id, seq, name, queue, state, created_at, parent_id, array_index, definition, "
    "share_identifier, doc FROM jobs WHERE id = ?1";

// The WHERE clause repeats the one of the jobs_active partial index word for word, so that the
// index is used (a test checks the plan).
inline constexpr std::string_view kSelectActiveJobsSql =
    "SELECT id, seq, name, queue, state, created_at, parent_id, array_index, definition, "
    "share_identifier, doc FROM jobs WHERE state NOT IN ('SUCCEEDED', 'FAILED') "
    "ORDER BY seq, id";

// Binds `job` and its encoded `doc` to kUpsertJobSql's parameters. Text is bound without
// copying: `job` and `doc` must outlive the statement's execution.
void BindJobRow(Statement& upsert, const core::Job& job, std::string_view doc);

// Reads the current row of a statement that selected kJobColumns.
// Errors: kInternal when the row is corrupt (unknown state, undecodable doc).
Result<core::Job> ReadJobRow(const Statement& select, SpecInterner& specs);

}  // namespace nightshift::store
