// `nightshift server`: runs the engine, the store, the local executor and the HTTP API on one
// event loop until SIGINT or SIGTERM. Running jobs keep running when it stops.
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <sched.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "api/http_server.h"
#include "api/router.h"
#include "cli/command.h"
#include "engine/engine.h"
#include "exec/local_executor.h"
#include "store/sqlite_store.h"

namespace nightshift::cli {
namespace {

struct ServerFlags {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir;
  std::string region = "us-east-1";
  double default_vcpus = 0;
  int realtime_priority = 0;
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

std::string DefaultDataDir() {
  if (const char* env = std::getenv("NIGHTSHIFT_DATA_DIR")) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME")) return std::string(xdg) + "/nightshift";
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.local/share/nightshift";
  return "nightshift-data";
}

int RunServer(const ServerFlags& flags) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error code, not a death
  if (flags.realtime_priority > 0) {
    if (Status st = EnterRealtime(flags.realtime_priority); !st.ok()) {
      spdlog::error("{}", st.message());
      return 1;
    }
  }
  const std::string data_dir = flags.data_dir.empty() ? DefaultDataDir() : flags.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data dir {}: {}", data_dir, ec.message());
    return 1;
  }
  auto store = store::SqliteStore::Open(data_dir + "/nightshift.db");
  if (!store.ok()) {
    spdlog::error("cannot open the store: {}", store.status().ToString());
    return 1;
  }
  boost::asio::io_context io(1);
  exec::LocalExecutor executor(io, data_dir + "/jobs", exec::SupervisorBesideThisProgram());
  SystemClock clock;
  engine::EngineOptions options;
  options.region = flags.region;
  options.default_vcpus = flags.default_vcpus > 0 ? flags.default_vcpus
                                                  : std::max(1u, std::thread::hardware_concurrency());
  engine::Engine engine(io, **store, executor, clock, options);
  if (Status st = engine.Start(); !st.ok()) {
    spdlog::error("cannot start the engine: {}", st.ToString());
    return 1;
  }
  api::Router router(engine);
  api::HttpServer http(io, [&router](api::HttpRequest req, api::Respond respond) {
    router.Handle(req, respond);
  });
  if (Status st = http.Start(flags.listen); !st.ok()) {
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
  std::string host = flags.listen.substr(0, flags.listen.rfind(':'));
  spdlog::info("nightshift listening on http://{}:{} (data in {})", host, http.port(), data_dir);
  io.run();
  return 0;
}

}  // namespace

Command ServerCommand() {
  return {"server", "Run the nightshift server (API, scheduler, executors)", [](CLI::App& app) {
            auto flags = std::make_shared<ServerFlags>();
            app.add_option("--listen", flags->listen, "HOST:PORT to serve on (port 0 picks one)")
                ->capture_default_str();
            app.add_option("--data-dir", flags->data_dir,
                           "Where the store, job logs and attempt records live "
                           "(default: $NIGHTSHIFT_DATA_DIR, else ~/.local/share/nightshift)");
            app.add_option("--region", flags->region, "AWS region used in ARNs")->capture_default_str();
            app.add_option("--default-vcpus", flags->default_vcpus,
                           "Capacity of the default compute environment created on first start "
                           "(default: this machine's cores)");
            app.add_option("--realtime-priority", flags->realtime_priority,
                           "Run the server (not its jobs) at SCHED_FIFO priority N (1-99) so schedule "
                           "fires stay on time on a busy machine; needs root or CAP_SYS_NICE")
                ->check(CLI::Range(0, 99));
            return [flags] { return RunServer(*flags); };
          }};
}

}  // namespace nightshift::cli
