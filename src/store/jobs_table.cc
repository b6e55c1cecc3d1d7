#include "store/jobs_table.h"

#include <string>

namespace nightshift::store {
namespace {

// Column positions in kJobColumns.
enum Column {
  kId,
  kSeq,
  kName,
  kQueue,
  kState,
  kCreatedAt,
  kParentId,
  kArrayIndex,
  kDefinition,
  kShareIdentifier,
  kDoc,
};

// Parameters of kUpsertJobSql are the columns, 1-based.
int Param(Column column) { return static_cast<int>(column) + 1; }

}  // namespace

std::string QualifiedJobColumns(std::string_view table) {
  std::string out;
  std::string_view rest = kJobColumns;
  while (!rest.empty()) {
    size_t comma = rest.find(", ");
    std::string_view column = rest.substr(0, comma);
    out += (out.empty() ? "" : ", ") + std::string(table) + "." + std::string(column);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return out;
}

void BindJobRow(Statement& upsert, const core::Job& job, std::string_view doc) {
  upsert.BindText(Param(kId), job.id);
  upsert.BindInt(Param(kSeq), static_cast<int64_t>(job.seq));
  upsert.BindText(Param(kName), job.name);
  upsert.BindText(Param(kQueue), job.queue);
  upsert.BindText(Param(kState), core::JobStateName(job.state));
  upsert.BindInt(Param(kCreatedAt), job.created_at);
  // Only array children have a parent_id: the partial indexes tell them apart by NULL.
  if (job.parent_id.empty()) {
    upsert.BindNull(Param(kParentId));
  } else {
    upsert.BindText(Param(kParentId), job.parent_id);
  }
  if (job.array_index) {
    upsert.BindInt(Param(kArrayIndex), *job.array_index);
  } else {
    upsert.BindNull(Param(kArrayIndex));
  }
  upsert.BindText(Param(kDefinition), job.definition);
  upsert.BindText(Param(kShareIdentifier), job.share_identifier);
  upsert.BindBlob(Param(kDoc), doc);
}

Result<core::Job> ReadJobRow(const Statement& select, SpecInterner& specs) {
  core::Job job;
  job.id = select.ColumnText(kId);
  std::optional<core::JobState> state = core::ParseJobState(select.ColumnText(kState));
  if (!state) {
    return Status::Internal("job " + job.id + ": unknown state '" +
                            std::string(select.ColumnText(kState)) + "'");
  }
  job.state = *state;
  job.seq = static_cast<uint64_t>(select.ColumnInt(kSeq));
  job.name = select.ColumnText(kName);
  job.queue = select.ColumnText(kQueue);
  job.created_at = select.ColumnInt(kCreatedAt);
  job.parent_id = select.ColumnText(kParentId);  // NULL reads as empty
  if (!select.ColumnIsNull(kArrayIndex)) {
    job.array_index = static_cast<int>(select.ColumnInt(kArrayIndex));
  }
  job.definition = select.ColumnText(kDefinition);
  job.share_identifier = select.ColumnText(kShareIdentifier);
  return DecodeJobDoc(select.ColumnBlob(kDoc), std::move(job), specs);
}

}  // namespace nightshift::store
