// Helpers for the store's tests: temporary directories, sample jobs and resources with every
// member set, and field-by-field equality (the core types have no operator==).
#pragma once

#include <memory>
#include <string>

#include "core/job.h"
#include "core/resources.h"
#include "core/schedule.h"
#include "store/sqlite_store.h"

namespace nightshift::store::testing {

// Opens a store at `path`; on failure the test fails and nullptr comes back.
std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path, const SqliteStore::Options& options = {});

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A top-level job with only the members a listing needs; spec is a small shared default.
core::Job MakeJob(const std::string& id, const std::string& queue, TimeMs created_at,
                  core::JobState state = core::JobState::kRunnable);

// Jobs and resources with every member set to a value other than its default.
core::JobSpec FullSpec();
core::Job FullJob();
core::ComputeEnvironment FullComputeEnvironment();
core::JobQueue FullJobQueue();
core::JobDefinition FullJobDefinition();
core::Schedule FullSchedule();
core::Fire FullFire();

// A fire of `schedule` with only its key and run_id set.
core::Fire MakeFire(const std::string& schedule, TimeMs logical_time,
                    core::FireTrigger trigger = core::FireTrigger::kSchedule,
                    const std::string& run_id = "");

// gtest assertions, reporting each differing member.
void ExpectSpecEq(const core::JobSpec& expected, const core::JobSpec& actual);
void ExpectJobEq(const core::Job& expected, const core::Job& actual);
void ExpectComputeEnvironmentEq(const core::ComputeEnvironment& expected,
                                const core::ComputeEnvironment& actual);
void ExpectJobQueueEq(const core::JobQueue& expected, const core::JobQueue& actual);
void ExpectJobDefinitionEq(const core::JobDefinition& expected, const core::JobDefinition& actual);
void ExpectScheduleEq(const core::Schedule& expected, const core::Schedule& actual);
void ExpectFireEq(const core::Fire& expected, const core::Fire& actual);

}  // namespace nightshift::store::testing
