#include "api/json_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nightshift::api {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

std::string Nlohmann(const OrderedJson& value) {
  return value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

// Strings a flat answer may hold: plain, quotes and backslashes, every control character, the
// last ASCII one, and multi-byte UTF-8 up to four bytes.
std::vector<std::string> Samples() {
  std::vector<std::string> samples = {"", "jobId", "a \"quoted\" \\ path", "\x7f", "caf\xC3\xA9",
                                      "\xE2\x82\xAC 5", "\xF0\x9F\x8C\x99 night", std::string(200, 'x')};
  std::string controls;
  for (char c = 1; c < 0x20; ++c) controls.push_back(c);
  samples.push_back(controls);
  samples.push_back(std::string("nul\0inside", 10));
  return samples;
}

TEST(JsonTextTest, AFlatObjectOfStringsIsWhatNlohmannWrites) {
  for (const std::string& key : Samples()) {
    for (const std::string& value : Samples()) {
      OrderedJson object = {{"jobArn", "arn:aws:batch:us-east-1:000000000000:job/1"}, {key, value}, {"z", value}};
      EXPECT_EQ(JsonText(object), Nlohmann(object)) << "key " << key << " value " << value;
    }
  }
}

TEST(JsonTextTest, KeepsTheOrderOfAnOrderedObjectAndSortsAPlainOne) {
  EXPECT_EQ(JsonText(OrderedJson{{"b", "1"}, {"a", "2"}}), R"({"b":"1","a":"2"})");
  EXPECT_EQ(JsonText(Json{{"b", "1"}, {"a", "2"}}), R"({"a":"2","b":"1"})");
  EXPECT_EQ(JsonText(OrderedJson::object()), "{}");
}

TEST(JsonTextTest, AnythingElseIsNlohmanns) {
  const std::vector<OrderedJson> values = {
      OrderedJson{{"jobs", OrderedJson::array()}}, OrderedJson{{"n", 3}, {"s", "x"}}, OrderedJson::array({"a", "b"}),
      OrderedJson("text"), OrderedJson(nullptr), OrderedJson{{"nested", {{"a", "b"}}}}};
  for (const OrderedJson& value : values) EXPECT_EQ(JsonText(value), Nlohmann(value));
}

TEST(JsonTextTest, InvalidUtf8BecomesTheReplacementCharacterAndStaysValidJson) {
  for (const std::string bad : {"\xff", "ab\xC3", "\xE2\x82", "\xED\xA0\x80", "\xC0\xAF", "ok\x80ok"}) {
    const std::string text = JsonText(OrderedJson{{"message", bad}, {bad, "key"}});
    const Json parsed = Json::parse(text);  // throws, failing the test, if not valid JSON
    EXPECT_NE(parsed["message"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << text;
    EXPECT_EQ(parsed.size(), 2u) << text;
  }
}

}  // namespace
}  // namespace nightshift::api
