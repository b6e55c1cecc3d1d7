#include "api/json_text.h"

#include <algorithm>

#include "events/json_writer.h"

namespace nightshift::api {
namespace {

template <class BasicJson>
std::string Text(const BasicJson& value) {
  const auto is_string = [](const BasicJson& member) { return member.is_string(); };
  if (value.is_object() && std::all_of(value.begin(), value.end(), is_string)) {
    std::string out;
    events::JsonWriter w(out);
    w.BeginObject();
    for (const auto& [key, member] : value.items()) {
      w.DataKey(key);
      w.String(member.template get_ref<const std::string&>());
    }
    w.EndObject();
    return out;
  }
  return value.dump(-1, ' ', false, BasicJson::error_handler_t::replace);
}

}  // namespace

std::string JsonText(const nlohmann::json& value) { return Text(value); }
std::string JsonText(const nlohmann::ordered_json& value) { return Text(value); }

}  // namespace nightshift::api
