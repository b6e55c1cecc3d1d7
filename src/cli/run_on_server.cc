// `nightshift run FILE --server URL`: applies the file (POST /api/v1/pipelines), starts a run
// (POST /api/v1/pipelines/{name}/runs) and follows it by polling GET /api/v1/runs/{id} on a short
// timer — the API has no event stream yet. Ctrl-C cancels the run on the server
// (POST /api/v1/runs/{id}/cancel) and goes on following it until it has ended.
// clang-format off
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.
// clang-format on

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <iostream>

#include "cli/run_command.h"
#include "cli/run_display.h"
#include "schedule/timetable.h"

namespace nightshift::cli {
namespace {

namespace asio = boost::asio;

constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr TimeMs kUnreachableGiveUpMs = 30'000;  // a server restart is ridden out

// A member, or null when it is missing (operator[] on a const object must not miss).
Json Field(const Json& object, const char* key) {
  return object.is_object() && object.contains(key) ? object.at(key) : Json();
}

TimeMs TimeOf(const Json& v) {
  if (!v.is_string()) return 0;
  Result<TimeMs> t = schedule::ParseRfc3339(v.get<std::string>());
  return t.ok() ? *t : 0;
}

std::string TextOf(const Json& v) { return v.is_string() ? v.get<std::string>() : ""; }

template <typename State>
State StateOf(const Json& v, std::initializer_list<State> states, State fallback) {
  for (State s : states) {
    if (v == core::Name(s)) return s;
  }
  return fallback;
}

core::StepRun StepFromJson(const Json& j) {
  using S = core::StepState;
  core::StepRun step;
  step.name = TextOf(Field(j, "name"));
  step.job_id = TextOf(Field(j, "job_id"));
  step.state =
      StateOf(Field(j, "state"),
              {S::kPending, S::kRunning, S::kSucceeded, S::kFailed, S::kSkipped, S::kCancelled},
              S::kPending);
  step.reason = TextOf(Field(j, "reason"));
  step.submitted_at = TimeOf(Field(j, "submitted_at"));
  step.started_at = TimeOf(Field(j, "started_at"));
  step.stopped_at = TimeOf(Field(j, "stopped_at"));
  if (Field(j, "exit_code").is_number_integer()) step.exit_code = Field(j, "exit_code").get<int>();
  step.tries = j.value("tries", 0);
  return step;
}

// A run as GET /api/v1/runs/{id} shows it (api::RunJson), back in the engine's terms.
core::PipelineRun RunFromJson(const Json& j) {
  using R = core::RunState;
  core::PipelineRun run;
  run.id = TextOf(Field(j, "id"));
  run.pipeline = TextOf(Field(j, "pipeline"));
  run.version = j.value("version", 1);
  run.state = StateOf(Field(j, "state"), {R::kRunning, R::kSucceeded, R::kFailed, R::kCancelled},
                      R::kRunning);
  run.reason = TextOf(Field(j, "reason"));
  run.trigger = TextOf(Field(j, "trigger"));
  run.logical_time = TimeOf(Field(j, "logical_date"));
  run.created_at = TimeOf(Field(j, "created_at"));
  run.stopped_at = TimeOf(Field(j, "stopped_at"));
  run.tries = j.value("tries", 1);
  for (const Json& step : Field(j, "steps")) run.steps.push_back(StepFromJson(step));
  return run;
}

class ServerRun {
 public:
  explicit ServerRun(const RunInput& input)
      : input_(input),
        progress_(input.client.output != "json"),
        signals_(io_, SIGINT, SIGTERM),
        timer_(io_),
        display_(std::cout, StdoutTerminalWidth()) {}

  // Applies the file, starts the run and follows it to its end. Returns the exit status.
  int Run();

 private:
  int Apply(std::string& name);
  int Start(const std::string& name);
  void Follow(const Json& answer);
  void Poll();
  void OnSignal(const boost::system::error_code& error);
  std::map<std::string, std::string> LogStreams(const core::PipelineRun& run);
  int Report();

  const RunInput& input_;
  const bool progress_;
  SystemClock clock_;
  asio::io_context io_{1};
  asio::signal_set signals_;
  asio::steady_timer timer_;
  RunDisplay display_;
  Json answer_;  // the run as last read
  core::PipelineRun run_;
  TimeMs unreachable_since_ = 0;
  bool cancelling_ = false;
  bool failed_ = false;  // could not follow the run to its end
};

int ServerRun::Run() {
  std::string name;
  if (int status = Apply(name); status != 0) return status;
  if (int status = Start(name); status != 0) return status;
  if (run_.state == core::RunState::kRunning) {
    signals_.async_wait([this](const boost::system::error_code& e, int) { OnSignal(e); });
    timer_.expires_after(kPollInterval);
    timer_.async_wait([this](const boost::system::error_code& e) {
      if (!e) Poll();
    });
    io_.run();
  }
  return Report();
}

int ServerRun::Apply(std::string& name) {
  const Json body{{"source", input_.source}, {"base_dir", input_.base_dir}};
  Result<Json> applied = Call(input_.client, "POST", kPipelinesPath, body.dump());
  if (!applied.ok()) {
    if (applied.status().code() == StatusCode::kInvalidArgument) {
      return ReportApplyProblems(input_.file, applied.status().message());
    }
    return ReportError(applied.status());
  }
  name = TextOf((*applied)["name"]);
  return 0;
}

int ServerRun::Start(const std::string& name) {
  Json body{{"params", input_.params}};
  if (!input_.logical_date.empty()) body["logical_date"] = input_.logical_date;
  Result<Json> started =
      Call(input_.client, "POST", std::string(kPipelinesPath) + "/" + PercentEncode(name) + "/runs",
           body.dump());
  if (!started.ok()) return ReportError(started.status());
  Follow(*started);
  return 0;
}

void ServerRun::Follow(const Json& answer) {
  answer_ = answer;
  run_ = RunFromJson(answer);
  if (progress_) display_.Update(run_, clock_.NowMs());
}

void ServerRun::Poll() {
  Result<Json> answer = Call(input_.client, "GET", std::string(kRunsPath) + "/" + PercentEncode(run_.id));
  const TimeMs now = clock_.NowMs();
  if (answer.ok()) {
    unreachable_since_ = 0;
    Follow(*answer);
  } else if (answer.status().code() == StatusCode::kUnavailable &&
             (unreachable_since_ == 0 || now - unreachable_since_ < kUnreachableGiveUpMs)) {
    if (unreachable_since_ == 0) unreachable_since_ = now;  // perhaps restarting: try again
  } else {
    if (progress_) display_.Finish();
    std::cerr << "error: cannot follow run " << run_.id << ": " << answer.status().message()
              << "\n";
    failed_ = true;
  }
  if (failed_ || run_.state != core::RunState::kRunning) {
    signals_.cancel();
    return;  // nothing else keeps the loop running
  }
  if (progress_) display_.Tick(now);
  timer_.expires_after(kPollInterval);
  timer_.async_wait([this](const boost::system::error_code& e) {
    if (!e) Poll();
  });
}

void ServerRun::OnSignal(const boost::system::error_code& error) {
  if (error) return;
  if (progress_) display_.Finish();
  if (cancelling_) {
    std::cerr << "\ninterrupted again: not waiting for run " << run_.id << " to end\n";
    failed_ = true;
    timer_.cancel();
    return;
  }
  cancelling_ = true;
  std::cerr << "cancelling run " << run_.id << " (Ctrl-C again to stop waiting)\n";
  const Json body{{"reason", "cancelled by the user (Ctrl-C)"}};
  Result<Json> cancelled =
      Call(input_.client, "POST", std::string(kRunsPath) + "/" + PercentEncode(run_.id) + "/cancel",
           body.dump());
  if (!cancelled.ok()) std::cerr << "error: " << cancelled.status().message() << "\n";
  signals_.async_wait([this](const boost::system::error_code& e, int) { OnSignal(e); });
}

// CloudWatch log stream names of the steps' jobs (DescribeJobs), for `aws logs get-log-events`.
std::map<std::string, std::string> ServerRun::LogStreams(const core::PipelineRun& run) {
  Json ids = Json::array();
  for (const core::StepRun& step : run.steps) {
    if (!step.job_id.empty()) ids.push_back(step.job_id);
  }
  std::map<std::string, std::string> logs;
  if (ids.empty()) return logs;
  Result<Json> described =
      Call(input_.client, "POST", "/v1/describejobs", Json{{"jobs", ids}}.dump());
  if (!described.ok() || !(*described)["jobs"].is_array()) return logs;
  std::map<std::string, std::string> stream_of_job;
  for (const Json& job : (*described)["jobs"]) {
    stream_of_job[TextOf(Field(job, "jobId"))] =
        TextOf(Field(Field(job, "container"), "logStreamName"));
  }
  for (const core::StepRun& step : run.steps) {
    if (auto it = stream_of_job.find(step.job_id);
        it != stream_of_job.end() && !it->second.empty()) {
      logs[step.name] = it->second;
    }
  }
  return logs;
}

int ServerRun::Report() {
  if (progress_) display_.Finish();
  if (failed_) return 1;
  if (!progress_) {
    std::cout << answer_.dump(2) << "\n";
    return ExitStatusOf(run_);
  }
  const std::map<std::string, std::string> logs = LogStreams(run_);
  PrintRunSummary(std::cout, run_, logs);
  if (!logs.empty()) {
    std::cout << "logs are CloudWatch log streams of group /aws/batch/job: aws --endpoint-url "
              << (input_.client.server) << " logs get-log-events --log-group-name /aws/batch/job "
              << "--log-stream-name STREAM\n";
  }
  return ExitStatusOf(run_);
}

}  // namespace

int RunOnServer(const RunInput& input) {
  std::signal(SIGPIPE, SIG_IGN);
  ServerRun run(input);
  return run.Run();
}

}  // namespace nightshift::cli
