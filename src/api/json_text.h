// JsonText: the compact JSON text of a value, as every answer is written. Strings need not be
// UTF-8 (job output, what a client sent): invalid bytes become U+FFFD rather than failing the
// call. A flat object of strings (SubmitJob's answer, every error) is written by
// events::JsonWriter, in a tenth of the instructions nlohmann's serializer takes; anything else
// by nlohmann. Both give the same text for valid UTF-8.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nightshift::api {

std::string JsonText(const nlohmann::json& value);
std::string JsonText(const nlohmann::ordered_json& value);

}  // namespace nightshift::api
