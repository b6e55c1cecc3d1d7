#include <gtest/gtest.h>

#include "schedule/timetable.h"

namespace nightshift::schedule {
namespace {

std::string ErrorOf(std::string_view text) {
  Result<Expression> e = Expression::Parse(text);
  EXPECT_FALSE(e.ok()) << text;
  if (e.ok()) return "";
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  return e.status().message();
}

TEST(ExpressionTest, RecognisesEachFlavour) {
  EXPECT_EQ(Expression::Parse("*/5 * * * *")->kind(), ExpressionKind::kCron);
  EXPECT_EQ(Expression::Parse("@daily")->kind(), ExpressionKind::kCron);
  EXPECT_EQ(Expression::Parse("cron(0 12 ? * MON-FRI *)")->kind(), ExpressionKind::kAwsCron);
  EXPECT_EQ(Expression::Parse("rate(5 minutes)")->kind(), ExpressionKind::kRate);
  EXPECT_EQ(Expression::Parse("at(2026-03-29T02:30:00)")->kind(), ExpressionKind::kAt);
  EXPECT_EQ(Expression::Parse("  @daily ")->text(), "  @daily ");
}

TEST(ExpressionTest, ElapsedTimeWhenTheHourIsStarOrAStep) {
  EXPECT_TRUE(Expression::Parse("30 * * * *")->follows_elapsed_time());
  EXPECT_TRUE(Expression::Parse("0 */2 * * *")->follows_elapsed_time());
  EXPECT_TRUE(Expression::Parse("0 1-23/2 * * *")->follows_elapsed_time());
  EXPECT_TRUE(Expression::Parse("@hourly")->follows_elapsed_time());
  EXPECT_TRUE(Expression::Parse("cron(0 * ? * MON *)")->follows_elapsed_time());
  EXPECT_TRUE(Expression::Parse("rate(1 day)")->follows_elapsed_time());
  EXPECT_FALSE(Expression::Parse("*/5 2 * * *")->follows_elapsed_time());
  EXPECT_FALSE(Expression::Parse("0 0-23 * * *")->follows_elapsed_time());
  EXPECT_FALSE(Expression::Parse("@daily")->follows_elapsed_time());
  EXPECT_FALSE(Expression::Parse("at(2026-03-29T02:30:00)")->follows_elapsed_time());
}

TEST(ExpressionTest, UnixErrorsNameTheFieldAndColumn) {
  EXPECT_EQ(ErrorOf("0 0 1,32 * *"), "day-of-month '32' at column 7: must be 1-31");
  EXPECT_EQ(ErrorOf("60 * * * *"), "minute '60' at column 1: must be 0-59");
  EXPECT_EQ(ErrorOf("* 24 * * *"), "hour '24' at column 3: must be 0-23");
  EXPECT_EQ(ErrorOf("0 0 * * 8"),
            "day-of-week '8' at column 9: must be 0-7 (0 and 7 = Sunday) or SUN-SAT");
  EXPECT_EQ(ErrorOf("0 0 * FOO *"),
            "month 'FOO' at column 7: unknown name; must be 1-12 or JAN-DEC");
  EXPECT_EQ(ErrorOf("0 0 0 * *"), "day-of-month '0' at column 5: must be 1-31");
  EXPECT_EQ(ErrorOf("*/0 * * * *"),
            "minute step '0' at column 3: must be a whole number of 1 or more");
  EXPECT_EQ(ErrorOf("0 5-1 * * *"),
            "hour range '5-1' at column 3: start is after end (for a range that wraps around, "
            "list two ranges)");
  EXPECT_EQ(ErrorOf("1,,2 * * * *"), "minute at column 3: empty list item");
  EXPECT_EQ(ErrorOf("0 0 * * MON-"), "day-of-week at column 13: missing value");
  EXPECT_EQ(ErrorOf("0 0 L * *"),
            "day-of-month 'L' at column 5: L, W, # and ? need the AWS form cron(minute hour "
            "day-of-month month day-of-week year)");
  EXPECT_EQ(ErrorOf("0 0 * * 5#2"),
            "day-of-week '5#2' at column 9: L, W, # and ? need the AWS form cron(minute hour "
            "day-of-month month day-of-week year)");
  EXPECT_EQ(ErrorOf("5x * * * *"), "minute '5x' at column 1: must be 0-59");
}

TEST(ExpressionTest, FieldCountAndMacroErrors) {
  EXPECT_EQ(ErrorOf("* * * * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week) or a macro, got 6 at "
            "column 1; AWS's six fields are written cron(...)");
  EXPECT_EQ(ErrorOf("  * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week) or a macro, got 3 at "
            "column 3");
  EXPECT_EQ(ErrorOf("@reboot"),
            "macro '@reboot' at column 1: unknown; use @yearly, @annually, @monthly, @weekly, "
            "@daily, @midnight or @hourly");
  EXPECT_EQ(ErrorOf("   "),
            "empty schedule expression: expected five cron fields, a macro such as @daily, "
            "cron(...), rate(...) or at(...)");
}

TEST(ExpressionTest, AwsErrors) {
  EXPECT_EQ(ErrorOf("cron(0 12 * * * *)"),
            "day-of-week '*' at column 15: one of day-of-month and day-of-week must be '?'");
  EXPECT_EQ(ErrorOf("cron(0 12 ? * ? *)"),
            "day-of-week '?' at column 15: day-of-month and day-of-week cannot both be '?'");
  EXPECT_EQ(ErrorOf("cron(0 12 ? * 0 *)"),
            "day-of-week '0' at column 15: must be 1-7 (1 = Sunday) or SUN-SAT");
  EXPECT_EQ(ErrorOf("cron(0 12 ? * 2#6 *)"), "day-of-week '#' week '6' at column 17: must be 1-5");
  EXPECT_EQ(ErrorOf("cron(0 12 32W * ? *)"), "day-of-month '32' at column 11: must be 1-31");
  EXPECT_EQ(ErrorOf("cron(0 12 1 * ? 1969)"), "year '1969' at column 17: must be 1970-2199");
  EXPECT_EQ(ErrorOf("cron(0 12 * * ?)"),
            "expected 6 fields in cron(minute hour day-of-month month day-of-week year), got 5 "
            "at column 6");
  EXPECT_EQ(ErrorOf("cron(0 12 * * ? *) x"),
            "unexpected text 'x' at column 20: nothing may follow ')'");
  EXPECT_EQ(ErrorOf("cron(0 12 * * ? *"), "missing ')' at column 18 to close cron(");
}

TEST(ExpressionTest, RateAndAtErrors) {
  EXPECT_EQ(ErrorOf("rate(0 minutes)"),
            "rate value '0' at column 6: must be a whole number from 1 to 1000000");
  EXPECT_EQ(ErrorOf("rate(5 weeks)"),
            "rate unit 'weeks' at column 8: must be second(s), minute(s), hour(s) or day(s)");
  EXPECT_EQ(ErrorOf("rate(5)"),
            "rate '5' at column 6: expected a value and a unit, e.g. rate(5 minutes)");
  EXPECT_EQ(ErrorOf("at(2026-02-30T00:00:00)"),
            "at() time '2026-02-30T00:00:00' at column 4: that day does not exist");
  EXPECT_EQ(ErrorOf("at(2026-03-29 02:30)"),
            "at() '2026-03-29 02:30' at column 4: expected one local time yyyy-mm-ddThh:mm:ss");
  EXPECT_EQ(ErrorOf("at(2026-03-29T24:00:00)"),
            "at() time '2026-03-29T24:00:00' at column 4: time of day must be 00:00:00-23:59:59");
  EXPECT_TRUE(Expression::Parse("rate(1 minute)").ok());  // AWS wants the singular for 1
  EXPECT_TRUE(Expression::Parse("rate(1 minutes)").ok());
}

TEST(ExpressionTest, CopiesAreIndependent) {
  Expression a = *Expression::Parse("@daily");
  Expression b = a;
  a = *Expression::Parse("rate(5 minutes)");
  EXPECT_EQ(b.text(), "@daily");
  EXPECT_EQ(a.kind(), ExpressionKind::kRate);
}

}  // namespace
}  // namespace nightshift::schedule
