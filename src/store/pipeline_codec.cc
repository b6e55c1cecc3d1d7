#include "store/pipeline_codec.h"

#include <array>

#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using core::RunState;
using core::StepState;
using wire::Reader;
using wire::Writer;

// Wire values of enums: positions in these tables. Append only.
constexpr std::array kRunStates = {RunState::kRunning, RunState::kSucceeded, RunState::kFailed,
                                   RunState::kCancelled};
constexpr std::array kStepStates = {StepState::kPending,   StepState::kRunning,
                                    StepState::kSucceeded, StepState::kFailed,
                                    StepState::kSkipped,   StepState::kCancelled};

// Field numbers. Never renumber or reuse one; retire a field by leaving its number unused.
// Every scalar is always written: version and tries default to 1, and a decoder starting from
// those must not mistake an absent zero for them. The one exception is a step's exit code,
// whose absence is its value (no exit code yet, or none: killed by a signal, never spawned).
namespace version_field {
constexpr int kName = 1, kVersion = 2, kSource = 3, kBaseDir = 4, kDigest = 5, kCreatedAt = 6,
              kDeleted = 7;
}  // namespace version_field

namespace run_field {
constexpr int kId = 1, kPipeline = 2, kVersion = 3, kLogicalTime = 4, kTrigger = 5;
constexpr int kParam = 6;  // string map
constexpr int kState = 7, kReason = 8, kCreatedAt = 9, kStoppedAt = 10, kTries = 11;
constexpr int kStep = 12;  // repeated, in order: {see step_field}
constexpr int kSeq = 13;
}  // namespace run_field

namespace step_field {
constexpr int kName = 1, kJobId = 2, kState = 3, kReason = 4, kSubmittedAt = 5, kStartedAt = 6,
              kStoppedAt = 7;
constexpr int kExitCode = 8;  // absent = no exit code
constexpr int kTries = 9;
}  // namespace step_field

void ReadVersionField(Reader& f, core::PipelineVersion& v) {
  using namespace version_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kName:
      v.name = f.String();
      break;
    case kVersion:
      v.version = static_cast<int>(f.Int());
      break;
    case kSource:
      v.source = f.String();
      break;
    case kBaseDir:
      v.base_dir = f.String();
      break;
    case kDigest:
      v.digest = f.String();
      break;
    case kCreatedAt:
      v.created_at = f.Int();
      break;
    case kDeleted:
      v.deleted = f.Bool();
      break;
  }
}

void PutStep(Writer& w, const core::StepRun& step) {
  using namespace step_field;  // NOLINT: field-number constants only
  size_t mark = w.BeginNested(run_field::kStep);
  w.Bytes(kName, step.name);
  w.Bytes(kJobId, step.job_id);
  w.Uint(kState, wire::EnumToWire(kStepStates, step.state));
  w.Bytes(kReason, step.reason);
  w.Int(kSubmittedAt, step.submitted_at);
  w.Int(kStartedAt, step.started_at);
  w.Int(kStoppedAt, step.stopped_at);
  if (step.exit_code) w.Int(kExitCode, *step.exit_code);
  w.Int(kTries, step.tries);
  w.EndNested(mark);
}

// Each Read*Field reads the fields of its group and returns false for any other field.
bool ReadStepText(Reader& f, core::StepRun& step) {
  using namespace step_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kName:
      step.name = f.String();
      return true;
    case kJobId:
      step.job_id = f.String();
      return true;
    case kState:
      step.state = wire::ReadEnum(f, kStepStates, "StepState");
      return true;
    case kReason:
      step.reason = f.String();
      return true;
  }
  return false;
}

bool ReadStepNumber(Reader& f, core::StepRun& step) {
  using namespace step_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kSubmittedAt:
      step.submitted_at = f.Int();
      return true;
    case kStartedAt:
      step.started_at = f.Int();
      return true;
    case kStoppedAt:
      step.stopped_at = f.Int();
      return true;
    case kExitCode:
      step.exit_code = static_cast<int>(f.Int());
      return true;
    case kTries:
      step.tries = static_cast<int>(f.Int());
      return true;
  }
  return false;
}

core::StepRun ReadStep(Reader& r) {
  core::StepRun step;
  wire::ReadNested(r, [&](Reader& f) { ReadStepText(f, step) || ReadStepNumber(f, step); });
  return step;
}

void PutRunIdentity(Writer& w, const core::PipelineRun& run) {
  using namespace run_field;  // NOLINT: field-number constants only
  w.Bytes(kId, run.id);
  w.Uint(kSeq, run.seq);
  w.Bytes(kPipeline, run.pipeline);
  w.Int(kVersion, run.version);
  w.Int(kLogicalTime, run.logical_time);
  w.Bytes(kTrigger, run.trigger);
  wire::WriteStringMap(w, kParam, run.params);
}

void PutRunProgress(Writer& w, const core::PipelineRun& run) {
  using namespace run_field;  // NOLINT: field-number constants only
  w.Uint(kState, wire::EnumToWire(kRunStates, run.state));
  w.Bytes(kReason, run.reason);
  w.Int(kCreatedAt, run.created_at);
  w.Int(kStoppedAt, run.stopped_at);
  w.Int(kTries, run.tries);
  for (const core::StepRun& step : run.steps) PutStep(w, step);
}

bool ReadRunIdentity(Reader& f, core::PipelineRun& run) {
  using namespace run_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kId:
      run.id = f.String();
      return true;
    case kSeq:
      run.seq = f.Uint();
      return true;
    case kPipeline:
      run.pipeline = f.String();
      return true;
    case kVersion:
      run.version = static_cast<int>(f.Int());
      return true;
    case kLogicalTime:
      run.logical_time = f.Int();
      return true;
    case kTrigger:
      run.trigger = f.String();
      return true;
    case kParam:
      wire::ReadStringMapEntry(f, run.params);
      return true;
  }
  return false;
}

bool ReadRunProgress(Reader& f, core::PipelineRun& run) {
  using namespace run_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kState:
      run.state = wire::ReadEnum(f, kRunStates, "RunState");
      return true;
    case kReason:
      run.reason = f.String();
      return true;
    case kCreatedAt:
      run.created_at = f.Int();
      return true;
    case kStoppedAt:
      run.stopped_at = f.Int();
      return true;
    case kTries:
      run.tries = static_cast<int>(f.Int());
      return true;
    case kStep:
      run.steps.push_back(ReadStep(f));
      return true;
  }
  return false;
}

}  // namespace

std::string EncodePipelineVersion(const core::PipelineVersion& v) {
  using namespace version_field;  // NOLINT: field-number constants only
  std::string out;
  Writer w(out);
  w.Bytes(kName, v.name);
  w.Int(kVersion, v.version);
  w.Bytes(kSource, v.source);
  w.Bytes(kBaseDir, v.base_dir);
  w.Bytes(kDigest, v.digest);
  w.Int(kCreatedAt, v.created_at);
  w.Bool(kDeleted, v.deleted);
  return out;
}

// Unknown fields (written by a newer nightshift) are skipped, here and in DecodeRun.
Result<core::PipelineVersion> DecodePipelineVersion(std::string_view doc) {
  core::PipelineVersion version;
  Reader r(doc);
  while (r.Next()) ReadVersionField(r, version);
  if (!r.status().ok()) return Status::Internal("pipeline version: " + r.status().message());
  return version;
}

std::string EncodeRun(const core::PipelineRun& run) {
  std::string out;
  Writer w(out);
  PutRunIdentity(w, run);
  PutRunProgress(w, run);
  return out;
}

Result<core::PipelineRun> DecodeRun(std::string_view doc) {
  core::PipelineRun run;
  Reader r(doc);
  while (r.Next()) ReadRunIdentity(r, run) || ReadRunProgress(r, run);
  if (r.status().ok()) return run;
  std::string which = run.id.empty() ? "" : " " + run.id;
  return Status::Internal("pipeline run" + which + ": " + r.status().message());
}

}  // namespace nightshift::store
