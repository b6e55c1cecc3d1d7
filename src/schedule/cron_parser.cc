#include "schedule/cron_parser.h"

#include <bitset>
#include <cctype>

namespace nightshift::schedule {
namespace {

// The values a field names: bit (value - Field::min).
using Values = std::bitset<256>;

struct Field {
  std::string_view name;
  int min;
  int max;
  std::string_view range;                   // for "must be ..." messages
  const std::string_view* names = nullptr;  // names[i] means name_base + i
  int name_count = 0;
  int name_base = 0;
  bool sunday_ends_week = false;  // "FRI-SUN", "5-0": a range ending on Sunday ends at 7
};

constexpr std::string_view kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::string_view kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr Field kMinute{"minute", 0, 59, "0-59"};
constexpr Field kHour{"hour", 0, 23, "0-23"};
constexpr Field kDayOfMonth{"day-of-month", 1, 31, "1-31"};
constexpr Field kMonth{"month", 1, 12, "1-12 or JAN-DEC", kMonthNames, 12, 1};
constexpr Field kUnixDayOfWeek{"day-of-week", 0, 7, "0-7 (0 and 7 = Sunday) or SUN-SAT",
                               kDayNames,     7, 0, true};
constexpr Field kAwsDayOfWeek{"day-of-week", 1, 7, "1-7 (1 = Sunday) or SUN-SAT", kDayNames, 7, 1};
constexpr Field kYear{"year", 1970, 2199, "1970-2199"};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// A number or (where the field has them) a name, in range.
Status ParseValue(const Field& field, std::string_view text, size_t offset, int* value) {
  if (text.empty()) return SyntaxError(field.name, text, offset, "missing value");
  const std::string must_be = "must be " + std::string(field.range);
  if (IsDigits(text)) {
    if (text.size() > 4) return SyntaxError(field.name, text, offset, must_be);
    *value = std::stoi(std::string(text));
    if (*value < field.min || *value > field.max)
      return SyntaxError(field.name, text, offset, must_be);
    return Status::Ok();
  }
  for (int i = 0; i < field.name_count; ++i) {
    if (EqualsIgnoreCase(text, field.names[i])) {
      *value = field.name_base + i;
      return Status::Ok();
    }
  }
  const bool looks_like_name = std::isalpha(static_cast<unsigned char>(text[0]));
  return SyntaxError(
      field.name, text, offset,
      looks_like_name && field.name_count > 0 ? "unknown name; " + must_be : must_be);
}

Status ParseStep(const Field& field, std::string_view text, size_t offset, int* step) {
  if (!IsDigits(text) || text.size() > 4 || (*step = std::stoi(std::string(text))) < 1) {
    return SyntaxError(std::string(field.name) + " step", text, offset,
                       "must be a whole number of 1 or more");
  }
  return Status::Ok();
}

// "*", "a", "a-b", each optionally "/step" ("a/step" runs to the field's maximum).
Status ParseRange(const Field& field, std::string_view item, size_t offset, Values* values) {
  const size_t slash = item.find('/');
  const std::string_view base = item.substr(0, slash);
  int step = 1;
  if (slash != std::string_view::npos) {
    NS_RETURN_IF_ERROR(ParseStep(field, item.substr(slash + 1), offset + slash + 1, &step));
  }
  int low = field.min, high = field.max;
  if (base != "*") {
    const size_t dash = base.find('-');
    NS_RETURN_IF_ERROR(ParseValue(field, base.substr(0, dash), offset, &low));
    if (dash != std::string_view::npos) {
      NS_RETURN_IF_ERROR(ParseValue(field, base.substr(dash + 1), offset + dash + 1, &high));
      if (field.sunday_ends_week && high == 0) high = 7;
      if (low > high) {
        return SyntaxError(std::string(field.name) + " range", base, offset,
                           "start is after end (for a range that wraps around, list two ranges)");
      }
    } else if (slash == std::string_view::npos) {
      high = low;
    }
  }
  for (int v = low; v <= high; v += step) values->set(v - field.min);
  return Status::Ok();
}

// Calls `parse_item(text, offset)` for each comma-separated item of `token`.
template <typename ParseItem>
Status ForEachItem(const Field& field, const FieldToken& token, ParseItem parse_item) {
  size_t start = 0;
  while (true) {
    const size_t comma = token.text.find(',', start);
    const std::string_view item = token.text.substr(start, comma - start);
    if (item.empty()) {
      return SyntaxError(field.name, "", token.offset + start, "empty list item");
    }
    NS_RETURN_IF_ERROR(parse_item(item, token.offset + start));
    if (comma == std::string_view::npos) return Status::Ok();
    start = comma + 1;
  }
}

// L, W, # and ? mean nothing to Vixie cron; say where they do mean something.
bool IsAwsOnlySyntax(std::string_view item) {
  if (item.find_first_of("?#") != std::string_view::npos) return true;
  if (item == "L" || item == "LW" || item == "l" || item == "lw") return true;
  const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(item.back())));
  return item.size() > 1 && (last == 'L' || last == 'W') &&
         std::isdigit(static_cast<unsigned char>(item[item.size() - 2]));
}

Result<Values> ParseUnixField(const Field& field, const FieldToken& token) {
  Values values;
  NS_RETURN_IF_ERROR(ForEachItem(field, token, [&](std::string_view item, size_t offset) {
    if (IsAwsOnlySyntax(item)) {
      return SyntaxError(field.name, item, offset,
                         "L, W, # and ? need the AWS form cron(minute hour day-of-month month "
                         "day-of-week year)");
    }
    return ParseRange(field, item, offset, &values);
  }));
  return values;
}

Result<Values> ParsePlainAwsField(const Field& field, const FieldToken& token) {
  Values values;
  NS_RETURN_IF_ERROR(ForEachItem(field, token, [&](std::string_view item, size_t offset) {
    return ParseRange(field, item, offset, &values);
  }));
  return values;
}

uint64_t Low64(const Values& values) { return (values & Values(~uint64_t{0})).to_ullong(); }

// Day-of-month items: plain ones, L, LW and nW.
Status ParseAwsDayOfMonth(const FieldToken& token, CronSpec* spec) {
  Values values;
  NS_RETURN_IF_ERROR(ForEachItem(kDayOfMonth, token, [&](std::string_view item, size_t offset) {
    if (EqualsIgnoreCase(item, "L")) {
      spec->last_day = true;
    } else if (EqualsIgnoreCase(item, "LW")) {
      spec->last_weekday = true;
    } else if (item.size() > 1 && std::toupper(static_cast<unsigned char>(item.back())) == 'W') {
      int day = 0;
      NS_RETURN_IF_ERROR(ParseValue(kDayOfMonth, item.substr(0, item.size() - 1), offset, &day));
      spec->nearest_weekday |= 1u << day;
    } else {
      return ParseRange(kDayOfMonth, item, offset, &values);
    }
    return Status::Ok();
  }));
  spec->days = static_cast<uint32_t>(Low64(values) << 1);
  return Status::Ok();
}

// Day-of-week items: plain ones, L (Saturday), nL and n#k. AWS numbers Sunday 1.
Status ParseAwsDayOfWeek(const FieldToken& token, CronSpec* spec) {
  Values values;
  NS_RETURN_IF_ERROR(ForEachItem(kAwsDayOfWeek, token, [&](std::string_view item, size_t offset) {
    const size_t hash = item.find('#');
    int weekday = 0;
    if (EqualsIgnoreCase(item, "L")) {
      values.set(6);
    } else if (hash != std::string_view::npos) {
      NS_RETURN_IF_ERROR(ParseValue(kAwsDayOfWeek, item.substr(0, hash), offset, &weekday));
      const std::string_view k = item.substr(hash + 1);
      if (k.size() != 1 || k[0] < '1' || k[0] > '5') {
        return SyntaxError("day-of-week '#' week", k, offset + hash + 1, "must be 1-5");
      }
      spec->nth_weekday[k[0] - '1'] |= 1 << (weekday - 1);
    } else if (item.size() > 1 && std::toupper(static_cast<unsigned char>(item.back())) == 'L') {
      NS_RETURN_IF_ERROR(
          ParseValue(kAwsDayOfWeek, item.substr(0, item.size() - 1), offset, &weekday));
      spec->last_of_weekday |= 1 << (weekday - 1);
    } else {
      return ParseRange(kAwsDayOfWeek, item, offset, &values);
    }
    return Status::Ok();
  }));
  spec->weekdays = static_cast<uint8_t>(Low64(values) & 0x7F);
  return Status::Ok();
}

// Exactly one of the two day fields is '?', which leaves it unrestricted.
Status CheckOneDayFieldIsAny(const FieldToken& dom, const FieldToken& dow) {
  const bool dom_any = dom.text == "?", dow_any = dow.text == "?";
  if (dom_any != dow_any) return Status::Ok();
  return SyntaxError(kAwsDayOfWeek.name, dow.text, dow.offset,
                     dom_any ? "day-of-month and day-of-week cannot both be '?'"
                             : "one of day-of-month and day-of-week must be '?'");
}

}  // namespace

Status SyntaxError(std::string_view what, std::string_view text, size_t offset,
                   std::string_view reason) {
  std::string message(what);
  if (!text.empty()) message += " '" + std::string(text) + "'";
  message += " at column " + std::to_string(offset + 1) + ": " + std::string(reason);
  return Status::InvalidArgument(std::move(message));
}

Result<CronSpec> ParseUnixCron(const std::array<FieldToken, 5>& fields) {
  CronSpec spec;
  const Field* kFields[] = {&kMinute, &kHour, &kDayOfMonth, &kMonth, &kUnixDayOfWeek};
  std::array<uint64_t, 5> bits{};
  for (size_t i = 0; i < fields.size(); ++i) {
    Result<Values> values = ParseUnixField(*kFields[i], fields[i]);
    if (!values.ok()) return values.status();
    bits[i] = Low64(*values);
  }
  spec.minutes = bits[0];
  spec.hours = static_cast<uint32_t>(bits[1]);
  spec.days = static_cast<uint32_t>(bits[2] << 1);
  spec.months = static_cast<uint16_t>(bits[3] << 1);
  spec.weekdays = static_cast<uint8_t>((bits[4] | bits[4] >> 7) & 0x7F);  // 7 is Sunday too
  spec.day_or = spec.days != 0xFFFFFFFE && spec.weekdays != 0x7F;
  spec.Finalize();
  return spec;
}

// Fields are checked left to right, so the first error in the text is the one reported.
Result<CronSpec> ParseAwsCron(const std::array<FieldToken, 6>& fields) {
  CronSpec spec;
  Result<Values> minutes = ParsePlainAwsField(kMinute, fields[0]);
  if (!minutes.ok()) return minutes.status();
  Result<Values> hours = ParsePlainAwsField(kHour, fields[1]);
  if (!hours.ok()) return hours.status();
  NS_RETURN_IF_ERROR(CheckOneDayFieldIsAny(fields[2], fields[4]));
  if (fields[2].text == "?") {
    spec.days = 0xFFFFFFFE;
  } else {
    NS_RETURN_IF_ERROR(ParseAwsDayOfMonth(fields[2], &spec));
  }
  Result<Values> months = ParsePlainAwsField(kMonth, fields[3]);
  if (!months.ok()) return months.status();
  if (fields[4].text == "?") {
    spec.weekdays = 0x7F;
  } else {
    NS_RETURN_IF_ERROR(ParseAwsDayOfWeek(fields[4], &spec));
  }
  Result<Values> years = ParsePlainAwsField(kYear, fields[5]);
  if (!years.ok()) return years.status();
  spec.minutes = Low64(*minutes);
  spec.hours = static_cast<uint32_t>(Low64(*hours));
  spec.months = static_cast<uint16_t>(Low64(*months) << 1);
  spec.any_year = false;
  for (size_t i = 0; i < spec.years.size(); ++i) spec.years[i] = (*years)[i];
  spec.Finalize();
  return spec;
}

}  // namespace nightshift::schedule
