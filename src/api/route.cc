#include "api/route.h"

namespace nightshift::api {
namespace {

bool IsPlaceholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::optional<PathParams> MatchPath(std::string_view pattern, const std::string& path) {
  const std::vector<std::string> want = SplitPath(std::string(pattern));
  const std::vector<std::string> got = SplitPath(path);
  if (want.size() != got.size()) return std::nullopt;
  PathParams params;
  for (size_t i = 0; i < want.size(); ++i) {
    if (IsPlaceholder(want[i])) {
      params.emplace(want[i].substr(1, want[i].size() - 2), got[i]);
    } else if (want[i] != got[i]) {
      return std::nullopt;
    }
  }
  return params;
}

std::vector<std::string> PathPlaceholders(std::string_view pattern) {
  std::vector<std::string> names;
  for (const std::string& segment : SplitPath(std::string(pattern))) {
    if (IsPlaceholder(segment)) names.push_back(segment.substr(1, segment.size() - 2));
  }
  return names;
}

}  // namespace nightshift::api
