// `nightshift schedule preview EXPR`: the next fire times of an expression, computed locally.
// The only clock read of the schedule code happens here, for the default --start.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <regex>

#include "cli/command.h"
#include "schedule/timetable.h"
#include "util/clock.h"

namespace nightshift::cli {
namespace {

struct PreviewFlags {
  std::string expression;
  std::string timezone = "UTC";
  std::string start;
  int count = 10;
  std::string dst_gap = "shift";
  std::string dst_repeat = "first";
};

constexpr int kUsageError = 2;

// Parse errors say "at column N" (see schedule/timetable.h); point at it like a compiler does.
void PrintParseError(const std::string& expression, const Status& status) {
  std::cerr << "nightshift: invalid schedule expression: " << status.message() << "\n";
  std::smatch match;
  if (!std::regex_search(status.message(), match, std::regex("at column ([0-9]+)"))) return;
  const size_t column = std::stoul(match[1].str());
  std::string shown = expression;
  for (char& c : shown) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';  // keep the caret aligned
  }
  std::cerr << "  " << shown << "\n  " << std::string(column - 1, ' ') << "^\n";
}

Result<schedule::DstPolicy> ParseDst(const PreviewFlags& flags) {
  Result<schedule::GapPolicy> gap = schedule::ParseGapPolicy(flags.dst_gap);
  if (!gap.ok()) return gap.status();
  Result<schedule::RepeatPolicy> repeat = schedule::ParseRepeatPolicy(flags.dst_repeat);
  if (!repeat.ok()) return repeat.status();
  return schedule::DstPolicy{*gap, *repeat};
}

int Fail(const Status& status) {
  std::cerr << "nightshift: " << status.message() << "\n";
  return kUsageError;
}

int RunPreview(const PreviewFlags& flags) {
  Result<schedule::Expression> expression = schedule::Expression::Parse(flags.expression);
  if (!expression.ok()) {
    PrintParseError(flags.expression, expression.status());
    return kUsageError;
  }
  Result<schedule::Zone> zone = schedule::Zone::Load(flags.timezone);
  if (!zone.ok()) return Fail(zone.status());
  Result<schedule::DstPolicy> dst = ParseDst(flags);
  if (!dst.ok()) return Fail(dst.status());
  Result<TimeMs> start = flags.start.empty() ? Result<TimeMs>(SystemClock().NowMs())
                                             : schedule::ParseRfc3339(flags.start);
  if (!start.ok()) return Fail(start.status());
  Result<schedule::Timetable> timetable =
      schedule::Timetable::Create(std::move(*expression), *zone, *dst, *start);
  if (!timetable.ok()) return Fail(timetable.status());
  TimeMs after = *start;
  for (int i = 0; i < flags.count; ++i) {
    const std::optional<TimeMs> fire = timetable->Next(after);
    if (!fire) break;  // at() and year-bounded expressions run out; that is not an error
    std::cout << schedule::FormatRfc3339(*fire, *zone) << "\n";
    after = *fire;
  }
  return 0;
}

}  // namespace

Command SchedulePreviewCommand() {
  return {"preview", "Print the next fire times of a schedule expression", [](CLI::App& app) {
            auto flags = std::make_shared<PreviewFlags>();
            app.add_option("expression", flags->expression,
                           "Cron fields, @daily..., cron(...), rate(...) or at(...)")
                ->required();
            app.add_option("--timezone", flags->timezone, "IANA time zone")->capture_default_str();
            app.add_option("--start", flags->start,
                           "RFC 3339 time to list fires after (exclusive; anchors rate()); "
                           "default now");
            app.add_option("--count", flags->count, "How many fire times")
                ->capture_default_str()
                ->check(CLI::Range(1, 100000));
            app.add_option("--dst-gap", flags->dst_gap,
                           "A local time that does not exist: shift (to the gap's end) or skip")
                ->capture_default_str();
            app.add_option("--dst-repeat", flags->dst_repeat,
                           "A local time that occurs twice: fire first, last or both")
                ->capture_default_str();
            return [flags] { return RunPreview(*flags); };
          }};
}

}  // namespace nightshift::cli
