// The runs table: one row per pipeline run, keyed by id; see schema.cc. This file holds the SQL
// that writes and reads rows, the values of the row's columns (the run itself goes through
// pipeline_codec.h: every statement that reads runs selects only the doc), and ListRuns' page
// tokens and bounds.
//
// ListRuns pages are newest first: ORDER BY seq DESC, id DESC. The engine gives every run its
// own seq, so id only breaks ties that should not exist. A page token is the (seq, id) of the
// last run of the previous page, and the next page starts strictly after it, so runs are
// neither skipped nor repeated, and runs committed between two page requests do not shift the
// pages.
// Thread-safety: pure functions over a Statement the caller owns.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/pipeline.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "util/status.h"

namespace nightshift::store {

// The value of the `state` column: one of the names the table's CHECK allows. Stored names, not
// display names: they never change once released.
std::string_view RunStateColumn(core::RunState state);

// Inserts a run, or replaces every column of the run with the same id.
inline constexpr std::string_view kUpsertRunSql =
    "INSERT INTO runs (id, seq, pipeline, state, doc) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, pipeline = excluded.pipeline, "
    "state = excluded.state, doc = excluded.doc";

inline constexpr std::string_view kSelectRunSql = "SELECT doc FROM runs WHERE id = ?1";

// The WHERE clause repeats the one of the runs_running partial index word for word, so that the
// index is used (a test checks the plan).
inline constexpr std::string_view kSelectActiveRunsSql =
    "SELECT doc FROM runs WHERE state = 'RUNNING' ORDER BY seq, id";

// One page of ListRuns, plus one row telling whether another page follows; parameters as
// ListRunsBounds: ?1 the highest seq, ?2 the id the page starts below at that seq (NULL: none),
// ?3 the row limit, ?4 the pipeline. Each reads one range of an index backwards, in page order:
// a page costs `limit` index entries and rows, however many runs there are (a test checks the
// plans).
inline constexpr std::string_view kListRunsSql =
    "SELECT doc FROM runs WHERE seq <= ?1 AND (?2 IS NULL OR seq < ?1 OR id < ?2) "
    "ORDER BY seq DESC, id DESC LIMIT ?3";
inline constexpr std::string_view kListRunsOfPipelineSql =
    "SELECT doc FROM runs WHERE pipeline = ?4 "
    "AND seq <= ?1 AND (?2 IS NULL OR seq < ?1 OR id < ?2) "
    "ORDER BY seq DESC, id DESC LIMIT ?3";

// Binds `run`'s columns and its encoded `doc` to kUpsertRunSql's parameters. Text is bound
// without copying: `run` and `doc` must outlive the statement's execution.
void BindRunRow(Statement& upsert, const core::PipelineRun& run, std::string_view doc);

struct RunCursor {
  int64_t seq = 0;  // as the seq column holds it
  std::string id;
};

std::string EncodeRunPageToken(const RunCursor& cursor);
// Errors: kInvalidArgument "invalid nextToken" for anything EncodeRunPageToken did not produce.
Result<RunCursor> DecodeRunPageToken(std::string_view token);

// The values of the ListRuns statements' parameters for a query: the runs of `pipeline` (every
// pipeline's when empty) with seq <= max_seq, except those at seq == max_seq whose id is not
// below below_id (no exception without a page token).
struct ListRunsBounds {
  std::string pipeline;
  int64_t max_seq = std::numeric_limits<int64_t>::max();
  std::optional<std::string> below_id;
  int limit = 1;  // runs wanted on the page; the statement is given limit + 1
};

// Errors: kInvalidArgument when the page token is invalid ("invalid nextToken").
Result<ListRunsBounds> BuildListRunsBounds(const RunQuery& query);
// Binds `bounds` to the parameters of kListRunsSql, or of kListRunsOfPipelineSql when it names a
// pipeline. `bounds` must outlive the execution.
void BindListRuns(Statement& list, const ListRunsBounds& bounds);

}  // namespace nightshift::store
