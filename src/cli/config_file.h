// The config file: a TOML file of top-level keys (cli/config.h), found at --config FILE, else
// $NIGHTSHIFT_CONFIG, else $XDG_CONFIG_HOME/nightshift/config.toml ($XDG_CONFIG_HOME defaults to
// ~/.config), else /etc/nightshift/config.toml; no file at the default places is no error.
// Thread-safety: ParseConfigFile is pure; the loaders read files and the process environment.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cli/config.h"
#include "util/status.h"

namespace nightshift::cli {

// The values `text` sets, as text, each with its origin "file:line". Every problem is reported,
// one "file:line:column: message" line each: TOML syntax, unknown keys (with the nearest valid
// key), tables or arrays, and values of the wrong type. Errors: kInvalidArgument.
Result<std::map<std::string, ConfigValue>> ParseConfigFile(std::string_view text, const std::string& file_name);

// The path of the config file to read: `explicit_path` if set, else from `environment` as above
// (the first default place that exists). nullopt: no file.
std::optional<std::string> ConfigFilePath(const std::string& explicit_path,
                                          const std::map<std::string, std::string>& environment);

// The process's environment (every variable).
std::map<std::string, std::string> ProcessEnvironment();

// ConfigInputs from the process environment and the config file (none when there is none);
// `flags` and computed defaults are the caller's. Errors: the file cannot be read (an explicit
// path must exist) or is invalid.
Result<ConfigInputs> LoadConfigInputs(const std::string& explicit_path);

}  // namespace nightshift::cli
