// Next() throughput: how many fire times per second one thread computes for typical
// expressions. Prints the median of several runs. A benchmark, not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "schedule/timetable.h"

namespace {

using nightshift::TimeMs;
using nightshift::schedule::Expression;
using nightshift::schedule::ParseRfc3339;
using nightshift::schedule::Timetable;
using nightshift::schedule::Zone;

struct Case {
  const char* expression;
  const char* zone;
  const char* start;
};

constexpr Case kCases[] = {
    {"*/5 * * * *", "UTC", "2026-01-01T00:00:00Z"},
    {"*/5 * * * *", "Europe/Berlin", "2026-01-01T00:00:00Z"},
    {"0 2 * * *", "Europe/Berlin", "2026-01-01T00:00:00Z"},
    {"cron(0 12 ? * MON-FRI *)", "UTC", "2026-01-01T00:00:00Z"},
    {"cron(0 12 ? * MON-FRI *)", "America/New_York", "2026-01-01T00:00:00Z"},
    {"0 2 * * *", "Europe/Berlin", "2040-01-01T00:00:00Z"},  // footer rule, across 2040
    {"*/5 * * * *", "Australia/Lord_Howe", "2040-01-01T00:00:00Z"},
};

constexpr int kFiresPerRun = 200'000;
constexpr int kRuns = 7;

// Chains Next() from `start`, restarting whenever a year has passed, so every run covers the
// same stretch of calendar.
double NextPerSecond(const Timetable& timetable, TimeMs start) {
  const TimeMs wrap = start + 366LL * 86400 * 1000;
  TimeMs t = start;
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < kFiresPerRun; ++i) {
    t = timetable.Next(t).value_or(start);
    if (t > wrap) t = start;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
  return kFiresPerRun / elapsed.count();
}

}  // namespace

int main() {
  std::printf("%-28s %-22s %-22s %14s\n", "expression", "zone", "from", "Next()/s");
  for (const Case& c : kCases) {
    auto expression = Expression::Parse(c.expression);
    auto zone = Zone::Load(c.zone);
    auto start = ParseRfc3339(c.start);
    if (!expression.ok() || !zone.ok() || !start.ok()) return 1;
    auto timetable = Timetable::Create(*expression, *zone, {}, *start);
    if (!timetable.ok()) return 1;
    std::vector<double> rates;
    for (int run = 0; run < kRuns; ++run) rates.push_back(NextPerSecond(*timetable, *start));
    std::nth_element(rates.begin(), rates.begin() + kRuns / 2, rates.end());
    std::printf("%-28s %-22s %-22s %14.0f\n", c.expression, c.zone, c.start, rates[kRuns / 2]);
  }
  return 0;
}
