// Helpers for the store's pipeline tests: versions and runs with every member set, small runs
// for listings, and field-by-field equality (the core types have no operator==).
#pragma once

#include <cstdint>
#include <string>

#include "core/pipeline.h"

namespace nightshift::store::testing {

// Every member set to a value other than its default.
core::PipelineVersion FullPipelineVersion();
core::PipelineRun FullRun();

// A run with only the members a listing or Load() looks at, and one step.
core::PipelineRun MakeRun(const std::string& id, const std::string& pipeline, uint64_t seq,
                          core::RunState state = core::RunState::kRunning);

// gtest assertions, reporting each differing member.
void ExpectPipelineVersionEq(const core::PipelineVersion& expected,
                             const core::PipelineVersion& actual);
void ExpectStepRunEq(const core::StepRun& expected, const core::StepRun& actual);
void ExpectRunEq(const core::PipelineRun& expected, const core::PipelineRun& actual);

}  // namespace nightshift::store::testing
