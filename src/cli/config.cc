#include "cli/config.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace nightshift::cli {
namespace {

std::optional<int64_t> ParseInteger(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return v;
}

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

std::string Range(const ConfigKey& key) {
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  return key.max > 0 ? " from " + number(key.min) + " to " + number(key.max) : " of at least " + number(key.min);
}

Status Check(const ConfigKey& key, const ConfigValue& value) {
  const std::string where = value.origin + ": " + std::string(key.name);
  if (key.kind == ValueKind::kList) return Status::Ok();
  if (key.kind == ValueKind::kBoolean) {
    if (value.text == "true" || value.text == "false") return Status::Ok();
    return Status::InvalidArgument(where + " must be true or false, not '" + value.text + "'");
  }
  if (key.kind == ValueKind::kString) {
    if (key.choices.empty()) return Status::Ok();
    std::string list;
    for (std::string_view c : key.choices) {
      if (value.text == c) return Status::Ok();
      list += (list.empty() ? "" : ", ") + std::string(c);
    }
    return Status::InvalidArgument(where + " must be one of " + list + ", not '" + value.text + "'");
  }
  std::optional<double> v = ParseNumber(value.text);
  if (key.kind == ValueKind::kInteger && !ParseInteger(value.text)) v.reset();
  const char* kind = key.kind == ValueKind::kInteger ? "an integer" : "a number";
  if (!v || *v < key.min || (key.max > 0 && *v > key.max)) {
    return Status::InvalidArgument(where + " must be " + kind + Range(key) + ", not '" + value.text + "'");
  }
  return Status::Ok();
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  for (size_t start = 0; start < text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

// A secret item as --print-config shows it: up to its first ':' (an access key's id).
std::string Hidden(const std::string& item) { return item.substr(0, item.find(':')) + ":(hidden)"; }

std::string TomlList(const ConfigKey& key, const std::string& text) {
  std::string out;
  for (const std::string& item : SplitList(text)) {
    out += (out.empty() ? "" : ", ") + TomlString(key.secret ? Hidden(item) : item);
  }
  return "[" + out + "]";
}

// A value as TOML writes it: strings quoted, numbers in their shortest form ("2", "0.5").
std::string TomlValue(const ConfigKey& key, const std::string& text) {
  if (key.kind == ValueKind::kList) return TomlList(key, text);
  if (key.kind == ValueKind::kString) return TomlString(key.secret && !text.empty() ? "(hidden)" : text);
  if (key.kind == ValueKind::kInteger || key.kind == ValueKind::kBoolean) return text;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", std::strtod(text.c_str(), nullptr));
  return buf;
}

}  // namespace

const std::vector<ConfigKey>& ConfigKeys() {
  static const std::vector<ConfigKey> kKeys = {
      {"listen", ValueKind::kString, "127.0.0.1:8080", "HOST:PORT the server listens on (port 0 picks a free one)"},
      {"data_dir", ValueKind::kString, "",
       "Where the store, job logs and attempt records live (default: $XDG_DATA_HOME/nightshift, "
       "else ~/.local/share/nightshift)"},
      {"region", ValueKind::kString, "us-east-1", "AWS region used in ARNs"},
      {"default_vcpus", ValueKind::kNumber, "",
       "Capacity of the default compute environment created on first start (default: this machine's cores)",
       {}, 0.001, 1'000'000},
      {"realtime_priority", ValueKind::kInteger, "0",
       "Run the server (not its jobs) at SCHED_FIFO priority N (1-99; 0: off) so schedule fires stay on time on a "
       "busy machine; needs root or CAP_SYS_NICE",
       {}, 0, 99},
      {"log_format", ValueKind::kString, "text", "Server log lines: text (for people) or json (one object a line)",
       {"text", "json"}},
      {"auth", ValueKind::kBoolean, "false",
       "Require credentials on every route but /healthz and the OpenAPI document: API tokens (Authorization: "
       "Bearer) on the native API, SigV4 or a token on the AWS routes. On by itself with any access key; on "
       "first start without an admin credential an admin token is made and printed once"},
      {"access_key", ValueKind::kList, "",
       "ID:SECRET[:ROLE[:SESSION_TOKEN]] of a key AWS requests must be signed with (SigV4; repeatable; role "
       "viewer, operator or admin, default admin). With none, requests are not authenticated",
       {}, 0, 0, /*server_flag=*/true, /*secret=*/true},
      {"access_key_file", ValueKind::kString, "",
       "A file of access keys, one ID:SECRET[:ROLE[:SESSION_TOKEN]] a line ('#' starts a comment), "
       "so that secrets need not be on the command line"},
      {"tls_cert", ValueKind::kString, "", "PEM certificate chain: serve HTTPS (needs --tls-key)"},
      {"tls_key", ValueKind::kString, "", "PEM private key of --tls-cert"},
      {"insecure", ValueKind::kBoolean, "false",
       "Allow listening on a non-loopback address without access keys (anyone who can connect may run commands)"},
      {"max_connections", ValueKind::kInteger, "1024",
       "Open HTTP connections at most; one more is answered 503 and closed (the fd limit is raised to fit, "
       "or the cap lowered to it)",
       {}, 1, 1'000'000},
      {"header_timeout", ValueKind::kNumber, "10",
       "Seconds a client has from a request's first byte to its last header (slower: 408, closed)", {}, 0.1, 3600},
      {"rate_limit", ValueKind::kString, "off",
       "Requests per client (access key, else remote address): off, N/s or N/m; over it: 429 "
       "ThrottlingException"},
      {"rate_burst", ValueKind::kNumber, "0",
       "Requests a client may make at once on top of --rate-limit (0: one second's worth)", {}, 0, 1e9},
      {"allow_root_jobs", ValueKind::kBoolean, "false",
       "When the server runs as root, let jobs whose queue, compute environment and job definition name no user "
       "run as root (else they fail, saying so)"},
      {"secrets_dir", ValueKind::kString, "",
       "The directory job secrets are read from (secrets: valueFrom file:///PATH inside it, or a file name in "
       "it); default: DATA_DIR/secrets"},
      {"slurm", ValueKind::kBoolean, "false",
       "Run the jobs of Slurm compute environments through Slurm's client commands (sbatch, squeue, scancel) "
       "on this host; implied by --slurm-conf"},
      {"slurm_conf", ValueKind::kString, "", "SLURM_CONF for Slurm's client commands (turns --slurm on)"},
      {"slurmrestd", ValueKind::kString, "",
       "Reach Slurm through slurmrestd instead of the client commands: unix:/PATH (its socket, local "
       "authentication) or http://HOST:PORT (with --slurmrestd-user and --slurmrestd-token-file); turns --slurm on"},
      {"slurmrestd_user", ValueKind::kString, "", "The user name sent with the JWT to slurmrestd"},
      {"slurmrestd_token_file", ValueKind::kString, "",
       "A file holding the JWT for slurmrestd (scontrol token), read at start"},
      {"slurm_bin_dir", ValueKind::kString, "", "Where sbatch, squeue and scancel are; default: PATH"},
      {"slurm_dir", ValueKind::kString, "",
       "Directory shared with the Slurm nodes (same path everywhere) for task files, status records and logs; "
       "default: DATA_DIR/slurm"},
      {"slurm_poll_interval", ValueKind::kNumber, "5",
       "Seconds between squeue reconciliations (exits arrive at once without them; they refresh waiting reasons "
       "and catch jobs Slurm ended without the task's record)", {}, 0.1, 3600},
      {"slurm_task", ValueKind::kString, "",
       "The nightshift-slurm-task wrapper at a path every node sees; default: beside this program"},
      {"ui_dir", ValueKind::kString, "",
       "The built web UI (web/dist) served at / and /ui/; default: ui/ beside the nightshift binary (where "
       "scripts/build.sh puts it), else ../share/nightshift/ui from it"},
      {"podman", ValueKind::kString, "podman", "The podman binary container jobs run with (a path, or a name in PATH)"},
      {"podman_runtime", ValueKind::kString, "",
       "The OCI runtime podman runs containers with (podman --runtime; e.g. runc); default: podman's own"},
      {"image_pull", ValueKind::kString, "missing",
       "When podman pulls a container job's image: never (only images on this host), missing, always",
       {"never", "missing", "always"}},
      {"server", ValueKind::kString, "http://127.0.0.1:8080", "The server the client verbs talk to (URL)",
       {}, 0, 0, /*server_flag=*/false},
      {"token", ValueKind::kString, "", "The API token the client verbs send (Authorization: Bearer)",
       {}, 0, 0, /*server_flag=*/false, /*secret=*/true},
  };
  return kKeys;
}

const ConfigKey* FindConfigKey(std::string_view name) {
  for (const ConfigKey& key : ConfigKeys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string FlagName(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

std::string EnvName(std::string_view key) {
  std::string env = "NIGHTSHIFT_";
  for (char c : key) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

Result<ConfigValue> ResolveKey(const ConfigInputs& inputs, const ConfigKey& key) {
  const std::string name(key.name);
  ConfigValue value;
  const std::string env = EnvName(key.name);
  if (auto flag = inputs.flags.find(name); flag != inputs.flags.end()) {
    value = {flag->second, ConfigSource::kFlag, FlagName(key.name)};
  } else if (auto e = inputs.environment.find(env); e != inputs.environment.end() && !e->second.empty()) {
    value = {e->second, ConfigSource::kEnvironment, env};
  } else if (auto file = inputs.file.find(name); file != inputs.file.end()) {
    value = file->second;
  } else if (auto computed = inputs.computed_defaults.find(name); computed != inputs.computed_defaults.end()) {
    value = {computed->second, ConfigSource::kDefault, "default"};
  } else {
    value = {std::string(key.default_value), ConfigSource::kDefault, "default"};
  }
  if (value.source == ConfigSource::kDefault && value.text.empty()) return value;  // computed, not given
  NS_RETURN_IF_ERROR(Check(key, value));
  return value;
}

Result<Config> Config::Resolve(const ConfigInputs& inputs) {
  Config config;
  for (const ConfigKey& key : ConfigKeys()) {
    Result<ConfigValue> value = ResolveKey(inputs, key);
    if (!value.ok()) return value.status();
    config.values_.emplace(std::string(key.name), std::move(*value));
  }
  return config;
}

const ConfigValue& Config::Get(std::string_view key) const { return values_.find(key)->second; }

int64_t Config::Integer(std::string_view key) const { return std::strtoll(String(key).c_str(), nullptr, 10); }

double Config::Number(std::string_view key) const { return std::strtod(String(key).c_str(), nullptr); }

std::vector<std::string> Config::List(std::string_view key) const { return SplitList(String(key)); }

std::string TomlString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Config::ToToml() const {
  std::string out = "# nightshift configuration in effect (a flag wins over the environment, which wins over the file)\n";
  for (const ConfigKey& key : ConfigKeys()) {
    const ConfigValue& value = Get(key.name);
    out += "\n# " + std::string(key.help) + "\n";
    out += std::string(key.name) + " = " + TomlValue(key, value.text) + "  # from " + value.origin + "\n";
  }
  return out;
}

}  // namespace nightshift::cli
