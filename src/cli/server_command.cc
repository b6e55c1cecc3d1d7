// `nightshift server`: runs the engine, the store, the local executor and the HTTP API on one
// event loop until SIGINT or SIGTERM. Running jobs keep running when it stops. Its flags are the
// config keys (cli/config.h); `--print-config` prints the effective configuration and exits.
// Security (cli/server_security.h): access keys or --auth turn on authentication (SigV4 and API
// tokens, roles enforced; a first admin token is printed once when there is no admin
// credential), --tls-cert and --tls-key HTTPS; it refuses a non-loopback address without
// authentication unless --insecure. Limits (cli/server_limits.h): open connections, slow
// headers, requests per client.
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <sched.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/http_server.h"
#include "api/router.h"
#include "auth/authenticator.h"
#include "cli/command.h"
#include "cli/config_file.h"
#include "cli/server_limits.h"
#include "cli/server_log.h"
#include "cli/server_security.h"
#include "engine/engine.h"
#include "exec/local_executor.h"
#include "exec/posix_util.h"
#include "slurm/slurm_executor.h"
#include "store/sqlite_store.h"

namespace nightshift::cli {
namespace {

struct ServerFlags {
  std::map<std::string, std::string> values;  // config key -> text, for the flags given
  std::string config_file;
  bool print_config = false;
};

// SCHED_FIFO for the server's own thread, so that schedule fires are on time (within ~1 ms) even
// when jobs keep every core busy. SCHED_RESET_ON_FORK: the jobs it starts run at normal priority.
// The loop only wakes on events, so a real-time server does not starve the machine.
Status EnterRealtime(int priority) {
  sched_param param{};
  param.sched_priority = priority;
  if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &param) != 0) {
    return Status::Unavailable(std::string("--realtime-priority: sched_setscheduler: ") + std::strerror(errno) +
                               " (needs root or CAP_SYS_NICE)");
  }
  return Status::Ok();
}

std::string DefaultDataDir(const std::map<std::string, std::string>& environment) {
  auto env = [&](const char* name) {
    auto it = environment.find(name);
    return it == environment.end() ? std::string() : it->second;
  };
  if (!env("XDG_DATA_HOME").empty()) return env("XDG_DATA_HOME") + "/nightshift";
  if (!env("HOME").empty()) return env("HOME") + "/.local/share/nightshift";
  return "nightshift-data";
}

// The effective configuration: flags, environment, config file, defaults.
Result<Config> LoadConfig(const ServerFlags& flags) {
  Result<ConfigInputs> inputs = LoadConfigInputs(flags.config_file);
  if (!inputs.ok()) return inputs.status();
  inputs->flags = flags.values;
  inputs->computed_defaults["data_dir"] = DefaultDataDir(inputs->environment);
  inputs->computed_defaults["default_vcpus"] = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  return Config::Resolve(*inputs);
}

// Creates the data dir if needed and opens the store in it.
Result<std::unique_ptr<store::SqliteStore>> OpenDataDir(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::Unavailable("cannot create data dir " + data_dir + ": " + ec.message());
  auto store = store::SqliteStore::Open(data_dir + "/nightshift.db");
  if (!store.ok()) return Status(store.status().code(), "cannot open the store: " + store.status().ToString());
  return store;
}

// Checks the security settings before anything starts; logs what is wrong or risky.
Result<ServerSecurity> PrepareSecurity(const Config& config, const std::string& host) {
  Result<ServerSecurity> security = LoadServerSecurity(config);
  if (!security.ok()) return security.status();
  NS_RETURN_IF_ERROR(CheckExposure(host, security->auth, security->insecure));
  if (!security->auth && !IsLoopbackHost(host)) {
    spdlog::warn("INSECURE: listening on {} with no access keys (--insecure): anyone who can reach this port "
                 "can run any command on this machine as {}", host, getuid() == 0 ? "root" : "this user");
  }
  if (security->auth) {
    spdlog::info("authentication on: {} access key(s), API tokens; roles enforced", security->keys.size());
  }
  return security;
}

// With authentication on and no admin credential (no admin access key, no active admin token),
// nobody could manage the server: make an admin token and, once it is committed, print it on
// stderr. It is never shown again: the store keeps only its hash.
Status EnsureAdminCredential(engine::Engine& engine, const auth::KeyRing& keys) {
  if (keys.HasRole(auth::Role::kAdmin) || engine.api_tokens().HasActiveAdmin(engine.Now())) return Status::Ok();
  Result<auth::MintedToken> minted = auth::MintToken("first admin", auth::Role::kAdmin, engine.Now(), std::nullopt);
  if (!minted.ok()) return minted.status();
  NS_RETURN_IF_ERROR(engine.AddApiToken(minted->token));
  engine.WhenDurable([text = minted->text, id = minted->token.id](Status st) {
    if (!st.ok()) return spdlog::error("the first admin token was not stored: {}", st.ToString());
    std::cerr << "\n"
                 "==================================================================================\n"
                 "  Authentication is on and there was no admin credential: an admin API token was\n"
                 "  made (id " << id << "). It is shown now and NEVER AGAIN; keep it safe:\n\n"
                 "      " << text << "\n\n"
                 "  Use it with:  export NIGHTSHIFT_TOKEN=" << text << "\n"
                 "  then make the tokens people need:  nightshift token create --role operator\n"
                 "==================================================================================\n\n"
              << std::flush;
  });
  return Status::Ok();
}

// Where the built web UI is: --ui-dir, else ui/ beside this binary (the build's copy), else
// ../share/nightshift/ui from it (an installed layout). A directory without index.html is
// still used: its pages then say how to build the UI.
std::string UiDir(const Config& config) {
  if (!config.String("ui_dir").empty()) return config.String("ui_dir");
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const std::filesystem::path beside = self.parent_path() / "ui";
  const std::filesystem::path installed = self.parent_path().parent_path() / "share" / "nightshift" / "ui";
  if (!std::filesystem::exists(beside / "index.html", ec) && std::filesystem::exists(installed / "index.html", ec)) {
    return installed.string();
  }
  return beside.string();
}

int RunServer(const Config& config) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error code, not a death
  SetUpServerLog(config.String("log_format"));
  const std::string listen = config.String("listen");
  const std::string host = listen.substr(0, listen.rfind(':'));
  Result<ServerSecurity> security = PrepareSecurity(config, host);
  if (!security.ok()) {
    spdlog::error("{}", security.status().message());
    return 2;
  }
  Result<ServerLimits> limits = LoadServerLimits(config);
  if (!limits.ok()) {
    spdlog::error("{}", limits.status().message());
    return 2;
  }
  boost::asio::io_context io(1);
  // The HTTP server comes first so that a bad certificate stops the start before the engine does;
  // requests arrive only after Start, when `router` is set (and it goes before the engine does).
  api::Router* router = nullptr;
  api::HttpServer http(io, [&router](api::HttpRequest req, api::Respond respond) {
    router->Handle(std::move(req), respond);
  });
  http.SetLimits(limits->http);
  if (!security->tls_cert.empty()) {
    if (Status st = http.UseTls(security->tls_cert, security->tls_key); !st.ok()) {
      spdlog::error("{}", st.message());
      return 2;
    }
  }
  if (const int priority = static_cast<int>(config.Integer("realtime_priority")); priority > 0) {
    if (Status st = EnterRealtime(priority); !st.ok()) {
      spdlog::error("{}", st.message());
      return 1;
    }
  }
  const std::string data_dir = config.String("data_dir");
  Result<std::unique_ptr<store::SqliteStore>> store = OpenDataDir(data_dir);
  if (!store.ok()) {
    spdlog::error("{}", store.status().message());
    return 1;
  }
  exec::LocalExecutor executor(io, data_dir + "/jobs", exec::SupervisorBesideThisProgram());
  executor.SetSecretsDir(config.String("secrets_dir").empty() ? data_dir + "/secrets" : config.String("secrets_dir"));
  exec::PodmanSettings podman = executor.podman_settings();
  podman.podman = config.String("podman");
  podman.runtime = config.String("podman_runtime");
  podman.pull = exec::ParsePullPolicy(config.String("image_pull")).value_or(exec::PullPolicy::kMissing);
  executor.SetPodmanSettings(std::move(podman));
  SystemClock clock;
  engine::EngineOptions options;
  options.run_as.refuse_unchosen_root = ::geteuid() == 0 && !config.Boolean("allow_root_jobs");
  if (options.run_as.refuse_unchosen_root) {
    spdlog::info("running as root: jobs run as the user their queue, compute environment or job definition names, "
                 "and fail if none does (--allow-root-jobs to run those as root)");
  }
  options.region = config.String("region");
  options.default_vcpus = config.Number("default_vcpus");
  engine::Engine engine(io, **store, executor, clock, options);
  std::unique_ptr<slurm::SlurmExecutor> slurm_executor;
  if (config.Boolean("slurm") || !config.String("slurm_conf").empty() || !config.String("slurmrestd").empty()) {
    slurm::SlurmExecutorOptions so;
    so.shared_dir = config.String("slurm_dir").empty() ? data_dir + "/slurm" : config.String("slurm_dir");
    so.slurm_conf = config.String("slurm_conf");
    so.bin_dir = config.String("slurm_bin_dir");
    so.wrapper = config.String("slurm_task").empty() ? slurm::SlurmTaskBesideThisProgram() : config.String("slurm_task");
    so.secrets_dir = config.String("secrets_dir").empty() ? data_dir + "/secrets" : config.String("secrets_dir");
    so.poll_interval = std::chrono::milliseconds(static_cast<int64_t>(config.Number("slurm_poll_interval") * 1000));
    so.rest.url = config.String("slurmrestd");
    so.rest.user = config.String("slurmrestd_user");
    if (const std::string file = config.String("slurmrestd_token_file"); !file.empty()) {
      Result<std::string> token = exec::ReadSmallFile(file, 64 * 1024);
      if (!token.ok()) {
        spdlog::error("cannot read --slurmrestd-token-file: {}", token.status().ToString());
        return 1;
      }
      so.rest.token = *token;
      while (!so.rest.token.empty() && std::isspace(static_cast<unsigned char>(so.rest.token.back()))) {
        so.rest.token.pop_back();
      }
    }
    slurm_executor = std::make_unique<slurm::SlurmExecutor>(io, so);
    if (Status st = slurm_executor->Start(); !st.ok()) {
      spdlog::error("cannot start the Slurm executor: {}", st.ToString());
      return 1;
    }
    engine.AddExecutor(core::ExecutorKind::kSlurm, *slurm_executor);
    spdlog::info("Slurm executor on: shared directory {}{}{}", so.shared_dir,
                 so.slurm_conf.empty() ? "" : ", SLURM_CONF=" + so.slurm_conf,
                 so.rest.url.empty() ? "" : ", through slurmrestd at " + so.rest.url);
  }
  if (Status st = engine.Start(); !st.ok()) {
    spdlog::error("cannot start the engine: {}", st.ToString());
    return 1;
  }
  if (security->auth) {
    if (Status st = EnsureAdminCredential(engine, security->keys); !st.ok()) {
      spdlog::error("cannot make the first admin token: {}", st.ToString());
      return 1;
    }
  }
  const auth::Authenticator authenticator(std::move(security->keys), engine.api_tokens(), security->auth, clock);
  api::Router routes(engine, io, authenticator);
  api::RateLimiter rate_limiter(limits->rate, clock);
  if (limits->rate.enabled()) {
    routes.SetRateLimiter(&rate_limiter);
    spdlog::info("rate limit: {} requests/s per client, bursts of {}", limits->rate.per_second, limits->rate.burst);
  }
  routes.SetUiDir(UiDir(config));
  if (!routes.ui().Present()) {
    spdlog::warn("no built web UI in {}: / and /ui/ will say how to build it (scripts/build.sh, or --ui-dir)",
                 routes.ui().dir());
  }
  router = &routes;
  if (Status st = http.Start(listen); !st.ok()) {
    spdlog::error("{}", st.message());
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    spdlog::info("signal {}: stopping (running jobs keep running)", sig);
    http.Stop();
    engine.Stop();
    io.stop();
  });
  spdlog::info("nightshift listening on {}://{}:{} (data in {})", http.tls() ? "https" : "http", host, http.port(),
               data_dir);
  io.run();
  return 0;
}

// The flag of one config key: `--name VALUE`; a list's is repeatable, a boolean's takes no value.
void AddServerFlag(CLI::App& app, const ConfigKey& key, const std::shared_ptr<ServerFlags>& flags) {
  const std::string name(key.name);
  const std::string help = std::string(key.help) + " [" + EnvName(key.name) + "]";
  if (key.kind == ValueKind::kBoolean) {
    app.add_flag_function(FlagName(key.name), [flags, name](int64_t) { flags->values[name] = "true"; }, help);
  } else if (key.kind == ValueKind::kList) {
    app.add_option_function<std::vector<std::string>>(
        FlagName(key.name),
        [flags, name](const std::vector<std::string>& items) {
          std::string joined;
          for (const std::string& item : items) joined += (joined.empty() ? "" : ",") + item;
          flags->values[name] = joined;
        },
        help);
  } else {
    app.add_option_function<std::string>(
        FlagName(key.name), [flags, name](const std::string& v) { flags->values[name] = v; }, help);
  }
}

}  // namespace

Command ServerCommand() {
  return {"server", "Run the nightshift server (API, scheduler, executors)", [](CLI::App& app) {
            auto flags = std::make_shared<ServerFlags>();
            for (const ConfigKey& key : ConfigKeys()) {
              if (key.server_flag) AddServerFlag(app, key, flags);
            }
            app.add_option("--config", flags->config_file,
                           "Config file (default: $NIGHTSHIFT_CONFIG, else $XDG_CONFIG_HOME/nightshift/config.toml, "
                           "else /etc/nightshift/config.toml)");
            app.add_flag("--print-config", flags->print_config,
                         "Print the effective configuration (TOML, each value's source) and exit");
            return [flags] {
              Result<Config> config = LoadConfig(*flags);
              if (!config.ok()) {
                std::cerr << "nightshift: " << config.status().message() << "\n";
                return 2;
              }
              if (flags->print_config) {
                std::cout << config->ToToml();
                return 0;
              }
              return RunServer(*config);
            };
          }};
}

}  // namespace nightshift::cli
