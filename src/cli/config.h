// Config: nightshift's configuration keys and how each value is chosen. Every key is a TOML key of
// the config file (`data_dir`), a flag of `nightshift server` (`--data-dir`) and an environment
// variable (`NIGHTSHIFT_DATA_DIR`); a value comes from the flag, else the environment, else the
// file, else the default. The keys are declared once, in ConfigKeys().
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nightshift::cli {

enum class ValueKind {
  kString,
  kInteger,
  kNumber,
  kBoolean,  // "true" or "false"; a flag without a value
  kList,     // strings joined by ','; a repeatable flag, a TOML array, "a,b" in the environment
};

struct ConfigKey {
  std::string_view name;
  ValueKind kind = ValueKind::kString;
  std::string_view default_value;  // empty: computed by the caller (ConfigInputs::defaults)
  std::string_view help;
  std::vector<std::string_view> choices;  // allowed strings; empty: any
  double min = 0;                         // for numbers and integers
  double max = 0;                         // for numbers and integers; 0: no upper bound
  bool server_flag = true;                // a flag of `nightshift server` (else read by the client verbs)
  bool secret = false;                    // --print-config shows a list's items only up to their first ':', a string not at all
};

// Every key, in the order --print-config shows them.
const std::vector<ConfigKey>& ConfigKeys();
const ConfigKey* FindConfigKey(std::string_view name);

std::string FlagName(std::string_view key);  // "data_dir" -> "--data-dir"
std::string EnvName(std::string_view key);   // "data_dir" -> "NIGHTSHIFT_DATA_DIR"

enum class ConfigSource { kDefault, kFile, kEnvironment, kFlag };

struct ConfigValue {
  std::string text;  // the value as text ("8080", "json", "1.5")
  ConfigSource source = ConfigSource::kDefault;
  std::string origin;  // where it was set, for messages: "--listen", "NIGHTSHIFT_LISTEN", "f.toml:3"
};

// What a value can come from.
struct ConfigInputs {
  std::map<std::string, std::string> flags;             // key -> text given on the command line
  std::map<std::string, std::string> environment;       // variable -> value (NIGHTSHIFT_<KEY> are read)
  std::map<std::string, ConfigValue> file;              // key -> value set in the config file
  std::map<std::string, std::string> computed_defaults;  // key -> default the caller computed
};

// The chosen value of one key, checked against its kind, range and choices. An empty
// environment value counts as unset; a key left to a computed default the caller did not compute
// has an empty text. Errors: kInvalidArgument naming the value's origin.
Result<ConfigValue> ResolveKey(const ConfigInputs& inputs, const ConfigKey& key);

// The effective configuration: a value for every key.
class Config {
 public:
  // Resolves every key; the first bad value is the error.
  static Result<Config> Resolve(const ConfigInputs& inputs);

  const ConfigValue& Get(std::string_view key) const;
  const std::string& String(std::string_view key) const { return Get(key).text; }
  // Preconditions: the key is of that kind (Resolve checked the text).
  int64_t Integer(std::string_view key) const;
  double Number(std::string_view key) const;
  bool Boolean(std::string_view key) const { return String(key) == "true"; }
  std::vector<std::string> List(std::string_view key) const;

  // The configuration as a TOML file that would reproduce it, each key with a comment saying
  // where its value came from.
  std::string ToToml() const;

 private:
  std::map<std::string, ConfigValue, std::less<>> values_;
};

// `text` as a TOML basic string: quoted, with backslash, quote and control characters escaped.
std::string TomlString(std::string_view text);

}  // namespace nightshift::cli
