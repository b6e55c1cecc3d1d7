// libFuzzer target: parses arbitrary text as a schedule expression; whatever parses is run in a
// few zones and DST policies around transitions, checking invariants that hold for every
// expression:
//   * a parse error names a column; Create fails only with "never fires";
//   * Next(t) > t, on whole seconds, and the fires are strictly increasing;
//   * Previous(Next(t)) <= t, and Previous of a fire is the fire before it;
//   * FormatRfc3339 and ParseRfc3339 round-trip every fire.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "schedule/timetable.h"

namespace nightshift::schedule {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

const Zone& ZoneFor(uint8_t selector) {
  static const Zone kZones[] = {Zone::Utc(), *Zone::Load("Europe/Berlin"),
                                *Zone::Load("Australia/Lord_Howe"), *Zone::Load("Pacific/Apia"),
                                *Zone::Load("America/New_York")};
  return kZones[selector % 5];
}

// Just before a gap, a fall-back, Samoa's skipped day, and a footer-rule year.
constexpr TimeMs kStarts[] = {1774652400000, 1792800000000, 1325066400000, 2374400000000};

void RunTimetable(const Expression& expression, uint8_t selector) {
  const DstPolicy dst{selector & 1 ? GapPolicy::kSkip : GapPolicy::kShift,
                      static_cast<RepeatPolicy>((selector >> 1) % 3)};
  const Zone& zone = ZoneFor(selector >> 3);
  const TimeMs start = kStarts[(selector >> 6) % 4];
  Result<Timetable> timetable = Timetable::Create(expression, zone, dst, start);
  if (!timetable.ok()) {
    Check(timetable.status().message().ends_with("never fires"), "Create fails with never fires");
    return;
  }
  TimeMs t = start;
  std::optional<TimeMs> previous_fire;
  for (int i = 0; i < 24; ++i) {
    const std::optional<TimeMs> fire = timetable->Next(t);
    if (!fire) break;
    Check(*fire > t, "Next(t) > t");
    Check(*fire % 1000 == 0, "fires on whole seconds");
    Check(timetable->Previous(*fire + 1) == *fire, "Previous(fire + 1) == fire");
    const std::optional<TimeMs> before = timetable->Previous(*fire);
    if (previous_fire) {
      Check(before == previous_fire, "Previous(fire) is the fire before it");
    } else {
      Check(!before || *before <= t, "Previous(Next(t)) <= t");
    }
    Result<TimeMs> round_trip = ParseRfc3339(FormatRfc3339(*fire, zone));
    Check(round_trip.ok() && *round_trip == *fire, "RFC 3339 round trip");
    previous_fire = fire;
    t = *fire;
  }
}

}  // namespace
}  // namespace nightshift::schedule

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nightshift::schedule::Expression;
  if (size == 0) return 0;
  // The first byte picks zone, policy and start; the rest is the expression.
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  nightshift::Result<Expression> expression = Expression::Parse(text);
  if (!expression.ok()) {
    const std::string& message = expression.status().message();
    nightshift::schedule::Check(!message.empty(), "parse errors have a message");
    return 0;
  }
  nightshift::schedule::RunTimetable(*expression, data[0]);
  nightshift::schedule::RunTimetable(*expression, static_cast<uint8_t>(data[0] ^ 0xA5));
  return 0;
}
