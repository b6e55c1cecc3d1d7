#include "store/resource_codec.h"

#include <array>

#include "store/job_codec.h"
#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using wire::Reader;
using wire::Writer;

// Wire values of ExecutorKind: positions in this table. Append only.
constexpr std::array kExecutorKinds = {core::ExecutorKind::kLocal, core::ExecutorKind::kSlurm};

// Field numbers of each document. Never renumber or reuse one. Every scalar is always written,
// since several have non-zero defaults.
namespace ce_field {
constexpr int kName = 1, kArn = 2, kType = 3, kEnabled = 4, kExecutor = 5, kMaxVcpus = 6,
              kMaxMemoryMib = 7, kCreatedAt = 8, kTags = 9, kExtraJson = 10, kSlurmPartition = 11,
              kSlurmAccount = 12, kSlurmQos = 13, kSlurmSbatchArg = 14;
}  // namespace ce_field

namespace queue_field {
constexpr int kName = 1, kArn = 2, kPriority = 3, kEnabled = 4, kComputeEnvironment = 5,
              kSchedulingPolicyArn = 6, kCreatedAt = 7, kTags = 8, kExtraJson = 9;
}  // namespace queue_field

namespace definition_field {
constexpr int kName = 1, kRevision = 2, kArn = 3, kActive = 4, kType = 5, kSpec = 6,
              kParameters = 7, kSchedulingPriority = 8, kCreatedAt = 9, kTags = 10, kExtraJson = 11;
}  // namespace definition_field

// Runs decode_field(reader, value) over every field of `doc`.
template <typename T, typename DecodeField>
Result<T> Decode(std::string_view doc, std::string_view what, DecodeField decode_field) {
  T value;
  Reader r(doc);
  while (r.Next()) decode_field(r, value);
  if (!r.status().ok()) return Status::Internal(std::string(what) + ": " + r.status().message());
  return value;
}

void ReadComputeEnvironmentField(Reader& f, core::ComputeEnvironment& ce) {
  using namespace ce_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kName:
      ce.name = f.String();
      break;
    case kArn:
      ce.arn = f.String();
      break;
    case kType:
      ce.type = f.String();
      break;
    case kEnabled:
      ce.enabled = f.Bool();
      break;
    case kExecutor:
      ce.executor = wire::ReadEnum(f, kExecutorKinds, "ExecutorKind");
      break;
    case kMaxVcpus:
      ce.max_vcpus = f.Double();
      break;
    case kMaxMemoryMib:
      ce.max_memory_mib = f.Int();
      break;
    case kCreatedAt:
      ce.created_at = f.Int();
      break;
    case kTags:
      wire::ReadStringMapEntry(f, ce.tags);
      break;
    case kExtraJson:
      ce.extra_json = f.String();
      break;
    case kSlurmPartition:
      ce.slurm.partition = f.String();
      break;
    case kSlurmAccount:
      ce.slurm.account = f.String();
      break;
    case kSlurmQos:
      ce.slurm.qos = f.String();
      break;
    case kSlurmSbatchArg:
      ce.slurm.sbatch_args.push_back(f.String());
      break;
  }
}

void ReadJobQueueField(Reader& f, core::JobQueue& queue) {
  using namespace queue_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kName:
      queue.name = f.String();
      break;
    case kArn:
      queue.arn = f.String();
      break;
    case kPriority:
      queue.priority = static_cast<int>(f.Int());
      break;
    case kEnabled:
      queue.enabled = f.Bool();
      break;
    case kComputeEnvironment:
      queue.compute_environments.push_back(f.String());
      break;
    case kSchedulingPolicyArn:
      queue.scheduling_policy_arn = f.String();
      break;
    case kCreatedAt:
      queue.created_at = f.Int();
      break;
    case kTags:
      wire::ReadStringMapEntry(f, queue.tags);
      break;
    case kExtraJson:
      queue.extra_json = f.String();
      break;
  }
}

void ReadDefinitionSpec(Reader& f, core::JobDefinition& definition) {
  Result<core::JobSpec> spec = DecodeJobSpec(f.Bytes());
  if (!spec.ok()) {
    f.Fail(spec.status().message());
    return;
  }
  definition.spec = std::move(spec).value();
}

void ReadJobDefinitionField(Reader& f, core::JobDefinition& definition) {
  using namespace definition_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kName:
      definition.name = f.String();
      break;
    case kRevision:
      definition.revision = static_cast<int>(f.Int());
      break;
    case kArn:
      definition.arn = f.String();
      break;
    case kActive:
      definition.active = f.Bool();
      break;
    case kType:
      definition.type = f.String();
      break;
    case kSpec:
      ReadDefinitionSpec(f, definition);
      break;
    case kParameters:
      wire::ReadStringMapEntry(f, definition.parameters);
      break;
    case kSchedulingPriority:
      definition.scheduling_priority = static_cast<int>(f.Int());
      break;
    case kCreatedAt:
      definition.created_at = f.Int();
      break;
    case kTags:
      wire::ReadStringMapEntry(f, definition.tags);
      break;
    case kExtraJson:
      definition.extra_json = f.String();
      break;
  }
}

}  // namespace

std::string EncodeComputeEnvironment(const core::ComputeEnvironment& ce) {
  using namespace ce_field;  // NOLINT: field-number constants only
  std::string out;
  Writer w(out);
  w.Bytes(kName, ce.name);
  w.Bytes(kArn, ce.arn);
  w.Bytes(kType, ce.type);
  w.Bool(kEnabled, ce.enabled);
  w.Uint(kExecutor, wire::EnumToWire(kExecutorKinds, ce.executor));
  w.Double(kMaxVcpus, ce.max_vcpus);
  w.Int(kMaxMemoryMib, ce.max_memory_mib);
  w.Int(kCreatedAt, ce.created_at);
  wire::WriteStringMap(w, kTags, ce.tags);
  w.Bytes(kExtraJson, ce.extra_json);
  if (ce.executor == core::ExecutorKind::kSlurm) {
    w.Bytes(kSlurmPartition, ce.slurm.partition);
    w.Bytes(kSlurmAccount, ce.slurm.account);
    w.Bytes(kSlurmQos, ce.slurm.qos);
    for (const std::string& arg : ce.slurm.sbatch_args) w.Bytes(kSlurmSbatchArg, arg);
  }
  return out;
}

Result<core::ComputeEnvironment> DecodeComputeEnvironment(std::string_view doc) {
  return Decode<core::ComputeEnvironment>(doc, "compute environment", ReadComputeEnvironmentField);
}

std::string EncodeJobQueue(const core::JobQueue& queue) {
  using namespace queue_field;  // NOLINT: field-number constants only
  std::string out;
  Writer w(out);
  w.Bytes(kName, queue.name);
  w.Bytes(kArn, queue.arn);
  w.Int(kPriority, queue.priority);
  w.Bool(kEnabled, queue.enabled);
  for (const std::string& ce : queue.compute_environments) w.Bytes(kComputeEnvironment, ce);
  w.Bytes(kSchedulingPolicyArn, queue.scheduling_policy_arn);
  w.Int(kCreatedAt, queue.created_at);
  wire::WriteStringMap(w, kTags, queue.tags);
  w.Bytes(kExtraJson, queue.extra_json);
  return out;
}

Result<core::JobQueue> DecodeJobQueue(std::string_view doc) {
  return Decode<core::JobQueue>(doc, "job queue", ReadJobQueueField);
}

std::string EncodeJobDefinition(const core::JobDefinition& definition) {
  using namespace definition_field;  // NOLINT: field-number constants only
  std::string out;
  Writer w(out);
  w.Bytes(kName, definition.name);
  w.Int(kRevision, definition.revision);
  w.Bytes(kArn, definition.arn);
  w.Bool(kActive, definition.active);
  w.Bytes(kType, definition.type);
  w.Bytes(kSpec, EncodeJobSpec(definition.spec));
  wire::WriteStringMap(w, kParameters, definition.parameters);
  w.Int(kSchedulingPriority, definition.scheduling_priority);
  w.Int(kCreatedAt, definition.created_at);
  wire::WriteStringMap(w, kTags, definition.tags);
  w.Bytes(kExtraJson, definition.extra_json);
  return out;
}

Result<core::JobDefinition> DecodeJobDefinition(std::string_view doc) {
  return Decode<core::JobDefinition>(doc, "job definition", ReadJobDefinitionField);
}

}  // namespace nightshift::store
