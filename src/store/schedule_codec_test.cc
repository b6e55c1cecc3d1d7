#include "store/schedule_codec.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"
#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using core::FireTrigger;
using testing::ExpectFireEq;
using testing::ExpectScheduleEq;
using testing::FullFire;
using testing::FullSchedule;

core::Schedule RoundTrip(const core::Schedule& schedule) {
  Result<core::Schedule> decoded = DecodeSchedule(EncodeSchedule(schedule));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? decoded.value() : core::Schedule();
}

// The key members, as the fires table's columns give them back.
core::Fire KeyOf(const core::Fire& fire) {
  core::Fire key;
  key.schedule = fire.schedule;
  key.logical_time = fire.logical_time;
  key.trigger = fire.trigger;
  return key;
}

core::Fire RoundTrip(const core::Fire& fire) {
  Result<core::Fire> decoded = DecodeFire(EncodeFire(fire), KeyOf(fire));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? decoded.value() : core::Fire();
}

TEST(ScheduleCodecTest, RoundTripsEveryMember) {
  ExpectScheduleEq(FullSchedule(), RoundTrip(FullSchedule()));
}

TEST(ScheduleCodecTest, RoundTripsDefaultSchedule) {
  core::Schedule decoded = RoundTrip(core::Schedule());
  ExpectScheduleEq(core::Schedule(), decoded);
  EXPECT_FALSE(decoded.start_date.has_value());
  EXPECT_FALSE(decoded.end_date.has_value());
}

// Members whose default is not empty or zero must not come back as their default.
TEST(ScheduleCodecTest, EmptyAndZeroValuesDoNotComeBackAsDefaults) {
  core::Schedule schedule;
  schedule.group = "";
  schedule.timezone = "";
  schedule.catch_up = core::CatchUpPolicy::kNone;
  schedule.catch_up_window_ms = 0;
  ExpectScheduleEq(schedule, RoundTrip(schedule));
}

TEST(ScheduleCodecTest, AZeroDateIsPresentAndAnAbsentOneAbsent) {
  core::Schedule schedule = FullSchedule();
  schedule.start_date = 0;
  schedule.end_date.reset();
  core::Schedule decoded = RoundTrip(schedule);
  ASSERT_TRUE(decoded.start_date.has_value());
  EXPECT_EQ(*decoded.start_date, 0);
  EXPECT_FALSE(decoded.end_date.has_value());

  schedule.start_date.reset();
  schedule.end_date = 0;
  decoded = RoundTrip(schedule);
  EXPECT_FALSE(decoded.start_date.has_value());
  EXPECT_EQ(decoded.end_date, std::optional<TimeMs>(0));
}

TEST(ScheduleCodecTest, RoundTripsEveryValueOfEveryEnum) {
  core::Schedule schedule;
  for (auto gap : {schedule::GapPolicy::kShift, schedule::GapPolicy::kSkip}) {
    schedule.dst.gap = gap;
    EXPECT_EQ(RoundTrip(schedule).dst.gap, gap);
  }
  for (auto repeat : {schedule::RepeatPolicy::kFirst, schedule::RepeatPolicy::kLast,
                      schedule::RepeatPolicy::kBoth}) {
    schedule.dst.repeat = repeat;
    EXPECT_EQ(RoundTrip(schedule).dst.repeat, repeat);
  }
  for (auto state : {core::ScheduleState::kEnabled, core::ScheduleState::kDisabled}) {
    schedule.state = state;
    EXPECT_EQ(RoundTrip(schedule).state, state);
  }
  for (auto overlap : {core::OverlapPolicy::kSkip, core::OverlapPolicy::kBufferOne,
                       core::OverlapPolicy::kBufferAll, core::OverlapPolicy::kCancelOther,
                       core::OverlapPolicy::kTerminateOther, core::OverlapPolicy::kAllowAll}) {
    schedule.overlap = overlap;
    EXPECT_EQ(RoundTrip(schedule).overlap, overlap);
  }
  for (auto catch_up :
       {core::CatchUpPolicy::kNone, core::CatchUpPolicy::kLatest, core::CatchUpPolicy::kAll}) {
    schedule.catch_up = catch_up;
    EXPECT_EQ(RoundTrip(schedule).catch_up, catch_up);
  }
  for (auto action : {core::AfterCompletion::kNone, core::AfterCompletion::kDelete}) {
    schedule.after_completion = action;
    EXPECT_EQ(RoundTrip(schedule).after_completion, action);
  }
}

TEST(ScheduleCodecTest, SkipsFieldsItDoesNotKnow) {
  std::string doc = EncodeSchedule(FullSchedule());
  wire::Writer writer(doc);
  writer.Bytes(1000, "written by a newer nightshift");
  writer.Int(1001, 7);
  Result<core::Schedule> decoded = DecodeSchedule(doc);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectScheduleEq(FullSchedule(), *decoded);
}

TEST(ScheduleCodecTest, UnknownEnumValueIsACorruptDocument) {
  std::string doc;
  wire::Writer writer(doc);
  writer.Uint(14, 99);  // the overlap policy's field
  Result<core::Schedule> decoded = DecodeSchedule(doc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
  EXPECT_NE(decoded.status().message().find("unknown OverlapPolicy 99"), std::string::npos)
      << decoded.status().message();
}

TEST(ScheduleCodecTest, TruncatedDocumentIsAnError) {
  std::string doc = EncodeSchedule(FullSchedule());
  doc.resize(doc.size() - 3);
  Result<core::Schedule> decoded = DecodeSchedule(doc);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
}

TEST(FireCodecTest, RoundTripsEveryMember) { ExpectFireEq(FullFire(), RoundTrip(FullFire())); }

TEST(FireCodecTest, RoundTripsDefaultFire) {
  core::Fire decoded = RoundTrip(core::Fire());
  ExpectFireEq(core::Fire(), decoded);
  EXPECT_EQ(decoded.count, 1);  // a non-zero default survives
}

TEST(FireCodecTest, RoundTripsZeroCountAndEveryOutcome) {
  core::Fire fire = FullFire();
  fire.count = 0;
  EXPECT_EQ(RoundTrip(fire).count, 0);
  for (auto outcome :
       {core::FireOutcome::kStarted, core::FireOutcome::kSkipped, core::FireOutcome::kMerged,
        core::FireOutcome::kBuffered, core::FireOutcome::kFailed}) {
    fire.outcome = outcome;
    EXPECT_EQ(RoundTrip(fire).outcome, outcome);
  }
}

// The key lives in the table's columns: the doc neither holds nor overrides it.
TEST(FireCodecTest, KeyComesFromTheCallerNotTheDoc) {
  core::Fire key = KeyOf(FullFire());
  key.schedule = "other/schedule";
  key.logical_time = 5;
  key.trigger = FireTrigger::kManual;
  std::string doc = EncodeFire(FullFire());
  EXPECT_EQ(doc.find(FullFire().schedule), std::string::npos);
  Result<core::Fire> decoded = DecodeFire(doc, key);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->schedule, "other/schedule");
  EXPECT_EQ(decoded->logical_time, 5);
  EXPECT_EQ(decoded->trigger, FireTrigger::kManual);
  EXPECT_EQ(decoded->run_id, FullFire().run_id);
}

TEST(FireCodecTest, CorruptDocNamesTheFire) {
  std::string doc;
  wire::Writer writer(doc);
  writer.Uint(3, 42);  // the outcome's field
  Result<core::Fire> decoded = DecodeFire(doc, KeyOf(FullFire()));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
  EXPECT_NE(decoded.status().message().find("fire etl/nightly at"), std::string::npos)
      << decoded.status().message();
  EXPECT_NE(decoded.status().message().find("unknown FireOutcome 42"), std::string::npos);
}

// The trigger's stored value is part of the fires table's primary key: it must never change.
TEST(FireCodecTest, TriggerWireValuesAreStable) {
  EXPECT_EQ(FireTriggerToWire(FireTrigger::kSchedule), 0);
  EXPECT_EQ(FireTriggerToWire(FireTrigger::kManual), 1);
  EXPECT_EQ(FireTriggerToWire(FireTrigger::kBackfill), 2);
  for (auto trigger : {FireTrigger::kSchedule, FireTrigger::kManual, FireTrigger::kBackfill}) {
    EXPECT_EQ(FireTriggerFromWire(FireTriggerToWire(trigger)), trigger);
  }
  EXPECT_EQ(FireTriggerFromWire(-1), std::nullopt);
  EXPECT_EQ(FireTriggerFromWire(3), std::nullopt);
}

}  // namespace
}  // namespace nightshift::store
