#include "api/route_template.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace nightshift::api {
namespace {

// Operation names and fixed path words: letters, digits, '-', '_' and '.', not too long.
bool IsWord(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

std::string RouteTemplate(const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/" && !request.Header("x-amz-target").empty()) {
    const std::string& target = request.Header("x-amz-target");
    return IsWord(target) ? "/ " + target : "other";
  }
  if (path == "/schedules" || path == "/schedule-groups") return path;
  const std::vector<std::string> parts = SplitPath(path);
  if (parts.empty()) return "other";
  if (parts[0] == "v1" && parts.size() > 1) {
    if (parts[1] == "tags") return "/v1/tags/{resourceArn}";
    return parts.size() == 2 && IsWord(parts[1]) ? "/v1/" + parts[1] : "other";
  }
  if (parts[0] == "schedules") return "/schedules/{Name}";
  if (parts[0] == "schedule-groups") return "/schedule-groups/{Name}";
  if (parts[0] == "tags") return "/tags/{ResourceArn}";
  return "other";
}

}  // namespace nightshift::api
