// Pipeline codec: how pipeline versions and pipeline runs are stored in the `doc` columns of the
// pipeline_versions and runs tables, in the wire format of wire_format.h. Field numbers are
// listed in pipeline_codec.cc and are never reused.
//
// Both docs are self-contained: they hold every member, the key and the other columns of their
// row included (schema.cc). Versions are few. A run's columns (id, seq, pipeline, state) are
// small next to its steps, and a doc that decodes alone keeps every read of runs the same
// `SELECT doc`; the columns are written from the same value in the same statement, and are
// only ever used to find rows, never read back into a run.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/pipeline.h"
#include "util/status.h"

namespace nightshift::store {

std::string EncodePipelineVersion(const core::PipelineVersion& version);
// Errors: kInternal naming the corrupt byte.
Result<core::PipelineVersion> DecodePipelineVersion(std::string_view doc);

// Steps are kept in order; an absent exit code stays absent, a zero one is present.
std::string EncodeRun(const core::PipelineRun& run);
// Errors: kInternal naming the run (when its id was decoded) and the corrupt byte.
Result<core::PipelineRun> DecodeRun(std::string_view doc);

}  // namespace nightshift::store
