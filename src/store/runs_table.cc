#include "store/runs_table.h"

#include <algorithm>

#include "store/page_token.h"

namespace nightshift::store {
namespace {

// Parameters of kUpsertRunSql.
enum Param { kId = 1, kSeq, kPipeline, kState, kDoc };

// Parameters of the ListRuns statements.
enum ListParam { kMaxSeq = 1, kBelowId, kLimit, kListPipeline };

}  // namespace

std::string_view RunStateColumn(core::RunState state) {
  switch (state) {
    case core::RunState::kRunning:
      return "RUNNING";
    case core::RunState::kSucceeded:
      return "SUCCEEDED";
    case core::RunState::kFailed:
      return "FAILED";
    case core::RunState::kCancelled:
      return "CANCELLED";
  }
  return "";  // not a RunState: the table's CHECK refuses the row
}

void BindRunRow(Statement& upsert, const core::PipelineRun& run, std::string_view doc) {
  upsert.BindText(kId, run.id);
  upsert.BindInt(kSeq, static_cast<int64_t>(run.seq));
  upsert.BindText(kPipeline, run.pipeline);
  upsert.BindText(kState, RunStateColumn(run.state));
  upsert.BindBlob(kDoc, doc);
}

std::string EncodeRunPageToken(const RunCursor& cursor) {
  return HexEncode(std::to_string(cursor.seq) + "|" + cursor.id);
}

// The seq is digits, so the first '|' ends it; the id may hold any byte.
Result<RunCursor> DecodeRunPageToken(std::string_view token) {
  std::optional<std::string> text = HexDecode(token);
  if (!text) return InvalidPageToken();
  std::string_view view = *text;
  size_t bar = view.find('|');
  if (bar == std::string_view::npos || bar + 1 == view.size()) return InvalidPageToken();
  std::optional<int64_t> seq = ParseDecimal<int64_t>(view.substr(0, bar));
  if (!seq) return InvalidPageToken();
  return RunCursor{.seq = *seq, .id = std::string(view.substr(bar + 1))};
}

Result<ListRunsBounds> BuildListRunsBounds(const RunQuery& query) {
  ListRunsBounds bounds{.pipeline = query.pipeline, .limit = std::max(query.limit, 1)};
  if (query.page_token.empty()) return bounds;
  Result<RunCursor> cursor = DecodeRunPageToken(query.page_token);
  if (!cursor.ok()) return cursor.status();
  bounds.max_seq = cursor->seq;
  bounds.below_id = std::move(cursor->id);
  return bounds;
}

void BindListRuns(Statement& list, const ListRunsBounds& bounds) {
  list.BindInt(kMaxSeq, bounds.max_seq);
  if (bounds.below_id) {
    list.BindText(kBelowId, *bounds.below_id);
  } else {
    list.BindNull(kBelowId);
  }
  list.BindInt(kLimit, static_cast<int64_t>(bounds.limit) + 1);
  if (!bounds.pipeline.empty()) list.BindText(kListPipeline, bounds.pipeline);
}

}  // namespace nightshift::store
