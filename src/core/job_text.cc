#include "core/job_text.h"

#include <charconv>

#include "schedule/timetable.h"

namespace nightshift::core {

std::string FormatVcpus(double vcpus) {
  // As an ostream writes it (%g, 6 digits), without building one: every runnable job's reason
  // has two of these.
  char buf[32];
  const std::to_chars_result end = std::to_chars(buf, buf + sizeof buf, vcpus, std::chars_format::general, 6);
  return std::string(buf, end.ptr);
}

std::string DescribeJob(const std::string& id, const std::string& name) {
  return name.empty() || name == id ? "job " + id : "job " + id + " (" + name + ")";
}

std::string FormatTime(TimeMs t) {
  return schedule::FormatRfc3339(t, schedule::Zone::Utc());
}

}  // namespace nightshift::core
