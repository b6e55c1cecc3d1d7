#include "util/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace nightshift {
namespace {

const std::regex kUuidShape("[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}");

// The version nibble and whether the variant is 10xx.
std::pair<char, bool> VersionAndVariant(const std::string& id) {
  std::smatch m;
  EXPECT_TRUE(std::regex_match(id, m, kUuidShape)) << id;
  if (m.empty()) return {'?', false};
  const char variant = m[2].str()[0];
  return {m[1].str()[0], variant == '8' || variant == '9' || variant == 'a' || variant == 'b'};
}

TEST(IdsTest, RandomUuidsAreVersion4AndDistinct) {
  IdGenerator ids(7);
  const std::string a = ids.NewUuid(), b = ids.NewUuid();
  EXPECT_EQ(VersionAndVariant(a), std::make_pair('4', true));
  EXPECT_NE(a, b);
}

TEST(IdsTest, TimeOrderedUuidsCarryTheMillisecondsAndVersion7) {
  IdGenerator ids(7);
  const int64_t ms = 1'795'000'000'123;  // 2026-11-17
  const std::string id = ids.NewTimeOrderedUuid(ms);
  EXPECT_EQ(VersionAndVariant(id), std::make_pair('7', true));
  const std::string hex = id.substr(0, 8) + id.substr(9, 4);
  EXPECT_EQ(std::stoll(hex, nullptr, 16), ms);
}

// Within one millisecond, across milliseconds, past the counter's end and with the clock
// stepping back, each ID sorts after the one before it, as text.
TEST(IdsTest, TimeOrderedUuidsIncreaseWhateverTheClockDoes) {
  IdGenerator ids(11);
  std::string last = ids.NewTimeOrderedUuid(1000);
  auto expect_increasing = [&](int64_t ms) {
    const std::string next = ids.NewTimeOrderedUuid(ms);
    EXPECT_LT(last, next) << "at " << ms;
    last = next;
  };
  for (int i = 0; i < 5000; ++i) expect_increasing(1000);  // beyond the 12-bit counter
  expect_increasing(1001);                                 // the borrowed millisecond is ahead
  expect_increasing(900);                                  // the clock stepped back
  expect_increasing(5000);
  EXPECT_EQ(last.substr(0, 13), "00000000-1388") << "a later clock is taken as is";
}

}  // namespace
}  // namespace nightshift
