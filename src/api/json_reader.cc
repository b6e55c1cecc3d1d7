#include "api/json_reader.h"

#include <algorithm>

namespace nightshift::api {

Result<Json> ParseBody(const std::string& body) {
  if (body.empty()) return Json::object();
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!parsed.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return parsed;
}

JsonReader::JsonReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) Fail(Status::InvalidArgument((path_.empty() ? "body" : path_) + " must be an object"));
}

std::string JsonReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void JsonReader::Fail(Status status) {
  if (status_.ok() && !status.ok()) status_ = std::move(status);
}

void JsonReader::TypeError(std::string_view key, const char* expected) {
  Fail(Status::InvalidArgument(PathOf(key) + " must be " + expected));
}

const Json* JsonReader::Member(std::string_view key, bool required) {
  if (!status_.ok() || !object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it != object_.end()) read_.push_back(&*it);
  if (it == object_.end() || it->is_null()) {
    if (required) Fail(Status::InvalidArgument(PathOf(key) + " is required"));
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::String(std::string_view key, bool required) {
  const Json* v = Member(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    TypeError(key, "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<int64_t> JsonReader::Int(std::string_view key, bool required, int64_t min, int64_t max) {
  const Json* v = Member(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    TypeError(key, "an integer");
    return std::nullopt;
  }
  int64_t value = v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                      ? INT64_MAX
                      : v->get<int64_t>();
  if (value < min || value > max) {
    Fail(Status::InvalidArgument(PathOf(key) + " must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", got " + std::to_string(value)));
    return std::nullopt;
  }
  return value;
}

std::optional<double> JsonReader::Number(std::string_view key, bool required) {
  const Json* v = Member(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    TypeError(key, "a number");
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<bool> JsonReader::Bool(std::string_view key) {
  const Json* v = Member(key, false);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    TypeError(key, "a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

const Json* JsonReader::Object(std::string_view key, bool required) {
  const Json* v = Member(key, required);
  if (v && !v->is_object()) {
    TypeError(key, "an object");
    return nullptr;
  }
  return v;
}

const Json* JsonReader::Array(std::string_view key, bool required) {
  const Json* v = Member(key, required);
  if (v && !v->is_array()) {
    TypeError(key, "a list");
    return nullptr;
  }
  return v;
}

std::optional<std::vector<std::string>> JsonReader::StringList(std::string_view key, bool required) {
  const Json* v = Array(key, required);
  if (!v) return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      Fail(Status::InvalidArgument(PathOf(key) + "[" + std::to_string(i) + "] must be a string"));
      return std::nullopt;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> JsonReader::StringMap(std::string_view key) {
  const Json* v = Object(key, false);
  if (!v) return std::nullopt;
  std::map<std::string, std::string> out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      Fail(Status::InvalidArgument(PathOf(key) + "." + it.key() + " must be a string"));
      return std::nullopt;
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

void JsonReader::Accept(std::string_view key) {
  if (!object_.is_object()) return;
  if (auto it = object_.find(key); it != object_.end()) read_.push_back(&*it);
}

void JsonReader::Unsupported(std::string_view key) {
  if (Member(key, false)) {
    Fail(Status::InvalidArgument(PathOf(key) + " is not supported by nightshift yet"));
  }
}

Status JsonReader::Finish() {
  if (!status_.ok() || !object_.is_object()) return status_;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (std::find(read_.begin(), read_.end(), &*it) == read_.end()) {
      return Status::InvalidArgument(PathOf(it.key()) + " is not a known or supported field");
    }
  }
  return Status::Ok();
}

}  // namespace nightshift::api
