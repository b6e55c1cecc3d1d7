#include "store/job_list_query.h"

#include <gtest/gtest.h>

namespace nightshift::store {
namespace {

TEST(PageTokenTest, RoundTrips) {
  PageCursor cursor{.created_at = 1'700'000'000'123, .id = "abc:12|x"};
  Result<PageCursor> decoded = DecodePageToken(EncodePageToken(cursor));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->created_at, cursor.created_at);
  EXPECT_EQ(decoded->id, cursor.id);
}

TEST(PageTokenTest, RejectsWhatItDidNotProduce) {
  for (std::string token : {"z", "zz", "abc", "7c61", /* "|a" */ "3132", /* "12" */
                            "31327c", /* "12|" */ "787c61" /* "x|a" */}) {
    Result<PageCursor> decoded = DecodePageToken(token);
    ASSERT_FALSE(decoded.ok()) << token;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message(), "invalid nextToken");
  }
}

TEST(NameFilterTest, EscapesLikeWildcardsAndTurnsTrailingStarIntoPrefix) {
  EXPECT_EQ(NameFilterToLike("etl"), "etl");
  EXPECT_EQ(NameFilterToLike("etl*"), "etl%");
  EXPECT_EQ(NameFilterToLike("a_b%c\\d*"), "a\\_b\\%c\\\\d%");
  EXPECT_EQ(NameFilterToLike("a*b"), "a*b");  // only a trailing '*' is special
}

TEST(BuildListJobsSqlTest, NeedsExactlyOneSelector) {
  EXPECT_EQ(BuildListJobsSql({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildListJobsSql({.queue = "q", .array_parent = "p"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BuildListJobsSqlTest, ClampsLimitToAtLeastOne) {
  Result<ListJobsSql> sql = BuildListJobsSql({.queue = "q", .limit = -5});
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(sql->limit, 1);
}

TEST(BuildListJobsSqlTest, SqlDependsOnShapeNotValues) {
  auto a = BuildListJobsSql({.queue = "a", .name_pattern = "x*", .limit = 5});
  auto b = BuildListJobsSql({.queue = "b", .name_pattern = "yy", .limit = 50});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->sql, b->sql);
}

}  // namespace
}  // namespace nightshift::store
