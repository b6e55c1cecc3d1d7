#include "util/uri.h"

#include <gtest/gtest.h>

namespace nightshift {
namespace {

TEST(UriTest, EncodesEverythingButUnreservedWithUpperCaseHex) {
  EXPECT_EQ(PercentEncode("arn:aws:batch/q1 x+y~_.-"), "arn%3Aaws%3Abatch%2Fq1%20x%2By~_.-");
  EXPECT_EQ(PercentEncode("/v1/tags/a%3A", KeepSlash::kYes), "/v1/tags/a%253A");
  EXPECT_EQ(PercentEncode("\xff"), "%FF");
}

TEST(UriTest, DecodesEscapesAndKeepsInvalidOnes) {
  EXPECT_EQ(PercentDecode("a%3Ab%2fc"), "a:b/c");
  EXPECT_EQ(PercentDecode("a+b%zz%4"), "a+b%zz%4");
  EXPECT_EQ(PercentDecode("%41"), "A");
}

}  // namespace
}  // namespace nightshift
