// Unit tests of JsonWriter: the text it writes is JSON that parses back to what was written.
#include "events/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

TEST(JsonWriterTest, RawValuesAreWrittenAsGiven) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("detail").Raw(R"({"x":[1,2]})").Key("n").Int(3).EndObject();
  EXPECT_EQ(out, R"({"detail":{"x":[1,2]},"n":3})");
}

}  // namespace
}  // namespace nightshift::events
