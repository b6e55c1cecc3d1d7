#include "api/json_reader.h"

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

std::string JsonReader::PathOf(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void JsonReader::Fail(Status status) {
  if (status_.ok() && !status.ok()) status_ = std::move(status);
}

void JsonReader::TypeError(const std::string& key, const char* expected) {
  Fail(Status::InvalidArgument(PathOf(key) + " must be " + expected));
}

const Json* JsonReader::Member(const std::string& key, bool required) {
  known_.insert(key);
  if (!status_.ok() || !object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) {
    if (required) Fail(Status::InvalidArgument(PathOf(key) + " is required"));
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::String(const std::string& key, bool required) {
  const Json* v = Member(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    TypeError(key, "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<int64_t> JsonReader::Int(const std::string& key, bool required, int64_t min, int64_t max) {
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

std::optional<double> JsonReader::Number(const std::string& key, bool required) {
  const Json* v = Member(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    TypeError(key, "a number");
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<bool> JsonReader::Bool(const std::string& key) {
  const Json* v = Member(key, false);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    TypeError(key, "a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

const Json* JsonReader::Object(const std::string& key, bool required) {
  const Json* v = Member(key, required);
  if (v && !v->is_object()) {
    TypeError(key, "an object");
    return nullptr;
  }
  return v;
}

const Json* JsonReader::Array(const std::string& key, bool required) {
  const Json* v = Member(key, required);
  if (v && !v->is_array()) {
    TypeError(key, "a list");
    return nullptr;
  }
  return v;
}

std::optional<std::vector<std::string>> JsonReader::StringList(const std::string& key, bool required) {
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

std::optional<std::map<std::string, std::string>> JsonReader::StringMap(const std::string& key) {
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

void JsonReader::Accept(const std::string& key) { known_.insert(key); }

void JsonReader::Unsupported(const std::string& key) {
  if (Member(key, false)) {
    Fail(Status::InvalidArgument(PathOf(key) + " is not supported by nightshift yet"));
  }
}

Status JsonReader::Finish() {
  if (!status_.ok() || !object_.is_object()) return status_;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (!known_.count(it.key())) {
      return Status::InvalidArgument(PathOf(it.key()) + " is not a known or supported field");
    }
  }
  return Status::Ok();
}

}  // namespace nightshift::api
