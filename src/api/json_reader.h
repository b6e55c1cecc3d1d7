// JsonReader: reads the members of one JSON object with type and range checks, and reports the
// first problem as an InvalidArgument Status that names the field by its path
// ("containerOverrides.environment[2].name must be a string"). Finish() also rejects members the
// caller did not read: unknown or not supported fields are named, never silently ignored.
// Thread-safety: none; a short-lived helper per request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
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

  std::optional<std::string> String(const std::string& key, bool required = false);
  std::optional<int64_t> Int(const std::string& key, bool required = false,
                             int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  std::optional<double> Number(const std::string& key, bool required = false);
  std::optional<bool> Bool(const std::string& key);
  // A nested object or array; nullptr if absent (or on error).
  const Json* Object(const std::string& key, bool required = false);
  const Json* Array(const std::string& key, bool required = false);
  std::optional<std::vector<std::string>> StringList(const std::string& key, bool required = false);
  std::optional<std::map<std::string, std::string>> StringMap(const std::string& key);
  // Marks a member as known without reading it (echoed as given, or irrelevant here).
  void Accept(const std::string& key);
  // Marks a member that nightshift does not support yet: present -> error naming it.
  void Unsupported(const std::string& key);

  // The path of a member, for nested readers and messages.
  std::string PathOf(const std::string& key) const;
  // Records an error found by the caller (the first one wins).
  void Fail(Status status);
  bool ok() const { return status_.ok(); }

  // The first error, or an error naming the first member that was neither read nor accepted.
  Status Finish();

 private:
  const Json* Member(const std::string& key, bool required);
  void TypeError(const std::string& key, const char* expected);

  const Json& object_;
  std::string path_;
  std::set<std::string> known_;
  Status status_;
};

}  // namespace nightshift::api
