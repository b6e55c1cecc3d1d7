#include "util/status.h"

#include <array>
#include <utility>

namespace nightshift {
namespace {

constexpr std::array<std::pair<StatusCode, const char*>, 8> kNames = {{
    {StatusCode::kOk, "OK"},
    {StatusCode::kInvalidArgument, "InvalidArgument"},
    {StatusCode::kNotFound, "NotFound"},
    {StatusCode::kConflict, "Conflict"},
    {StatusCode::kPermissionDenied, "PermissionDenied"},
    {StatusCode::kUnauthenticated, "Unauthenticated"},
    {StatusCode::kUnavailable, "Unavailable"},
    {StatusCode::kInternal, "Internal"},
}};

}  // namespace

const char* StatusCodeName(StatusCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "Internal";
}

std::optional<StatusCode> StatusCodeFromName(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (name == n) return c;
  }
  return std::nullopt;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace nightshift
