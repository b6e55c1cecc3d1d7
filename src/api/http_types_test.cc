#include "api/http_types.h"

#include <gtest/gtest.h>

namespace nightshift::api {
namespace {

TEST(HttpTypesTest, SetTargetSplitsPathFromQueryAtTheFirstQuestionMark) {
  HttpRequest request;
  SetTarget(request, "/v1/tags/a%2Fb?x=1&y=?2");
  EXPECT_EQ(request.path, "/v1/tags/a%2Fb");
  EXPECT_EQ(request.query, "x=1&y=?2");
  SetTarget(request, "/healthz");
  EXPECT_EQ(request.path, "/healthz");
  EXPECT_EQ(request.query, "");
  SetTarget(request, "?");
  EXPECT_EQ(request.path, "");
  EXPECT_EQ(request.query, "");
}

TEST(HttpTypesTest, AddHeaderLowerCasesNamesAndJoinsRepeatedOnes) {
  HttpRequest request;
  AddHeader(request, "X-Amz-Date", "20260101T000000Z");
  AddHeader(request, "Accept", "a");
  AddHeader(request, "ACCEPT", "b");
  EXPECT_EQ(request.Header("x-amz-date"), "20260101T000000Z");
  EXPECT_EQ(request.Header("accept"), "a,b");
  EXPECT_EQ(request.Header("absent"), "");
}

TEST(HttpTypesTest, SplitPathAndParseQueryDecodeAndDropEmptyParts) {
  EXPECT_EQ(SplitPath("//a/b%2Fc//"), (std::vector<std::string>{"a", "b/c"}));
  EXPECT_EQ(ParseQuery("a=1&&b&c=%41=&"),
            (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", ""}, {"c", "A="}}));
}

}  // namespace
}  // namespace nightshift::api
