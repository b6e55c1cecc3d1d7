#include "store/job_codec.h"

#include <array>

#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using core::DependencyCondition;
using core::DependencyType;
using core::RetryAction;
using wire::Reader;
using wire::Writer;

// Wire values of enums: positions in these tables. Append only.
constexpr std::array kRetryActions = {RetryAction::kRetry, RetryAction::kExit};
constexpr std::array kDependencyTypes = {DependencyType::kStandard, DependencyType::kNToN,
                                         DependencyType::kSequential};
// Field numbers of a StatusSummary document: 1 + the position of the state in this table.
constexpr std::array kSummaryStates = {core::JobState::kSubmitted, core::JobState::kPending,
                                       core::JobState::kRunnable,  core::JobState::kStarting,
                                       core::JobState::kRunning,   core::JobState::kSucceeded,
                                       core::JobState::kFailed};
constexpr std::array kDependencyConditions = {
    DependencyCondition::kAfterOk, DependencyCondition::kAfterAny, DependencyCondition::kAfterNotOk,
    DependencyCondition::kAfterCorr};

// Field numbers. Never renumber or reuse one; retire a field by leaving its number unused.
namespace spec_field {
constexpr int kCommand = 1;      // repeated
constexpr int kEnvironment = 2;  // repeated {1 name, 2 value}
constexpr int kVcpus = 3;
constexpr int kMemoryMib = 4;
constexpr int kTimeoutSeconds = 5;  // absent = no timeout
constexpr int kRetryAttempts = 6;
constexpr int kRetryRule =
    7;  // repeated {1 action, 2 on_status_reason, 3 on_reason, 4 on_exit_code}
constexpr int kImage = 8;
constexpr int kWorkingDir = 9;
constexpr int kRetryBackoff = 10;  // {1 delay_ms, 2 factor, 3 max_delay_ms, 4 jitter}; absent = none
constexpr int kUser = 11;
constexpr int kSecret = 12;  // repeated {1 name, 2 value_from}: the reference, never the value
// Container settings (core::ContainerSettings), with kImage only.
constexpr int kVolume = 13;      // repeated {1 name, 2 source_path}
constexpr int kMountPoint = 14;  // repeated {1 source_volume, 2 container_path, 3 read_only}
constexpr int kUlimit = 15;      // repeated {1 name, 2 soft_limit, 3 hard_limit}
constexpr int kReadonlyRootFilesystem = 16;
constexpr int kPrivileged = 17;
constexpr int kNetwork = 18;
constexpr int kContainerWorkingDir = 19;
}  // namespace spec_field

namespace job_field {
constexpr int kSpec = 1;       // absent = null spec
constexpr int kDependsOn = 2;  // repeated {1 job_id, 2 type, 3 condition}
constexpr int kArraySize = 3;
constexpr int kStatusReason = 4;
constexpr int kStartedAt = 5;
constexpr int kStoppedAt = 6;
constexpr int kAttempt = 7;  // repeated, see attempt_field
constexpr int kIsCancelled = 8;
constexpr int kIsTerminated = 9;
constexpr int kNotBefore = 10;
constexpr int kSchedulingPriority = 11;
constexpr int kParameters = 12;  // string map
constexpr int kTags = 13;        // string map
constexpr int kExtraJson = 14;
constexpr int kComputeEnvironment = 15;
constexpr int kArraySummary = 16;  // {1 + state position in kSummaryStates: count}
}  // namespace job_field

namespace attempt_field {
constexpr int kStartedAt = 1;
constexpr int kStoppedAt = 2;
constexpr int kExitCode = 3;  // absent = no exit code
constexpr int kReason = 4;
constexpr int kStatusReason = 5;
constexpr int kLogStreamName = 6;
}  // namespace attempt_field

// Writers skip empty strings and zero numbers whose C++ default is also empty or zero: the
// decoder starts from a default-constructed value, so absence reproduces them.
void PutString(Writer& w, int field, const std::string& value) {
  if (!value.empty()) w.Bytes(field, value);
}

void PutInt(Writer& w, int field, int64_t value) {
  if (value != 0) w.Int(field, value);
}

void PutRetryRule(Writer& w, const core::RetryRule& rule) {
  size_t mark = w.BeginNested(spec_field::kRetryRule);
  w.Uint(1, wire::EnumToWire(kRetryActions, rule.action));
  PutString(w, 2, rule.on_status_reason);
  PutString(w, 3, rule.on_reason);
  PutString(w, 4, rule.on_exit_code);
  w.EndNested(mark);
}

void PutRetryBackoff(Writer& w, const core::RetryBackoff& backoff) {
  size_t mark = w.BeginNested(spec_field::kRetryBackoff);
  w.Int(1, backoff.delay_ms);  // always written: an empty nested field would still mean "some"
  w.Double(2, backoff.factor);
  PutInt(w, 3, backoff.max_delay_ms);
  if (backoff.jitter) w.Bool(4, true);
  w.EndNested(mark);
}

core::RetryBackoff ReadRetryBackoff(Reader& r) {
  core::RetryBackoff backoff;
  wire::ReadNested(r, [&](Reader& f) {
    switch (f.field()) {
      case 1:
        backoff.delay_ms = f.Int();
        break;
      case 2:
        backoff.factor = f.Double();
        break;
      case 3:
        backoff.max_delay_ms = f.Int();
        break;
      case 4:
        backoff.jitter = f.Bool();
        break;
    }
  });
  return backoff;
}

core::RetryRule ReadRetryRule(Reader& r) {
  core::RetryRule rule;
  wire::ReadNested(r, [&](Reader& f) {
    switch (f.field()) {
      case 1:
        rule.action = wire::ReadEnum(f, kRetryActions, "RetryAction");
        break;
      case 2:
        rule.on_status_reason = f.String();
        break;
      case 3:
        rule.on_reason = f.String();
        break;
      case 4:
        rule.on_exit_code = f.String();
        break;
    }
  });
  return rule;
}

// An environment variable and a secret reference are both a pair of strings {1, 2}.
std::pair<std::string, std::string> ReadStringPair(Reader& r) {
  std::pair<std::string, std::string> pair;
  wire::ReadNested(r, [&](Reader& f) {
    if (f.field() == 1) pair.first = f.String();
    if (f.field() == 2) pair.second = f.String();
  });
  return pair;
}

void PutStringPair(Writer& w, int field, const std::string& first, const std::string& second) {
  size_t mark = w.BeginNested(field);
  w.Bytes(1, first);
  PutString(w, 2, second);
  w.EndNested(mark);
}

void PutDependency(Writer& w, const core::Dependency& dep) {
  size_t mark = w.BeginNested(job_field::kDependsOn);
  PutString(w, 1, dep.job_id);
  w.Uint(2, wire::EnumToWire(kDependencyTypes, dep.type));
  w.Uint(3, wire::EnumToWire(kDependencyConditions, dep.condition));
  w.EndNested(mark);
}

core::Dependency ReadDependency(Reader& r) {
  core::Dependency dep;
  wire::ReadNested(r, [&](Reader& f) {
    switch (f.field()) {
      case 1:
        dep.job_id = f.String();
        break;
      case 2:
        dep.type = wire::ReadEnum(f, kDependencyTypes, "DependencyType");
        break;
      case 3:
        dep.condition = wire::ReadEnum(f, kDependencyConditions, "DependencyCondition");
        break;
    }
  });
  return dep;
}

void PutAttempt(Writer& w, const core::Attempt& attempt) {
  size_t mark = w.BeginNested(job_field::kAttempt);
  PutInt(w, attempt_field::kStartedAt, attempt.started_at);
  PutInt(w, attempt_field::kStoppedAt, attempt.stopped_at);
  if (attempt.exit_code) w.Int(attempt_field::kExitCode, *attempt.exit_code);
  PutString(w, attempt_field::kReason, attempt.reason);
  PutString(w, attempt_field::kStatusReason, attempt.status_reason);
  PutString(w, attempt_field::kLogStreamName, attempt.log_stream_name);
  w.EndNested(mark);
}

core::Attempt ReadAttempt(Reader& r) {
  core::Attempt attempt;
  wire::ReadNested(r, [&](Reader& f) {
    switch (f.field()) {
      case attempt_field::kStartedAt:
        attempt.started_at = f.Int();
        break;
      case attempt_field::kStoppedAt:
        attempt.stopped_at = f.Int();
        break;
      case attempt_field::kExitCode:
        attempt.exit_code = static_cast<int>(f.Int());
        break;
      case attempt_field::kReason:
        attempt.reason = f.String();
        break;
      case attempt_field::kStatusReason:
        attempt.status_reason = f.String();
        break;
      case attempt_field::kLogStreamName:
        attempt.log_stream_name = f.String();
        break;
    }
  });
  return attempt;
}

void PutContainerSettings(Writer& w, const core::ContainerSettings& c) {
  for (const core::Volume& v : c.volumes) PutStringPair(w, spec_field::kVolume, v.name, v.source_path);
  for (const core::MountPoint& m : c.mount_points) {
    size_t mark = w.BeginNested(spec_field::kMountPoint);
    PutString(w, 1, m.source_volume);
    PutString(w, 2, m.container_path);
    if (m.read_only) w.Bool(3, true);
    w.EndNested(mark);
  }
  for (const core::Ulimit& u : c.ulimits) {
    size_t mark = w.BeginNested(spec_field::kUlimit);
    w.Bytes(1, u.name);  // always written: an empty nested field would still mean "some"
    PutInt(w, 2, u.soft_limit);
    PutInt(w, 3, u.hard_limit);
    w.EndNested(mark);
  }
  if (c.readonly_root_filesystem) w.Bool(spec_field::kReadonlyRootFilesystem, true);
  if (c.privileged) w.Bool(spec_field::kPrivileged, true);
  if (c.network) w.Bool(spec_field::kNetwork, true);
  PutString(w, spec_field::kContainerWorkingDir, c.working_dir);
}

core::MountPoint ReadMountPoint(Reader& r) {
  core::MountPoint m;
  wire::ReadNested(r, [&](Reader& f) {
    if (f.field() == 1) m.source_volume = f.String();
    if (f.field() == 2) m.container_path = f.String();
    if (f.field() == 3) m.read_only = f.Bool();
  });
  return m;
}

core::Ulimit ReadUlimit(Reader& r) {
  core::Ulimit u;
  wire::ReadNested(r, [&](Reader& f) {
    if (f.field() == 1) u.name = f.String();
    if (f.field() == 2) u.soft_limit = f.Int();
    if (f.field() == 3) u.hard_limit = f.Int();
  });
  return u;
}

// The container settings' fields; false for any other field.
bool ReadContainerField(Reader& f, core::ContainerSettings& c) {
  switch (f.field()) {
    case spec_field::kVolume: {
      auto [name, source_path] = ReadStringPair(f);
      c.volumes.push_back({std::move(name), std::move(source_path)});
      return true;
    }
    case spec_field::kMountPoint:
      c.mount_points.push_back(ReadMountPoint(f));
      return true;
    case spec_field::kUlimit:
      c.ulimits.push_back(ReadUlimit(f));
      return true;
    case spec_field::kReadonlyRootFilesystem:
      c.readonly_root_filesystem = f.Bool();
      return true;
    case spec_field::kPrivileged:
      c.privileged = f.Bool();
      return true;
    case spec_field::kNetwork:
      c.network = f.Bool();
      return true;
    case spec_field::kContainerWorkingDir:
      c.working_dir = f.String();
      return true;
  }
  return false;
}

void ReadSpecField(Reader& f, core::JobSpec& spec) {
  if (ReadContainerField(f, spec.container)) return;
  switch (f.field()) {
    case spec_field::kCommand:
      spec.command.push_back(f.String());
      break;
    case spec_field::kEnvironment: {
      auto [name, value] = ReadStringPair(f);
      spec.environment.push_back({std::move(name), std::move(value)});
      break;
    }
    case spec_field::kSecret: {
      auto [name, value_from] = ReadStringPair(f);
      spec.secrets.push_back({std::move(name), std::move(value_from)});
      break;
    }
    case spec_field::kUser:
      spec.user = f.String();
      break;
    case spec_field::kVcpus:
      spec.resources.vcpus = f.Double();
      break;
    case spec_field::kMemoryMib:
      spec.resources.memory_mib = f.Int();
      break;
    case spec_field::kTimeoutSeconds:
      spec.timeout_seconds = f.Int();
      break;
    case spec_field::kRetryAttempts:
      spec.retry.attempts = static_cast<int>(f.Int());
      break;
    case spec_field::kRetryRule:
      spec.retry.evaluate_on_exit.push_back(ReadRetryRule(f));
      break;
    case spec_field::kImage:
      spec.image = f.String();
      break;
    case spec_field::kWorkingDir:
      spec.working_dir = f.String();
      break;
    case spec_field::kRetryBackoff:
      spec.retry.backoff = ReadRetryBackoff(f);
      break;
  }
}

size_t SummaryIndex(core::JobState state) { return static_cast<size_t>(state); }

void PutArraySummary(Writer& w, const core::StatusSummary& summary) {
  if (summary == core::StatusSummary{}) return;
  size_t mark = w.BeginNested(job_field::kArraySummary);
  for (size_t i = 0; i < kSummaryStates.size(); ++i) {
    PutInt(w, static_cast<int>(i) + 1, summary[SummaryIndex(kSummaryStates[i])]);
  }
  w.EndNested(mark);
}

core::StatusSummary ReadArraySummary(Reader& r) {
  core::StatusSummary summary{};
  wire::ReadNested(r, [&](Reader& f) {
    auto position = static_cast<size_t>(f.field() - 1);
    if (position < kSummaryStates.size()) {
      summary[SummaryIndex(kSummaryStates[position])] = static_cast<int>(f.Int());
    }
  });
  return summary;
}

void PutJobScalars(Writer& w, const core::Job& job) {
  PutInt(w, job_field::kArraySize, job.array_size);
  PutString(w, job_field::kStatusReason, job.status_reason);
  PutInt(w, job_field::kStartedAt, job.started_at);
  PutInt(w, job_field::kStoppedAt, job.stopped_at);
  if (job.is_cancelled) w.Bool(job_field::kIsCancelled, true);
  if (job.is_terminated) w.Bool(job_field::kIsTerminated, true);
  PutInt(w, job_field::kNotBefore, job.not_before);
  PutInt(w, job_field::kSchedulingPriority, job.scheduling_priority);
  PutString(w, job_field::kExtraJson, job.extra_json);
  PutString(w, job_field::kComputeEnvironment, job.compute_environment);
  PutArraySummary(w, job.array_summary);
}

// Reads one doc field into `job`, except the spec, which DecodeJobDoc interns.
void ReadJobField(Reader& f, core::Job& job) {
  switch (f.field()) {
    case job_field::kDependsOn:
      job.depends_on.push_back(ReadDependency(f));
      break;
    case job_field::kArraySize:
      job.array_size = static_cast<int>(f.Int());
      break;
    case job_field::kStatusReason:
      job.status_reason = f.String();
      break;
    case job_field::kStartedAt:
      job.started_at = f.Int();
      break;
    case job_field::kStoppedAt:
      job.stopped_at = f.Int();
      break;
    case job_field::kAttempt:
      job.attempts.push_back(ReadAttempt(f));
      break;
    case job_field::kIsCancelled:
      job.is_cancelled = f.Bool();
      break;
    case job_field::kIsTerminated:
      job.is_terminated = f.Bool();
      break;
    case job_field::kNotBefore:
      job.not_before = f.Int();
      break;
    case job_field::kSchedulingPriority:
      job.scheduling_priority = static_cast<int>(f.Int());
      break;
    case job_field::kParameters:
      wire::ReadStringMapEntry(f, job.parameters);
      break;
    case job_field::kTags:
      wire::ReadStringMapEntry(f, job.tags);
      break;
    case job_field::kExtraJson:
      job.extra_json = f.String();
      break;
    case job_field::kComputeEnvironment:
      job.compute_environment = f.String();
      break;
    case job_field::kArraySummary:
      job.array_summary = ReadArraySummary(f);
      break;
  }
}

}  // namespace

std::string EncodeJobSpec(const core::JobSpec& spec) {
  std::string out;
  Writer w(out);
  for (const std::string& arg : spec.command) w.Bytes(spec_field::kCommand, arg);
  for (const core::EnvVar& var : spec.environment) PutStringPair(w, spec_field::kEnvironment, var.name, var.value);
  w.Double(spec_field::kVcpus, spec.resources.vcpus);  // default 1: always written
  PutInt(w, spec_field::kMemoryMib, spec.resources.memory_mib);
  if (spec.timeout_seconds) w.Int(spec_field::kTimeoutSeconds, *spec.timeout_seconds);
  w.Int(spec_field::kRetryAttempts, spec.retry.attempts);  // default 1: always written
  for (const core::RetryRule& rule : spec.retry.evaluate_on_exit) PutRetryRule(w, rule);
  PutString(w, spec_field::kImage, spec.image);
  PutContainerSettings(w, spec.container);
  PutString(w, spec_field::kWorkingDir, spec.working_dir);
  if (spec.retry.backoff) PutRetryBackoff(w, *spec.retry.backoff);
  PutString(w, spec_field::kUser, spec.user);
  for (const core::SecretRef& ref : spec.secrets) PutStringPair(w, spec_field::kSecret, ref.name, ref.value_from);
  return out;
}

Result<core::JobSpec> DecodeJobSpec(std::string_view encoded) {
  core::JobSpec spec;
  Reader r(encoded);
  while (r.Next()) ReadSpecField(r, spec);
  if (!r.status().ok()) return Status::Internal("job spec: " + r.status().message());
  return spec;
}

void AppendJobDoc(const core::Job& job, std::optional<std::string_view> encoded_spec,
                  std::string& out) {
  Writer w(out);
  if (encoded_spec) w.Bytes(job_field::kSpec, *encoded_spec);
  for (const core::Dependency& dep : job.depends_on) PutDependency(w, dep);
  for (const core::Attempt& attempt : job.attempts) PutAttempt(w, attempt);
  PutJobScalars(w, job);
  wire::WriteStringMap(w, job_field::kParameters, job.parameters);
  wire::WriteStringMap(w, job_field::kTags, job.tags);
}

std::string EncodeJobDoc(const core::Job& job) {
  std::string out;
  if (job.spec) {
    AppendJobDoc(job, EncodeJobSpec(*job.spec), out);
  } else {
    AppendJobDoc(job, std::nullopt, out);
  }
  return out;
}

Result<std::shared_ptr<const core::JobSpec>> SpecInterner::Intern(std::string_view encoded) {
  if (auto it = specs_.find(encoded); it != specs_.end()) return it->second;
  Result<core::JobSpec> spec = DecodeJobSpec(encoded);
  if (!spec.ok()) return spec.status();
  auto shared = std::make_shared<const core::JobSpec>(std::move(spec).value());
  specs_.emplace(std::string(encoded), shared);
  return shared;
}

Result<core::Job> DecodeJobDoc(std::string_view doc, core::Job job, SpecInterner& specs) {
  Reader r(doc);
  while (r.Next()) {
    if (r.field() != job_field::kSpec) {
      ReadJobField(r, job);
      continue;
    }
    Result<std::shared_ptr<const core::JobSpec>> spec = specs.Intern(r.Bytes());
    if (!spec.ok()) return Status::Internal("job " + job.id + ": " + spec.status().message());
    job.spec = std::move(spec).value();
  }
  if (!r.status().ok()) return Status::Internal("job " + job.id + ": " + r.status().message());
  return job;
}

}  // namespace nightshift::store
