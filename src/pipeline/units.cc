#include "pipeline/units.h"

#include <array>
#include <cctype>
#include <string>

namespace nightshift::pipeline {
namespace {

// Reads the digits at `*pos` into `*value`; false if there are none or they exceed `limit`.
bool ReadDigits(std::string_view text, size_t* pos, int64_t limit, int64_t* value) {
  const size_t start = *pos;
  *value = 0;
  while (*pos < text.size() && std::isdigit(static_cast<unsigned char>(text[*pos]))) {
    *value = *value * 10 + (text[*pos] - '0');
    if (*value > limit) return false;
    ++*pos;
  }
  return *pos > start;
}

// 'text' (appended piece by piece: GCC 12 warns falsely about "'" + std::string).
std::string Quoted(std::string_view text) {
  std::string out = "'";
  out += text;
  out += '\'';
  return out;
}

Status NotADuration(std::string_view text) {
  return Status::InvalidArgument(Quoted(text) +
                                 " is not a duration: expected whole seconds or numbers with "
                                 "units d, h, m, s as in 90s, 30m, 6h, 1d, 1h30m");
}

struct Unit {
  char suffix;
  int64_t seconds;
};
// Largest first: a duration names each unit at most once, in this order.
constexpr std::array<Unit, 4> kUnits = {{{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};

}  // namespace

Result<int64_t> ParseDurationSeconds(std::string_view text) {
  size_t pos = 0;
  int64_t number = 0;
  if (!ReadDigits(text, &pos, kMaxDurationSeconds, &number)) {
    return pos == 0
               ? NotADuration(text)
               : Status::InvalidArgument("duration " + Quoted(text) + " is longer than 100 years");
  }
  if (pos == text.size()) return number;
  int64_t total = 0;
  size_t next_unit = 0;  // units before this one were used or skipped
  while (true) {
    while (next_unit < kUnits.size() && kUnits[next_unit].suffix != text[pos]) ++next_unit;
    if (next_unit == kUnits.size()) return NotADuration(text);
    total += number * kUnits[next_unit++].seconds;
    if (total > kMaxDurationSeconds) {
      return Status::InvalidArgument("duration " + Quoted(text) + " is longer than 100 years");
    }
    if (++pos == text.size()) return total;
    if (!ReadDigits(text, &pos, kMaxDurationSeconds, &number) || pos == text.size()) {
      return NotADuration(text);
    }
  }
}

Result<int64_t> ParseMemoryMib(std::string_view text) {
  const auto invalid = [&] {
    return Status::InvalidArgument(Quoted(text) +
                                   " is not a memory size: expected whole MiB or a number with "
                                   "a unit Mi, Gi, M, G as in 512Mi, 2Gi, 512M, 2G");
  };
  size_t pos = 0;
  int64_t number = 0;
  // Twice the largest MiB count: above it every unit is too large, and below it no product
  // below overflows.
  if (!ReadDigits(text, &pos, kMaxMemoryMib * 2, &number)) {
    if (pos == 0) return invalid();
    return Status::InvalidArgument("memory " + Quoted(text) + " is more than 1 PiB");
  }
  const std::string_view unit = text.substr(pos);
  int64_t mib;
  if (unit.empty() || unit == "Mi") {
    mib = number;
  } else if (unit == "Gi") {
    mib = number * 1024;
  } else if (unit == "M") {
    mib = (number * 1'000'000 + (1 << 20) - 1) >> 20;
  } else if (unit == "G") {
    mib = (number * 1'000'000'000 + (1 << 20) - 1) >> 20;
  } else {
    return invalid();
  }
  if (mib <= 0) {
    return Status::InvalidArgument("memory " + Quoted(text) + " must be at least 1 MiB");
  }
  if (mib > kMaxMemoryMib) {
    return Status::InvalidArgument("memory " + Quoted(text) + " is more than 1 PiB");
  }
  return mib;
}

}  // namespace nightshift::pipeline
