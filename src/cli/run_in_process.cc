// `nightshift run FILE` in this process: the server's parts without its HTTP listener — an engine
// on an embedded SQLite store and the local executor in a data dir, on one event loop. The run's
// progress comes from the engine's run observer (an event per loop turn that changed the run);
// a timer on the same loop only refreshes the elapsed time on a terminal.
// clang-format off
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.
// clang-format on

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/pipelines_api.h"
#include "cli/run_command.h"
#include "cli/run_display.h"
#include "engine/engine.h"
#include "exec/local_executor.h"
#include "pipeline/spec.h"
#include "store/sqlite_store.h"

namespace nightshift::cli {
namespace {

namespace asio = boost::asio;

constexpr auto kTick = std::chrono::milliseconds(100);
constexpr int64_t kTerminateGraceMs = 5'000;  // after Ctrl-C: SIGTERM, then SIGKILL
constexpr char kPipelineGroup[] = "pipelines";

struct DataDir {
  std::string path;
  bool fresh = false;  // made for this run: removed again if nothing ran
};

Result<DataDir> MakeDataDir(const std::string& wanted) {
  std::error_code ec;
  if (!wanted.empty()) {
    std::filesystem::create_directories(wanted, ec);
    if (ec)
      return Status::InvalidArgument("cannot create data dir " + wanted + ": " + ec.message());
    return DataDir{std::filesystem::absolute(wanted, ec).lexically_normal().string(), false};
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/nightshift-run-XXXXXX";
  if (!::mkdtemp(path.data()))
    return Status::Internal("cannot create " + path + ": " + std::strerror(errno));
  return DataDir{path, true};
}

// The engine's own log goes to a file in the data dir: the terminal belongs to the display.
void LogToFile(const std::string& path) {
  try {
    spdlog::set_default_logger(spdlog::basic_logger_mt("nightshift-run", path));
    spdlog::flush_on(spdlog::level::warn);
  } catch (const spdlog::spdlog_ex&) {
    spdlog::set_level(spdlog::level::off);
  }
}

class InProcessRun {
 public:
  InProcessRun(const RunInput& input, DataDir dir, std::unique_ptr<store::SqliteStore> store);
  // Applies the file, starts the run and follows it to its end. Returns the exit status.
  int Run();
  bool started() const { return !run_id_.empty(); }

 private:
  int Apply(std::string& name);
  int Start(const std::string& name);
  void OnRunChanged(const core::PipelineRun& run, const std::vector<size_t>* changed_steps);
  void OnSignal(const boost::system::error_code& error);
  void ArmTicker();
  void Stop();
  void NoteEndedSteps(const core::PipelineRun& run, const std::vector<size_t>* changed_steps);
  std::map<std::string, std::string> LogPaths(const core::PipelineRun& run);
  std::string LogPathOfJob(const std::string& job_id);
  std::string LogPathOfAttempt(const exec::AttemptKey& key);
  int Report();

  const RunInput& input_;
  const DataDir dir_;
  const bool progress_;
  asio::io_context io_{1};
  std::unique_ptr<store::SqliteStore> store_;
  exec::LocalExecutor executor_;
  SystemClock clock_;
  engine::Engine engine_;
  asio::signal_set signals_;
  asio::steady_timer ticker_;
  RunDisplay display_;
  std::string run_id_;
  std::optional<core::PipelineRun> ended_;
  std::map<std::string, std::string> logs_;
  // Each ended step's last attempt, noted as the step ends, while its job is in memory (reading
  // 10,000 ended jobs back from the store one by one took 0.4 s at the end of a run).
  std::map<std::string, exec::AttemptKey> ended_attempts_;
  bool cancelling_ = false;
};

engine::EngineOptions Options() {
  engine::EngineOptions options;
  options.default_vcpus = std::max(1u, std::thread::hardware_concurrency());
  options.terminate_grace_ms = kTerminateGraceMs;
  return options;
}

InProcessRun::InProcessRun(const RunInput& input, DataDir dir,
                           std::unique_ptr<store::SqliteStore> store)
    : input_(input),
      dir_(std::move(dir)),
      progress_(input.client.output != "json"),
      store_(std::move(store)),
      executor_(io_, dir_.path + "/jobs", exec::SupervisorBesideThisProgram()),
      engine_(io_, *store_, executor_, clock_, Options()),
      signals_(io_, SIGINT, SIGTERM),
      ticker_(io_),
      display_(std::cout, StdoutTerminalWidth()) {}

int InProcessRun::Run() {
  if (Status st = engine_.Start(); !st.ok()) {
    std::cerr << "error: cannot start the engine in " << dir_.path << ": " << st.message() << "\n";
    return 1;
  }
  std::string name;
  int status = Apply(name);
  if (status == 0) status = Start(name);
  if (status != 0) {
    engine_.Stop();
    return status;
  }
  signals_.async_wait([this](const boost::system::error_code& e, int) { OnSignal(e); });
  ArmTicker();
  io_.run();
  return Report();
}

int InProcessRun::Apply(std::string& name) {
  std::vector<pipeline::Problem> problems;
  Result<engine::Engine::AppliedPipeline> applied =
      engine_.ApplyPipeline(input_.source, input_.base_dir, &problems);
  if (!applied.ok() && !problems.empty()) {
    std::cerr << pipeline::FormatProblems(input_.file, problems);
    return 2;
  }
  if (!applied.ok()) return ReportApplyProblems(input_.file, applied.status().message());
  name = applied->version.name;
  // One run, now: the file's schedule is for servers, so it must not fire here.
  if (engine_.FindSchedule(kPipelineGroup, name)) {
    Result<core::Schedule> paused =
        engine_.PauseSchedule(kPipelineGroup, name, "nightshift run: runs once, unscheduled");
    if (!paused.ok()) return ReportError(paused.status());
  }
  return 0;
}

int InProcessRun::Start(const std::string& name) {
  engine_.SetRunObserver(
      [this](const core::PipelineRun& run, const std::vector<size_t>* changed_steps) {
        OnRunChanged(run, changed_steps);
      });
  engine::Engine::RunRequest request;
  request.pipeline = name;
  request.params = input_.params;
  request.logical_time = input_.logical_time;
  Result<core::PipelineRun> run = engine_.StartRun(request);
  if (!run.ok()) return ReportError(run.status());
  run_id_ = run->id;
  if (progress_) display_.Update(*run, clock_.NowMs());
  return 0;
}

void InProcessRun::OnRunChanged(const core::PipelineRun& run, const std::vector<size_t>* changed_steps) {
  if (run.id != run_id_ || ended_) return;
  if (progress_) {
    display_.Update(run, clock_.NowMs(), changed_steps);
    NoteEndedSteps(run, changed_steps);  // for the summary table's logs
  }
  if (run.state == core::RunState::kRunning) return;
  ended_ = run;
  if (progress_) logs_ = LogPaths(run);
  asio::post(io_, [this] { Stop(); });  // not from inside the engine's turn
}

void InProcessRun::OnSignal(const boost::system::error_code& error) {
  if (error) return;
  if (cancelling_) {
    std::cerr << "\ninterrupted again: not waiting for the run's jobs to stop\n";
    Stop();
    return;
  }
  cancelling_ = true;
  if (progress_) display_.Finish();
  std::cerr << "cancelling the run (Ctrl-C again to stop waiting)\n";
  if (Status st = engine_.CancelRun(run_id_, "cancelled by the user (Ctrl-C)"); !st.ok()) {
    std::cerr << "error: " << st.message() << "\n";
  }
  signals_.async_wait([this](const boost::system::error_code& e, int) { OnSignal(e); });
}

void InProcessRun::ArmTicker() {
  if (!progress_ || !display_.on_terminal()) return;
  ticker_.expires_after(kTick);
  ticker_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    display_.Tick(clock_.NowMs());
    ArmTicker();
  });
}

void InProcessRun::Stop() {
  signals_.cancel();
  ticker_.cancel();
  engine_.Stop();
  io_.stop();
}

// Array steps are left to LogPaths: their log is their first child's.
void InProcessRun::NoteEndedSteps(const core::PipelineRun& run, const std::vector<size_t>* changed_steps) {
  auto note = [&](const core::StepRun& step) {
    if (step.job_id.empty() || !core::IsTerminal(step.state) || ended_attempts_.count(step.name)) return;
    Result<std::optional<core::Job>> job = engine_.GetJob(step.job_id);
    if (!job.ok() || !*job || (*job)->array_size > 0) return;
    ended_attempts_[step.name] = {step.job_id, static_cast<int>((*job)->attempts.size())};
  };
  if (!changed_steps) {
    for (const core::StepRun& step : run.steps) note(step);
  } else {
    for (size_t i : *changed_steps) note(run.steps[i]);
  }
}

std::map<std::string, std::string> InProcessRun::LogPaths(const core::PipelineRun& run) {
  std::map<std::string, std::string> logs;
  for (const core::StepRun& step : run.steps) {
    if (step.job_id.empty()) continue;
    auto noted = ended_attempts_.find(step.name);
    if (noted == ended_attempts_.end() || noted->second.job_id != step.job_id) {
      logs[step.name] = LogPathOfJob(step.job_id);
    } else {
      logs[step.name] = LogPathOfAttempt(noted->second);
    }
  }
  return logs;
}

// The log of the job's last attempt; for an array step, that of its first child.
std::string InProcessRun::LogPathOfJob(const std::string& job_id) {
  Result<std::optional<core::Job>> job = engine_.GetJob(job_id);
  if (!job.ok() || !*job) return "";
  if ((*job)->array_size > 0) {
    const std::string first = LogPathOfJob(job_id + ":0");
    return first.empty() ? "" : first + " (child 0 of " + std::to_string((*job)->array_size) + ")";
  }
  return LogPathOfAttempt({job_id, static_cast<int>((*job)->attempts.size())});
}

// The log of an attempt; none for attempt 0 (a job that ended without one).
std::string InProcessRun::LogPathOfAttempt(const exec::AttemptKey& key) {
  return key.attempt == 0 ? "" : executor_.LogPath(key);
}

int InProcessRun::Report() {
  if (progress_) display_.Finish();
  if (!ended_) {
    std::cerr << "run " << run_id_ << " had not ended; data in " << dir_.path << "\n";
    return 1;
  }
  if (!progress_) {
    std::cout << api::RunJson(*ended_).dump(2) << "\n";
    std::cerr << "data dir " << dir_.path << "\n";
  } else {
    PrintRunSummary(std::cout, *ended_, logs_);
    std::cout << "data dir " << dir_.path << " (store, logs, attempt records)\n";
  }
  return ExitStatusOf(*ended_);
}

}  // namespace

int RunInProcess(const RunInput& input) {
  std::signal(SIGPIPE, SIG_IGN);
  Result<DataDir> dir = MakeDataDir(input.data_dir);
  if (!dir.ok()) return ReportError(dir.status());
  LogToFile(dir->path + "/nightshift.log");
  auto store = store::SqliteStore::Open(dir->path + "/nightshift.db");
  if (!store.ok()) {
    std::cerr << "error: cannot open the store in " << dir->path << ": " << store.status().message()
              << "\n";
    return 1;
  }
  bool started = false;
  int status = 0;
  {
    InProcessRun run(input, *dir, std::move(*store));
    status = run.Run();
    started = run.started();
  }
  if (!started && dir->fresh) {
    std::error_code ignored;
    std::filesystem::remove_all(dir->path, ignored);  // nothing ran: nothing to keep
  }
  return status;
}

}  // namespace nightshift::cli
