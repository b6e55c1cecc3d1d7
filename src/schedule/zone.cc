// Zone: the system tz database read through Howard Hinnant's date library (built with
// USE_OS_TZDB=1, so it reads the compiled zone files), plus the zone file's footer rule, which
// this version of date ignores.
#include <date/tz.h>

#include <fstream>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "schedule/civil.h"
#include "schedule/timetable.h"
#include "schedule/zone_rep.h"

namespace nightshift::schedule {
namespace {

// Where Debian (and date's USE_OS_TZDB mode on Linux) keeps the compiled zone files.
constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo/";

Status UnknownZone(std::string_view name) {
  return Status::InvalidArgument("unknown time zone '" + std::string(name) + "'");
}

// IANA names are letters, digits and "_+-" in '/'-separated parts. Checked before anything
// touches the file system, so "../etc/passwd" never becomes a path.
bool LooksLikeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/') return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '+' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return name.find("//") == std::string_view::npos;
}

// Every offset change date knows, from year 1 to 9999; the first entry holds since always.
std::vector<PosixTz::Transition> ListedTransitions(const date::time_zone& tz) {
  using std::chrono::seconds;
  const date::sys_seconds last{seconds{civil::kMaxSeconds}};
  date::sys_info info = tz.get_info(date::sys_seconds{seconds{civil::kMinSeconds}});
  std::vector<PosixTz::Transition> out{{kNegInfinity, static_cast<int>(info.offset.count())}};
  while (info.end < last) {
    info = tz.get_info(info.end);
    out.push_back({info.begin.time_since_epoch().count(), static_cast<int>(info.offset.count())});
  }
  return out;
}

// The POSIX TZ rule on the last line of a version 2+ TZif file (RFC 8536 section 3.3).
std::optional<PosixTz> ReadFooter(std::string_view name) {
  std::ifstream in(std::string(kZoneInfoDir) + std::string(name), std::ios::binary);
  const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (data.size() < 6 || data.compare(0, 4, "TZif") != 0 || data[4] < '2' || data.back() != '\n') {
    return std::nullopt;
  }
  const size_t start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  return PosixTz::Parse(std::string_view(data).substr(start + 1, data.size() - start - 2));
}

}  // namespace

// Every zone is read once per process and shared: a server restoring 100,000 schedules in four
// zones must not read a zone file per schedule and keep 100,000 copies of four transition
// tables. Only zones that exist are kept, so the cache is bounded by the tz database (~600
// names, a few KB each). As with date's own tzdb, a tzdata upgrade is seen after a restart.
Result<Zone> Zone::Load(std::string_view name) {
  if (!LooksLikeZoneName(name)) return UnknownZone(name);
  static std::mutex mutex;
  static auto* const loaded = new std::unordered_map<std::string, std::shared_ptr<const Rep>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded->find(std::string(name));
  if (it == loaded->end()) {
    const date::time_zone* tz = nullptr;
    try {
      tz = date::locate_zone(name);
    } catch (const std::exception&) {  // date reports an unknown name with runtime_error
      return UnknownZone(name);
    }
    auto rep = std::make_shared<const Rep>(
        Rep{std::string(name), ZoneRules(ListedTransitions(*tz), ReadFooter(name))});
    it = loaded->emplace(std::string(name), std::move(rep)).first;
  }
  Zone zone;
  zone.rep_ = it->second;
  return zone;
}

Zone Zone::Utc() {
  static const auto* const kUtc =
      new std::shared_ptr<const Rep>(std::make_shared<const Rep>(Rep{"UTC", ZoneRules::Fixed(0)}));
  Zone zone;
  zone.rep_ = *kUtc;
  return zone;
}

const std::string& Zone::name() const { return rep_->name; }

int Zone::OffsetAt(TimeMs t) const { return rep_->rules.Lookup(civil::FloorDiv(t, 1000)).offset; }

}  // namespace nightshift::schedule
