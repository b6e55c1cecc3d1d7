#include "store/pipeline_codec.h"

#include <gtest/gtest.h>

#include "store/pipeline_test_util.h"
#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using core::RunState;
using core::StepState;
using testing::ExpectPipelineVersionEq;
using testing::ExpectRunEq;
using testing::FullPipelineVersion;
using testing::FullRun;

core::PipelineVersion RoundTrip(const core::PipelineVersion& version) {
  Result<core::PipelineVersion> decoded = DecodePipelineVersion(EncodePipelineVersion(version));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? decoded.value() : core::PipelineVersion();
}

core::PipelineRun RoundTrip(const core::PipelineRun& run) {
  Result<core::PipelineRun> decoded = DecodeRun(EncodeRun(run));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? decoded.value() : core::PipelineRun();
}

// A run doc holding only `state` (field 7), or one step holding only `step_state` (field 12,
// its state field 3): how a stored enum value decodes, whatever the C++ enum's order.
Result<core::PipelineRun> DecodeStates(uint64_t state, std::optional<uint64_t> step_state) {
  std::string doc;
  wire::Writer writer(doc);
  writer.Uint(7, state);
  if (step_state) {
    size_t mark = writer.BeginNested(12);
    writer.Uint(3, *step_state);
    writer.EndNested(mark);
  }
  return DecodeRun(doc);
}

TEST(PipelineVersionCodecTest, RoundTripsEveryMember) {
  ExpectPipelineVersionEq(FullPipelineVersion(), RoundTrip(FullPipelineVersion()));
}

TEST(PipelineVersionCodecTest, RoundTripsDefaultVersion) {
  core::PipelineVersion decoded = RoundTrip(core::PipelineVersion());
  ExpectPipelineVersionEq(core::PipelineVersion(), decoded);
  EXPECT_EQ(decoded.version, 1);
  EXPECT_FALSE(decoded.deleted);
}

TEST(PipelineVersionCodecTest, ZeroVersionDoesNotComeBackAsTheDefault) {
  core::PipelineVersion version = FullPipelineVersion();
  version.version = 0;
  EXPECT_EQ(RoundTrip(version).version, 0);
}

TEST(PipelineVersionCodecTest, SkipsFieldsItDoesNotKnow) {
  std::string doc = EncodePipelineVersion(FullPipelineVersion());
  wire::Writer writer(doc);
  writer.Bytes(1000, "written by a newer nightshift");
  Result<core::PipelineVersion> decoded = DecodePipelineVersion(doc);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectPipelineVersionEq(FullPipelineVersion(), *decoded);
}

TEST(PipelineVersionCodecTest, TruncatedDocumentIsAnError) {
  std::string doc = EncodePipelineVersion(FullPipelineVersion());
  doc.resize(doc.size() / 2);
  Result<core::PipelineVersion> decoded = DecodePipelineVersion(doc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
}

TEST(RunCodecTest, RoundTripsEveryMember) { ExpectRunEq(FullRun(), RoundTrip(FullRun())); }

TEST(RunCodecTest, RoundTripsDefaultRun) {
  core::PipelineRun decoded = RoundTrip(core::PipelineRun());
  ExpectRunEq(core::PipelineRun(), decoded);
  EXPECT_EQ(decoded.version, 1);  // non-zero defaults survive
  EXPECT_EQ(decoded.tries, 1);
  EXPECT_TRUE(decoded.steps.empty());
}

TEST(RunCodecTest, RoundTripsDefaultStep) {
  core::PipelineRun run;
  run.steps.resize(2);
  core::PipelineRun decoded = RoundTrip(run);
  ASSERT_EQ(decoded.steps.size(), 2u);  // empty steps are not dropped
  testing::ExpectStepRunEq(core::StepRun(), decoded.steps[0]);
  EXPECT_FALSE(decoded.steps[1].exit_code.has_value());
}

TEST(RunCodecTest, ZeroVersionAndTriesDoNotComeBackAsDefaults) {
  core::PipelineRun run = FullRun();
  run.version = 0;
  run.tries = 0;
  core::PipelineRun decoded = RoundTrip(run);
  EXPECT_EQ(decoded.version, 0);
  EXPECT_EQ(decoded.tries, 0);
}

TEST(RunCodecTest, AZeroExitCodeIsPresentAndAnAbsentOneAbsent) {
  core::PipelineRun run = FullRun();
  run.steps[0].exit_code = 0;
  run.steps[1].exit_code.reset();
  core::PipelineRun decoded = RoundTrip(run);
  EXPECT_EQ(decoded.steps[0].exit_code, std::optional<int>(0));
  EXPECT_EQ(decoded.steps[1].exit_code, std::nullopt);
}

TEST(RunCodecTest, RoundTripsEveryValueOfEveryEnum) {
  core::PipelineRun run = FullRun();
  for (auto state :
       {RunState::kRunning, RunState::kSucceeded, RunState::kFailed, RunState::kCancelled}) {
    run.state = state;
    EXPECT_EQ(RoundTrip(run).state, state);
  }
  for (auto state : {StepState::kPending, StepState::kRunning, StepState::kSucceeded,
                     StepState::kFailed, StepState::kSkipped, StepState::kCancelled}) {
    run.steps[1].state = state;
    EXPECT_EQ(RoundTrip(run).steps[1].state, state);
  }
}

// Stored enum values are positions in append-only tables: reordering the C++ enums must not
// change what a stored run means.
TEST(RunCodecTest, EnumWireValuesAreStable) {
  const RunState run_states[] = {RunState::kRunning, RunState::kSucceeded, RunState::kFailed,
                                 RunState::kCancelled};
  for (uint64_t wire = 0; wire < std::size(run_states); ++wire) {
    Result<core::PipelineRun> run = DecodeStates(wire, std::nullopt);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->state, run_states[wire]) << wire;
  }
  const StepState step_states[] = {StepState::kPending, StepState::kRunning, StepState::kSucceeded,
                                   StepState::kFailed,  StepState::kSkipped, StepState::kCancelled};
  for (uint64_t wire = 0; wire < std::size(step_states); ++wire) {
    Result<core::PipelineRun> run = DecodeStates(0, wire);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_EQ(run->steps.size(), 1u);
    EXPECT_EQ(run->steps[0].state, step_states[wire]) << wire;
  }
}

TEST(RunCodecTest, SkipsFieldsItDoesNotKnow) {
  std::string doc = EncodeRun(FullRun());
  wire::Writer writer(doc);
  writer.Bytes(1000, "written by a newer nightshift");
  writer.Int(1001, -7);
  Result<core::PipelineRun> decoded = DecodeRun(doc);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectRunEq(FullRun(), *decoded);
}

TEST(RunCodecTest, UnknownStateIsACorruptDocument) {
  Result<core::PipelineRun> decoded = DecodeStates(4, std::nullopt);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
  EXPECT_NE(decoded.status().message().find("unknown RunState 4"), std::string::npos)
      << decoded.status().message();
}

TEST(RunCodecTest, CorruptStepNamesTheRun) {
  std::string doc;
  wire::Writer writer(doc);
  writer.Bytes(1, "run-7");  // the id's field
  size_t mark = writer.BeginNested(12);
  writer.Uint(3, 6);  // a step state past the table
  writer.EndNested(mark);
  Result<core::PipelineRun> decoded = DecodeRun(doc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
  EXPECT_NE(decoded.status().message().find("pipeline run run-7"), std::string::npos)
      << decoded.status().message();
  EXPECT_NE(decoded.status().message().find("unknown StepState 6"), std::string::npos)
      << decoded.status().message();
}

// Fails when a member is added to a pipeline type: add it to pipeline_codec.cc, to Full*() and
// Expect*Eq in pipeline_test_util.cc, then update the size here. (Sizes of GCC's libstdc++ on
// x86-64.)
TEST(RunCodecTest, CodecCoversEveryMemberOfTheModel) {
#if !defined(__x86_64__) || !defined(__GLIBCXX__)
  GTEST_SKIP() << "sizes recorded for libstdc++ on x86-64";
#endif
  EXPECT_EQ(sizeof(core::PipelineVersion), 152u);
  EXPECT_EQ(sizeof(core::PipelineRun), 256u);
  EXPECT_EQ(sizeof(core::StepRun), 144u);
}

TEST(RunCodecTest, TruncatedDocumentIsAnError) {
  std::string doc = EncodeRun(FullRun());
  doc.resize(doc.size() - 3);
  Result<core::PipelineRun> decoded = DecodeRun(doc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace nightshift::store
