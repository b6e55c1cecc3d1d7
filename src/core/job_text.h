// JobText: how the scheduler's messages (statusReason, explanations) name jobs, amounts and
// times, so that every message says them the same way.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "util/clock.h"

namespace nightshift::core {

// "2", "0.25": vCPUs as a person writes them.
std::string FormatVcpus(double vcpus);
// "job <id>", or "job <id> (<name>)" when the name says more than the id.
std::string DescribeJob(const std::string& id, const std::string& name);
// RFC 3339 in UTC, to the second: "2026-11-27T08:30:00Z".
std::string FormatTime(TimeMs t);

}  // namespace nightshift::core
