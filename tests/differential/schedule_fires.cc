// Test helper for the oracle comparisons: reads requests from stdin, one per line,
//   ZONE <tab> GAP <tab> REPEAT <tab> START_SECONDS <tab> COUNT <tab> EXPRESSION
// and answers each with one line: the next COUNT fires after START as Unix seconds separated by
// spaces, or "error: <message>". One process serves thousands of requests.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "schedule/timetable.h"

namespace nightshift::schedule {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> parts;
  std::stringstream in(line);
  std::string part;
  while (std::getline(in, part, '\t')) parts.push_back(part);
  return parts;
}

std::string Answer(const std::vector<std::string>& f) {
  if (f.size() != 6) return "error: expected 6 tab-separated fields";
  Result<Zone> zone = Zone::Load(f[0]);
  if (!zone.ok()) return "error: " + zone.status().message();
  Result<GapPolicy> gap = ParseGapPolicy(f[1]);
  Result<RepeatPolicy> repeat = ParseRepeatPolicy(f[2]);
  if (!gap.ok() || !repeat.ok()) return "error: bad policy";
  Result<Expression> expression = Expression::Parse(f[5]);
  if (!expression.ok()) return "error: " + expression.status().message();
  TimeMs t = std::stoll(f[3]) * 1000;
  Result<Timetable> timetable = Timetable::Create(*expression, *zone, {*gap, *repeat}, t);
  if (!timetable.ok()) return "error: " + timetable.status().message();
  std::string out;
  for (int i = std::stoi(f[4]); i > 0; --i) {
    const std::optional<TimeMs> fire = timetable->Next(t);
    if (!fire) break;
    if (!out.empty()) out += ' ';
    out += std::to_string(*fire / 1000);
    t = *fire;
  }
  return out;
}

}  // namespace
}  // namespace nightshift::schedule

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::cout << nightshift::schedule::Answer(nightshift::schedule::SplitTabs(line)) << "\n";
  }
  return 0;
}
