// Zone's shared, immutable representation (private to src/schedule).
#pragma once

#include <string>

#include "schedule/timetable.h"
#include "schedule/zone_rules.h"

namespace nightshift::schedule {

struct Zone::Rep {
  std::string name;
  ZoneRules rules;
};

}  // namespace nightshift::schedule
