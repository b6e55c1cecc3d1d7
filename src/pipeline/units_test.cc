#include "pipeline/units.h"

#include <gtest/gtest.h>

namespace nightshift::pipeline {
namespace {

TEST(DurationTest, ReadsSecondsAndUnitsFromLargestToSmallest) {
  EXPECT_EQ(*ParseDurationSeconds("90"), 90);
  EXPECT_EQ(*ParseDurationSeconds("0"), 0);
  EXPECT_EQ(*ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(*ParseDurationSeconds("30m"), 1800);
  EXPECT_EQ(*ParseDurationSeconds("6h"), 21600);
  EXPECT_EQ(*ParseDurationSeconds("1d"), 86400);
  EXPECT_EQ(*ParseDurationSeconds("1h30m"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("1d2h3m4s"), 93784);
  EXPECT_EQ(*ParseDurationSeconds("90m"), 5400);  // a unit need not be below the next one's size
}

TEST(DurationTest, RejectsOtherForms) {
  for (const char* text :
       {"", "s", "1x", "1h30", "30m1h", "1h1h", "-5", "+5", "1.5h", "1 h", "1h 30m", "5S", "h1"}) {
    Result<int64_t> seconds = ParseDurationSeconds(text);
    ASSERT_FALSE(seconds.ok()) << text;
    EXPECT_EQ(seconds.status().message(),
              std::string("'").append(text) +
                  "' is not a duration: expected whole seconds or numbers with units d, h, m, s "
                  "as in 90s, 30m, 6h, 1d, 1h30m");
  }
}

TEST(DurationTest, RejectsMoreThanAHundredYearsWithoutOverflowing) {
  EXPECT_EQ(*ParseDurationSeconds("36500d"), 36500LL * 86400);
  EXPECT_EQ(ParseDurationSeconds("36501d").status().message(),
            "duration '36501d' is longer than 100 years");
  EXPECT_EQ(ParseDurationSeconds("99999999999999999999999").status().message(),
            "duration '99999999999999999999999' is longer than 100 years");
  EXPECT_EQ(ParseDurationSeconds("36500d1s").status().message(),
            "duration '36500d1s' is longer than 100 years");
}

TEST(MemoryTest, ReadsMibAndBinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseMemoryMib("512"), 512);
  EXPECT_EQ(*ParseMemoryMib("512Mi"), 512);
  EXPECT_EQ(*ParseMemoryMib("2Gi"), 2048);
  EXPECT_EQ(*ParseMemoryMib("512M"), 489);  // 512,000,000 bytes, rounded up to whole MiB
  EXPECT_EQ(*ParseMemoryMib("2G"), 1908);
  EXPECT_EQ(*ParseMemoryMib("1M"), 1);
  EXPECT_EQ(*ParseMemoryMib("1048576Gi"), 1LL << 30);  // 1 PiB
}

TEST(MemoryTest, RejectsOtherFormsZeroAndMoreThanAPebibyte) {
  for (const char* text : {"", "Mi", "512m", "2g", "2GB", "1.5Gi", "-1", "2 Gi", "1Ki"}) {
    Result<int64_t> mib = ParseMemoryMib(text);
    ASSERT_FALSE(mib.ok()) << text;
    EXPECT_EQ(mib.status().message(),
              std::string("'").append(text) +
                  "' is not a memory size: expected whole MiB or a number with a unit Mi, Gi, M, "
                  "G as in 512Mi, 2Gi, 512M, 2G");
  }
  EXPECT_EQ(ParseMemoryMib("0").status().message(), "memory '0' must be at least 1 MiB");
  EXPECT_EQ(ParseMemoryMib("0Gi").status().message(), "memory '0Gi' must be at least 1 MiB");
  EXPECT_EQ(ParseMemoryMib("1048577Gi").status().message(),
            "memory '1048577Gi' is more than 1 PiB");
  EXPECT_EQ(ParseMemoryMib("99999999999999999999G").status().message(),
            "memory '99999999999999999999G' is more than 1 PiB");
}

}  // namespace
}  // namespace nightshift::pipeline
