// Unit tests of JsonWriter: the text it writes is JSON that parses back to what was written.
#include "events/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace nightshift::events {
namespace {

using OrderedJson = nlohmann::ordered_json;

TEST(JsonWriterTest, NestsObjectsAndArraysWithCommasInPlace) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().Int(-2).String("x").Null();
  w.BeginObject().EndObject().BeginArray().EndArray().EndArray();
  w.Key("c").StringMap({{"k", "v"}, {"j", ""}}).Key("d").StringArray({"p", "q"}).EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[-2,"x",null,{},[]],"c":{"j":"","k":"v"},"d":["p","q"]})");
}

TEST(JsonWriterTest, EscapesWhatJsonRequires) {
  std::string out;
  JsonWriter(out).String(std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f", 14));
  EXPECT_EQ(out, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
  EXPECT_EQ(OrderedJson::parse(out).get<std::string>(), std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f", 14));
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  JsonWriter(out).String("h\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80");  // é ✓ 😀
  EXPECT_EQ(OrderedJson::parse(out).get<std::string>(), "h\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80");
  for (std::string bad : {std::string("\xFF"), std::string("\xC3"), std::string("\xC0\xAF"),
                          std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
                          std::string("a\xE2\x9C")}) {
    std::string text;
    JsonWriter(text).String(bad);
    OrderedJson parsed = OrderedJson::parse(text);  // throws if the writer let invalid UTF-8 through
    EXPECT_NE(parsed.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << text;
  }
}

// The writer scans eight bytes at a time: a character that needs escaping is found wherever it
// falls in a word, in keys as in values, and the text around it is kept.
TEST(JsonWriterTest, EscapesACharacterAtEveryPositionOfAWord) {
  std::mt19937 random(7);
  const std::string specials[] = {"\"",   "\\",       "\n",   std::string(1, '\0'), "\x1f",
                                  "\x7f", "\xC3\xA9", "\xFF", " "};
  for (int round = 0; round < 2000; ++round) {
    std::string text(random() % 40, 'a');
    for (char& c : text) c = static_cast<char>('a' + random() % 26);
    const std::string& special = specials[random() % std::size(specials)];
    text.insert(random() % (text.size() + 1), special);
    std::string out;
    JsonWriter(out).StringMap({{text, text}});
    const OrderedJson parsed = OrderedJson::parse(out);
    std::string expected = text;
    if (special == "\xFF") expected.replace(expected.find('\xFF'), 1, "\xEF\xBF\xBD");
    ASSERT_EQ(parsed.size(), 1u) << out;
    EXPECT_EQ(parsed.begin().key(), expected) << out;
    EXPECT_EQ(parsed.begin().value().get<std::string>(), expected) << out;
  }
}

TEST(JsonWriterTest, WritesEveryInt) {
  for (int64_t value : {int64_t{0}, int64_t{-1}, int64_t{42}, INT64_MIN, INT64_MAX}) {
    std::string out;
    JsonWriter(out).Int(value);
    EXPECT_EQ(out, std::to_string(value));
  }
}

TEST(JsonWriterTest, RawValuesAreWrittenAsGiven) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("detail").Raw(R"({"x":[1,2]})").Key("n").Int(3).EndObject();
  EXPECT_EQ(out, R"({"detail":{"x":[1,2]},"n":3})");
}

}  // namespace
}  // namespace nightshift::events
