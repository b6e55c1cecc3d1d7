// Expression::Parse: recognises the flavour, then hands the fields to the cron parsers or reads
// rate(...) and at(...) itself. Every error names the 1-based column in the original text.
#include <array>
#include <cctype>
#include <vector>

#include "schedule/civil.h"
#include "schedule/cron_parser.h"
#include "schedule/expression_rep.h"

namespace nightshift::schedule {
namespace {

constexpr int64_t kMaxRateValue = 1'000'000;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Whitespace-separated tokens of text[begin, end), with their offsets in `text`.
std::vector<FieldToken> Split(std::string_view text, size_t begin, size_t end) {
  std::vector<FieldToken> tokens;
  size_t i = begin;
  while (i < end) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < end && !IsSpace(text[i])) ++i;
    tokens.push_back({text.substr(start, i - start), start});
  }
  return tokens;
}

template <size_t N>
std::array<FieldToken, N> ToArray(const std::vector<FieldToken>& tokens) {
  std::array<FieldToken, N> out;
  for (size_t i = 0; i < N; ++i) out[i] = tokens[i];
  return out;
}

// The hour field of a cron flavour is '*' or a step: the expression follows elapsed time.
bool HourFollowsElapsedTime(std::string_view hour) {
  return hour == "*" || hour.find('/') != std::string_view::npos;
}

struct Macro {
  std::string_view name;
  std::string_view fields;
};
constexpr Macro kMacros[] = {{"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
                             {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
                             {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
                             {"@hourly", "0 * * * *"}};

Result<ParsedExpression> ParseUnix(std::string_view text, size_t begin, size_t end) {
  const std::vector<FieldToken> tokens = Split(text, begin, end);
  if (tokens.size() != 5) {
    std::string message =
        "expected 5 fields (minute hour day-of-month month day-of-week) or a macro, got " +
        std::to_string(tokens.size()) + " at column " + std::to_string(begin + 1);
    if (tokens.size() == 6) message += "; AWS's six fields are written cron(...)";
    return Status::InvalidArgument(std::move(message));
  }
  Result<CronSpec> spec = ParseUnixCron(ToArray<5>(tokens));
  if (!spec.ok()) return spec.status();
  return ParsedExpression{ExpressionKind::kCron, std::string(text),
                          HourFollowsElapsedTime(tokens[1].text), std::move(*spec)};
}

Result<ParsedExpression> ParseMacro(std::string_view text, size_t begin, size_t end) {
  const std::string_view name = text.substr(begin, end - begin);
  for (const Macro& macro : kMacros) {
    if (name.size() != macro.name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size(); ++i) {
      same = same && std::tolower(static_cast<unsigned char>(name[i])) == macro.name[i];
    }
    if (!same) continue;
    Result<ParsedExpression> rep = ParseUnix(macro.fields, 0, macro.fields.size());
    if (rep.ok()) rep->text = std::string(text);
    return rep;
  }
  return SyntaxError("macro", name, begin,
                     "unknown; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or "
                     "@hourly");
}

Result<ParsedExpression> ParseAws(std::string_view text, size_t begin, size_t end) {
  const std::vector<FieldToken> tokens = Split(text, begin, end);
  if (tokens.size() != 6) {
    return Status::InvalidArgument(
        "expected 6 fields in cron(minute hour day-of-month month day-of-week year), got " +
        std::to_string(tokens.size()) + " at column " + std::to_string(begin + 1));
  }
  Result<CronSpec> spec = ParseAwsCron(ToArray<6>(tokens));
  if (!spec.ok()) return spec.status();
  return ParsedExpression{ExpressionKind::kAwsCron, std::string(text),
                          HourFollowsElapsedTime(tokens[1].text), std::move(*spec)};
}

int64_t UnitSeconds(std::string_view unit) {
  if (unit == "second" || unit == "seconds") return 1;  // beyond EventBridge, whose least is a minute
  if (unit == "minute" || unit == "minutes") return 60;
  if (unit == "hour" || unit == "hours") return 3600;
  if (unit == "day" || unit == "days") return 86400;
  return 0;
}

Result<ParsedExpression> ParseRate(std::string_view text, size_t begin, size_t end) {
  const std::vector<FieldToken> tokens = Split(text, begin, end);
  if (tokens.size() != 2) {
    return SyntaxError("rate", text.substr(begin, end - begin), begin,
                       "expected a value and a unit, e.g. rate(5 minutes)");
  }
  const std::string_view value_text = tokens[0].text;
  int64_t value = 0;
  for (char c : value_text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || value > kMaxRateValue) {
      value = 0;
      break;
    }
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > kMaxRateValue) {
    return SyntaxError("rate value", value_text, tokens[0].offset,
                       "must be a whole number from 1 to " + std::to_string(kMaxRateValue));
  }
  const int64_t unit = UnitSeconds(tokens[1].text);
  if (unit == 0) {
    return SyntaxError("rate unit", tokens[1].text, tokens[1].offset,
                       "must be second(s), minute(s), hour(s) or day(s)");
  }
  return ParsedExpression{ExpressionKind::kRate, std::string(text), true, RateSpec{value * unit}};
}

// yyyy-mm-ddThh:mm:ss, each part in range.
Result<int64_t> ParseLocalTime(std::string_view s, size_t offset) {
  auto bad = [&](std::string_view reason) { return SyntaxError("at() time", s, offset, reason); };
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  bool shape_ok = s.size() == kShape.size();
  for (size_t i = 0; shape_ok && i < s.size(); ++i) {
    shape_ok =
        kShape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(s[i])) != 0 : s[i] == kShape[i];
  }
  if (!shape_ok) return bad("expected yyyy-mm-ddThh:mm:ss");
  auto num = [&](size_t pos, size_t len) { return std::stoi(std::string(s.substr(pos, len))); };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  const int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  if (year < 1) return bad("year must be 0001-9999");
  if (month < 1 || month > 12) return bad("month must be 01-12");
  if (day < 1 || day > civil::DaysInMonth(year, month)) return bad("that day does not exist");
  if (hour > 23 || minute > 59 || second > 59) return bad("time of day must be 00:00:00-23:59:59");
  return civil::ToSeconds({year, month, day}, hour, minute, second);
}

Result<ParsedExpression> ParseAt(std::string_view text, size_t begin, size_t end) {
  const std::vector<FieldToken> tokens = Split(text, begin, end);
  if (tokens.size() != 1) {
    return SyntaxError("at()", text.substr(begin, end - begin), begin,
                       "expected one local time yyyy-mm-ddThh:mm:ss");
  }
  Result<int64_t> local = ParseLocalTime(tokens[0].text, tokens[0].offset);
  if (!local.ok()) return local.status();
  return ParsedExpression{ExpressionKind::kAt, std::string(text), false, AtSpec{*local}};
}

using FlavourParser = Result<ParsedExpression> (*)(std::string_view, size_t, size_t);

// "name(...)": parses the body between the parentheses; nothing but space may follow.
Result<ParsedExpression> ParseCall(std::string_view text, size_t begin, size_t end,
                                   std::string_view name, FlavourParser parse_body) {
  const size_t open = begin + name.size();
  const size_t close = text.find(')', open);
  if (close == std::string_view::npos || close >= end) {
    return Status::InvalidArgument("missing ')' at column " + std::to_string(end + 1) +
                                   " to close " + std::string(name) + "(");
  }
  if (close + 1 < end) {  // `end` is trimmed, so the junk starts after any spaces
    size_t junk = close + 1;
    while (IsSpace(text[junk])) ++junk;
    return SyntaxError("unexpected text", text.substr(junk, end - junk), junk,
                       "nothing may follow ')'");
  }
  return parse_body(text, open + 1, close);
}

}  // namespace

Result<Expression> Expression::Parse(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  if (begin == end) {
    return Status::InvalidArgument(
        "empty schedule expression: expected five cron fields, a macro such as @daily, "
        "cron(...), rate(...) or at(...)");
  }
  const std::string_view trimmed = text.substr(begin, end - begin);
  Result<ParsedExpression> rep = Status::Internal("unreachable");
  if (trimmed.front() == '@') {
    rep = ParseMacro(text, begin, end);
  } else if (trimmed.starts_with("cron(")) {
    rep = ParseCall(text, begin, end, "cron", ParseAws);
  } else if (trimmed.starts_with("rate(")) {
    rep = ParseCall(text, begin, end, "rate", ParseRate);
  } else if (trimmed.starts_with("at(")) {
    rep = ParseCall(text, begin, end, "at", ParseAt);
  } else {
    rep = ParseUnix(text, begin, end);
  }
  if (!rep.ok()) return rep.status();
  return Expression(std::make_unique<Rep>(Rep{std::move(*rep)}));
}

Expression::Expression(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Expression::Expression(const Expression& other) : rep_(std::make_unique<Rep>(*other.rep_)) {}
Expression& Expression::operator=(const Expression& other) {
  if (this != &other) rep_ = std::make_unique<Rep>(*other.rep_);
  return *this;
}
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

ExpressionKind Expression::kind() const { return rep_->kind; }
const std::string& Expression::text() const { return rep_->text; }
bool Expression::follows_elapsed_time() const { return rep_->follows_elapsed_time; }

}  // namespace nightshift::schedule
