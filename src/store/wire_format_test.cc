#include "store/wire_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace nightshift::store::wire {
namespace {

TEST(WireFormatTest, RoundTripsScalarsAtTheirLimits) {
  std::string doc;
  Writer w(doc);
  w.Uint(1, 0);
  w.Uint(2, std::numeric_limits<uint64_t>::max());
  w.Int(3, -1);
  w.Int(4, std::numeric_limits<int64_t>::min());
  w.Int(5, std::numeric_limits<int64_t>::max());
  w.Double(6, -0.125);
  w.Bool(7, true);
  Reader r(doc);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Uint(), 0u);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Uint(), std::numeric_limits<uint64_t>::max());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Int(), -1);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Int(), std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Int(), std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Double(), -0.125);
  ASSERT_TRUE(r.Next());
  EXPECT_TRUE(r.Bool());
  EXPECT_FALSE(r.Next());
  EXPECT_TRUE(r.status().ok());
}

TEST(WireFormatTest, SmallNegativeIntsStaySmall) {
  std::string doc;
  Writer(doc).Int(1, -3);
  EXPECT_EQ(doc.size(), 2u);  // tag + one zigzag byte
}

TEST(WireFormatTest, NestedDocumentsOfAnySizeRoundTrip) {
  for (size_t size : {0, 1, 127, 128, 300, 20000}) {
    std::string doc;
    Writer w(doc);
    size_t mark = w.BeginNested(1);
    w.Bytes(1, std::string(size, 'a'));
    w.EndNested(mark);
    w.Uint(2, 7);
    Reader r(doc);
    ASSERT_TRUE(r.Next());
    Reader nested(r.Bytes());
    ASSERT_TRUE(nested.Next());
    EXPECT_EQ(nested.Bytes().size(), size);
    ASSERT_TRUE(r.Next()) << size;
    EXPECT_EQ(r.Uint(), 7u);
  }
}

TEST(WireFormatTest, TruncatedInputIsAnErrorNamingTheByte) {
  std::string doc;
  Writer(doc).Bytes(1, "hello");
  doc.pop_back();
  Reader r(doc);
  EXPECT_FALSE(r.Next());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("truncated bytes"), std::string::npos);
}

TEST(WireFormatTest, WrongWireTypeIsAnError) {
  std::string doc;
  Writer(doc).Bytes(1, "x");
  Reader r(doc);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.Uint(), 0u);
  EXPECT_FALSE(r.Next());
  EXPECT_NE(r.status().message().find("expected 0"), std::string::npos) << r.status().message();
}

TEST(WireFormatTest, UnknownWireTypeIsAnError) {
  Reader r(std::string_view("\x0F\x00", 2));  // field 1, wire type 7
  EXPECT_FALSE(r.Next());
  EXPECT_FALSE(r.status().ok());
}

}  // namespace
}  // namespace nightshift::store::wire
