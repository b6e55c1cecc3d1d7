#include "api/json_reader.h"

#include <gtest/gtest.h>

namespace nightshift::api {
namespace {

TEST(JsonReaderTest, MalformedBodyIsAnInvalidArgument) {
  EXPECT_EQ(ParseBody("{not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBody("[1,2]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseBody("").ok());
}

TEST(JsonReaderTest, NamesTheFieldWithTheWrongType) {
  Json body = Json::parse(R"({"a": {"b": [1]}})");
  JsonReader r(body, "");
  const Json* a = r.Object("a");
  ASSERT_NE(a, nullptr);
  JsonReader inner(*a, r.PathOf("a"));
  inner.StringList("b");
  EXPECT_EQ(inner.Finish().message(), "a.b[0] must be a string");
}

TEST(JsonReaderTest, RequiredMissingFieldIsNamed) {
  Json body = Json::object();
  JsonReader r(body, "");
  r.String("jobName", true);
  EXPECT_EQ(r.Finish().message(), "jobName is required");
}

TEST(JsonReaderTest, UnknownFieldIsRejected) {
  Json body = Json::parse(R"({"jobName": "x", "jobNmae": "typo"})");
  JsonReader r(body, "");
  r.String("jobName");
  EXPECT_EQ(r.Finish().message(), "jobNmae is not a known or supported field");
}

// A member counts as known once it is read, accepted or given as null; reading one member twice
// does not make up for another that was never read.
TEST(JsonReaderTest, EveryMemberMustBeReadOrAccepted) {
  Json body = Json::parse(R"({"jobName": "x", "echo": 1, "timeout": null, "extra": 2})");
  JsonReader r(body, "");
  r.String("jobName");
  r.String("jobName");
  r.Accept("echo");
  r.Accept("absent");
  r.Object("timeout");
  EXPECT_EQ(r.Finish().message(), "extra is not a known or supported field");
  r.Accept("extra");
  EXPECT_TRUE(r.Finish().ok());
}

TEST(JsonReaderTest, UnsupportedFieldIsNamed) {
  Json body = Json::parse(R"({"nodeOverrides": {}})");
  JsonReader r(body, "");
  r.Unsupported("nodeOverrides");
  EXPECT_EQ(r.Finish().message(), "nodeOverrides is not supported by nightshift yet");
}

TEST(JsonReaderTest, IntegerRangeIsChecked) {
  Json body = Json::parse(R"({"size": 1})");
  JsonReader r(body, "arrayProperties");
  r.Int("size", false, 2, 100000);
  EXPECT_EQ(r.Finish().message(), "arrayProperties.size must be between 2 and 100000, got 1");
}

}  // namespace
}  // namespace nightshift::api
