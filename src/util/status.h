// Status and Result<T>: the outcome of an operation that can fail in an expected way.
//
// A Status carries a code from a small closed set and a human-readable message that names the
// offending field or object. Codes map to HTTP statuses and AWS error types in exactly one place
// (api/error_mapping.h). Thread-safety: plain values, safe to copy across threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nightshift {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // the client sent something malformed or out of range
  kNotFound,          // a named object does not exist
  kConflict,          // the request is valid but the object's state forbids it
  kPermissionDenied,  // authenticated, but not allowed
  kUnauthenticated,   // missing or wrong credentials
  kUnavailable,       // transient: disk full, shutting down; the client may retry
  kInternal,          // a bug or an unexpected failure of a dependency
};

// "NotFound" for kNotFound, and back (nullopt for an unknown name).
const char* StatusCodeName(StatusCode code);
std::optional<StatusCode> StatusCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}             // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {       // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace nightshift

// Propagates a non-OK Status from an expression returning Status.
#define NS_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::nightshift::Status ns_status_ = (expr);    \
    if (!ns_status_.ok()) return ns_status_;     \
  } while (0)
