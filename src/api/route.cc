#include "api/route.h"

#include <algorithm>

namespace nightshift::api {
namespace {

bool IsPlaceholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The next non-empty '/'-separated segment of `rest`, as written (not decoded); "" at the end.
std::string_view NextSegment(std::string_view& rest) {
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  const size_t end = std::min(rest.find('/'), rest.size());
  std::string_view segment = rest.substr(0, end);
  rest.remove_prefix(end);
  return segment;
}

// False when `path` cannot match `pattern`, decided without allocating: most requests are tried
// against every route (the router's metric label), and most of those tries fail.
bool MayMatch(std::string_view pattern, std::string_view path) {
  while (true) {
    const std::string_view want = NextSegment(pattern);
    const std::string_view got = NextSegment(path);
    if (want.empty() || got.empty()) return want.empty() && got.empty();
    if (!IsPlaceholder(want) && want != got && got.find('%') == std::string_view::npos) {
      return false;
    }
  }
}

}  // namespace

std::optional<PathParams> MatchPath(std::string_view pattern, const std::string& path) {
  if (!MayMatch(pattern, path)) return std::nullopt;
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
