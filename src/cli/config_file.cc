#include "cli/config_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>
#include <vector>

#include "util/suggest.h"

extern char** environ;

namespace nightshift::cli {
namespace {

constexpr char kSystemConfig[] = "/etc/nightshift/config.toml";

std::string Position(const std::string& file, const toml::source_region& where) {
  return file + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

std::string UnknownKey(std::string_view key) {
  std::vector<std::string_view> names;
  for (const ConfigKey& k : ConfigKeys()) names.push_back(k.name);
  return "unknown key '" + std::string(key) + "'" + DidYouMean(key, names);
}

// A string or an array of strings, as a list's text (items joined by ','), if it is one.
std::optional<std::string> ListText(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  const auto* array = node.as_array();
  if (array == nullptr) return std::nullopt;
  std::string text;
  for (const toml::node& item : *array) {
    const auto* s = item.as_string();
    if (s == nullptr || s->get().find(',') != std::string::npos) return std::nullopt;
    text += (text.empty() ? "" : ",") + s->get();
  }
  return text;
}

// The node's value as text, if its TOML type fits the key's kind.
std::optional<std::string> ValueText(const ConfigKey& key, const toml::node& node) {
  switch (key.kind) {
    case ValueKind::kList:
      return ListText(node);
    case ValueKind::kBoolean:
      if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
      break;
    case ValueKind::kString:
      if (const auto* s = node.as_string()) return s->get();
      break;
    case ValueKind::kInteger:
      if (const auto* i = node.as_integer()) return std::to_string(i->get());
      break;
    case ValueKind::kNumber:
      if (const auto* i = node.as_integer()) return std::to_string(i->get());
      if (const auto* f = node.as_floating_point()) {
        std::ostringstream out;
        out.precision(17);
        out << f->get();
        return out.str();
      }
      break;
  }
  return std::nullopt;
}

const char* KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString: return "a string";
    case ValueKind::kInteger: return "an integer";
    case ValueKind::kNumber: return "a number";
    case ValueKind::kBoolean: return "true or false";
    case ValueKind::kList: return "a string or an array of strings without ','";
  }
  return "";
}

}  // namespace

Result<std::map<std::string, ConfigValue>> ParseConfigFile(std::string_view text, const std::string& file_name) {
  toml::table table;
  try {
    table = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(Position(file_name, e.source()) + ": " + std::string(e.description()));
  }
  std::map<std::string, ConfigValue> values;
  std::string problems;
  for (const auto& [name, node] : table) {
    const std::string where = Position(file_name, name.source());
    const ConfigKey* key = FindConfigKey(name.str());
    std::optional<std::string> value = key ? ValueText(*key, node) : std::nullopt;
    if (!key) {
      problems += where + ": " + UnknownKey(name.str()) + "\n";
    } else if (!value) {
      problems += where + ": " + std::string(name.str()) + " must be " + KindName(key->kind) + "\n";
    } else {
      values[std::string(name.str())] = {*value, ConfigSource::kFile,
                                         file_name + ":" + std::to_string(name.source().begin.line)};
    }
  }
  if (!problems.empty()) {
    problems.pop_back();
    return Status::InvalidArgument(problems);
  }
  return values;
}

std::optional<std::string> ConfigFilePath(const std::string& explicit_path,
                                          const std::map<std::string, std::string>& environment) {
  if (!explicit_path.empty()) return explicit_path;
  auto env = [&](const char* name) -> std::string {
    auto it = environment.find(name);
    return it == environment.end() ? "" : it->second;
  };
  if (!env("NIGHTSHIFT_CONFIG").empty()) return env("NIGHTSHIFT_CONFIG");
  std::string user_dir = env("XDG_CONFIG_HOME");
  if (user_dir.empty() && !env("HOME").empty()) user_dir = env("HOME") + "/.config";
  std::error_code ec;
  if (!user_dir.empty() && std::filesystem::exists(user_dir + "/nightshift/config.toml", ec)) {
    return user_dir + "/nightshift/config.toml";
  }
  if (std::filesystem::exists(kSystemConfig, ec)) return std::string(kSystemConfig);
  return std::nullopt;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq != std::string_view::npos) out.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return out;
}

Result<ConfigInputs> LoadConfigInputs(const std::string& explicit_path) {
  ConfigInputs inputs;
  inputs.environment = ProcessEnvironment();
  const std::optional<std::string> path = ConfigFilePath(explicit_path, inputs.environment);
  if (!path) return inputs;
  std::ifstream in(*path);
  if (!in) return Status::InvalidArgument("cannot read the config file " + *path);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::map<std::string, ConfigValue>> file = ParseConfigFile(text.str(), *path);
  if (!file.ok()) return file.status();
  inputs.file = std::move(*file);
  return inputs;
}

}  // namespace nightshift::cli
