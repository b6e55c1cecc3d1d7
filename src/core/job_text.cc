#include "core/job_text.h"

#include <sstream>

#include "schedule/timetable.h"

namespace nightshift::core {

std::string FormatVcpus(double vcpus) {
  std::ostringstream out;
  out << vcpus;
  return out.str();
}

std::string DescribeJob(const std::string& id, const std::string& name) {
  return name.empty() || name == id ? "job " + id : "job " + id + " (" + name + ")";
}

std::string FormatTime(TimeMs t) {
  return schedule::FormatRfc3339(t, schedule::Zone::Utc());
}

}  // namespace nightshift::core
