#include "util/status.h"

namespace nightshift {

std::string Status::ToString() const {
  switch (code_) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument: " + message_;
    case StatusCode::kNotFound: return "NotFound: " + message_;
    case StatusCode::kConflict: return "Conflict: " + message_;
    case StatusCode::kPermissionDenied: return "PermissionDenied: " + message_;
    case StatusCode::kUnauthenticated: return "Unauthenticated: " + message_;
    case StatusCode::kUnavailable: return "Unavailable: " + message_;
    case StatusCode::kInternal: return "Internal: " + message_;
  }
  return message_;
}

}  // namespace nightshift
