// JsonReader: reads the members of one JSON object with type and range checks, and reports the
// first problem as an InvalidArgument Status that names the field by its path
// ("containerOverrides.environment[2].name must be a string"). Finish() also rejects members the
// caller did not read: unknown or not supported fields are named, never silently ignored.
// Thread-safety: none; a short-lived helper per request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace nightshift::api {

using Json = nlohmann::json;

// Parses a request body; an empty body is an empty object. Not an object -> InvalidArgument.
Result<Json> ParseBody(const std::string& body);

class JsonReader {
 public:
  // `object` must outlive the reader; `path` prefixes field names in messages ("" at the root).
  JsonReader(const Json& object, std::string path);

  std::optional<std::string> String(std::string_view key, bool required = false);
  std::optional<int64_t> Int(std::string_view key, bool required = false,
                             int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  std::optional<double> Number(std::string_view key, bool required = false);
  std::optional<bool> Bool(std::string_view key);
  // A nested object or array; nullptr if absent (or on error).
  const Json* Object(std::string_view key, bool required = false);
  const Json* Array(std::string_view key, bool required = false);
  std::optional<std::vector<std::string>> StringList(std::string_view key, bool required = false);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view key);
  // Marks a member as known without reading it (echoed as given, or irrelevant here).
  void Accept(std::string_view key);
  // Marks a member that nightshift does not support yet: present -> error naming it.
  void Unsupported(std::string_view key);

  // The path of a member, for nested readers and messages.
  std::string PathOf(std::string_view key) const;
  // Records an error found by the caller (the first one wins).
  void Fail(Status status);
  bool ok() const { return status_.ok(); }

  // The first error, or an error naming the first member that was neither read nor accepted.
  Status Finish();

 private:
  const Json* Member(std::string_view key, bool required);
  void TypeError(std::string_view key, const char* expected);

  const Json& object_;
  std::string path_;
  std::vector<const Json*> read_;  // the members looked up, as often as they were
  Status status_;
};

}  // namespace nightshift::api
