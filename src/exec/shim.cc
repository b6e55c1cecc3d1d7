#include "exec/shim.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>

#include "exec/attempt_dir.h"
#include "exec/attempt_state.h"
#include "exec/exit_record.h"
#include "exec/log_writer.h"
#include "exec/posix_util.h"
#include "exec/spawn.h"
#include "util/clock.h"

extern char** environ;

namespace nightshift::exec {
namespace {

using Kind = core::AttemptOutcome::Kind;

constexpr size_t kReadChunk = size_t{64} * 1024;

TimeMs NowMs() { return SystemClock().NowMs(); }

int64_t MonotonicMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Takes over the inherited state fd (it must not reach the job) and records our pid in it.
Status ClaimStateFd() {
  if (::fcntl(kShimStateFd, F_SETFD, FD_CLOEXEC) != 0) return ErrnoStatus("fd 3 (attempt state)");
  return WriteAll(kShimStateFd, FormatShimLine(::getpid()));
}

// SIGTERM/SIGINT (terminate the job) and SIGCHLD (job exited) arrive through the returned fd.
Result<UniqueFd> SetUpSignals() {
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return ErrnoStatus("sigprocmask");
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return ErrnoStatus("signalfd");
  return UniqueFd(fd);
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<pid_t> StartJob(const ShimArgs& args, const Pipe& out, const Pipe& err) {
  if (!args.working_dir.empty() && ::chdir(args.working_dir.c_str()) != 0) {
    return ErrnoStatus("chdir " + args.working_dir);
  }
  SpawnOptions options;
  options.new_process_group = true;
  options.search_path = true;
  options.fds = {{0, -1}, {1, out.write.get()}, {2, err.write.get()}};
  // The server started us with default dispositions; these are the only ones we changed.
  options.signals_to_default = {SIGHUP, SIGPIPE};
  return Spawn(args.job_argv, environ, options);
}

// Watches one running job: its output pipes, its exit and the terminate signals.
class Supervisor {
 public:
  Supervisor(pid_t job, int64_t default_grace_ms, int signal_fd, UniqueFd out, UniqueFd err,
             LogWriter* log)
      : job_(job), default_grace_ms_(default_grace_ms), signal_fd_(signal_fd), log_(log) {
    pipes_[0] = std::move(out);
    pipes_[1] = std::move(err);
  }

  // Returns once the job is reaped and its output drained (or abandoned, see kDrainAfterExitMs).
  void Run();
  core::AttemptOutcome Outcome(TimeMs started_at) const;

 private:
  static LogStream StreamOf(int index) {
    return index == 0 ? LogStream::kStdout : LogStream::kStderr;
  }
  bool Done() const { return job_exited_ && !pipes_[0].valid() && !pipes_[1].valid(); }
  int PollTimeoutMs() const;
  void HandleSignals();
  void Terminate(int64_t grace_ms);
  void CheckJobExited();
  void ReadPipe(int index);
  void ClosePipe(int index);
  void CheckDeadlines();

  pid_t job_;
  int64_t default_grace_ms_;
  int signal_fd_;
  LogWriter* log_;
  UniqueFd pipes_[2];
  bool job_exited_ = false;
  int wait_status_ = 0;
  TimeMs stopped_at_ = 0;
  std::string termination_;             // what we did to stop the job, for the outcome message
  std::optional<int64_t> kill_at_;      // monotonic ms: SIGKILL the job's group then
  std::optional<int64_t> drain_until_;  // monotonic ms: stop waiting for pipe EOF then
  char buf_[kReadChunk];
};

void Supervisor::Run() {
  while (!Done()) {
    pollfd fds[3] = {
        {signal_fd_, POLLIN, 0}, {pipes_[0].get(), POLLIN, 0}, {pipes_[1].get(), POLLIN, 0}};
    int n = ::poll(fds, 3, PollTimeoutMs());  // fails only with EINTR or ENOMEM: try again
    if (n > 0 && fds[0].revents != 0) HandleSignals();
    for (int i = 0; i < 2; ++i) {
      if (n > 0 && fds[i + 1].revents != 0) ReadPipe(i);
    }
    CheckDeadlines();
    log_->Flush();
  }
}

int Supervisor::PollTimeoutMs() const {
  std::optional<int64_t> next = kill_at_;
  if (drain_until_ && (!next || *drain_until_ < *next)) next = drain_until_;
  if (!next) return -1;
  return static_cast<int>(std::clamp<int64_t>(*next - MonotonicMs(), 0, 60'000));
}

void Supervisor::HandleSignals() {
  signalfd_siginfo info;
  while (RetryEintr([&] { return ::read(signal_fd_, &info, sizeof info); }) == sizeof info) {
    if (info.ssi_signo == SIGCHLD) {
      CheckJobExited();
    } else {
      bool queued = info.ssi_code == SI_QUEUE;
      Terminate(queued ? std::max<int64_t>(0, info.ssi_int) : default_grace_ms_);
    }
  }
}

void Supervisor::Terminate(int64_t grace_ms) {
  if (job_exited_) return;
  ::kill(-job_, SIGTERM);
  log_->Note(NowMs(), "nightshift: SIGTERM sent to the job's process group, grace " +
                          std::to_string(grace_ms) + " ms");
  if (termination_.empty()) termination_ = "terminated: SIGTERM sent";
  int64_t deadline = MonotonicMs() + grace_ms;
  if (!kill_at_ || deadline < *kill_at_) kill_at_ = deadline;
}

// Reaps the job's main process once it has exited. Before reaping (WNOWAIT), the rest of its
// process group is killed: the zombie keeps the group id from being reused meanwhile.
void Supervisor::CheckJobExited() {
  if (job_exited_) return;
  siginfo_t info{};
  if (::waitid(P_PID, job_, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
  stopped_at_ = NowMs();
  ::kill(-job_, SIGKILL);
  RetryEintr([&] { return ::waitpid(job_, &wait_status_, 0); });
  job_exited_ = true;
  kill_at_.reset();
  drain_until_ = MonotonicMs() + kDrainAfterExitMs;
}

void Supervisor::ReadPipe(int index) {
  ssize_t n = RetryEintr([&] { return ::read(pipes_[index].get(), buf_, sizeof buf_); });
  if (n > 0) {
    log_->Append(StreamOf(index), NowMs(), std::string_view(buf_, static_cast<size_t>(n)));
  } else if (n == 0 || errno != EAGAIN) {
    ClosePipe(index);
  }
}

void Supervisor::ClosePipe(int index) {
  log_->FinishStream(StreamOf(index), NowMs());
  pipes_[index].reset();
}

void Supervisor::CheckDeadlines() {
  int64_t now = MonotonicMs();
  if (kill_at_ && now >= *kill_at_) {
    ::kill(-job_, SIGKILL);
    log_->Note(NowMs(), "nightshift: grace period over, SIGKILL sent to the job's process group");
    termination_ = "terminated: SIGKILL sent after the grace period";
    kill_at_.reset();
  }
  if (drain_until_ && now >= *drain_until_ && (pipes_[0].valid() || pipes_[1].valid())) {
    log_->Note(NowMs(),
               "nightshift: output still held open by processes outside the job's process "
               "group; stopped reading");
    for (int i = 0; i < 2; ++i) {
      if (pipes_[i].valid()) ClosePipe(i);
    }
  }
}

core::AttemptOutcome Supervisor::Outcome(TimeMs started_at) const {
  core::AttemptOutcome outcome;
  if (WIFSIGNALED(wait_status_)) {
    outcome.kind = Kind::kSignaled;
    outcome.signal = WTERMSIG(wait_status_);
  } else {
    outcome.kind = Kind::kExited;
    outcome.exit_code = WEXITSTATUS(wait_status_);
  }
  outcome.message = termination_;
  outcome.started_at = started_at;
  outcome.stopped_at = stopped_at_;
  return outcome;
}

core::AttemptOutcome SpawnFailed(TimeMs started_at, const std::string& message, LogWriter* log) {
  core::AttemptOutcome outcome;
  outcome.kind = Kind::kSpawnFailed;
  outcome.message = message;
  outcome.started_at = started_at;
  outcome.stopped_at = NowMs();
  log->Note(outcome.stopped_at, "nightshift: " + message);
  return outcome;
}

// Starts the job and supervises it to its end.
core::AttemptOutcome Supervise(const ShimArgs& args, int signal_fd, LogWriter* log) {
  TimeMs started_at = NowMs();
  Result<Pipe> out = MakePipe();
  Result<Pipe> err = out.ok() ? MakePipe() : Result<Pipe>(out.status());
  if (!err.ok()) return SpawnFailed(started_at, err.status().message(), log);
  Result<pid_t> job = StartJob(args, *out, *err);
  if (!job.ok()) return SpawnFailed(started_at, job.status().message(), log);
  out->write.reset();
  err->write.reset();
  Status job_recorded = WriteAll(kShimStateFd, FormatJobLine(*job));
  if (!job_recorded.ok()) log->Note(NowMs(), "nightshift: state file: " + job_recorded.message());
  Supervisor supervisor(*job, args.grace_ms, signal_fd, std::move(out->read), std::move(err->read),
                        log);
  supervisor.Run();
  return supervisor.Outcome(started_at);
}

int64_t MaxRssKb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int RunShim(const ShimArgs& args) {
  ::close_range(kShimStateFd + 1, ~0U, 0);  // whatever the server leaked must not reach the job
  if (!ClaimStateFd().ok()) return 2;
  Result<UniqueFd> signal_fd = SetUpSignals();
  if (!signal_fd.ok()) return 2;
  LogWriter log(AttemptDir{args.attempt_dir}.log_path());
  ExitRecord record;
  record.outcome = Supervise(args, signal_fd->get(), &log);
  log.Flush();
  if (!log.error().empty()) {
    record.outcome.message += (record.outcome.message.empty() ? "" : "; ") + log.error() + ", " +
                              std::to_string(log.dropped_bytes()) + " bytes of output lost";
  }
  record.shim_max_rss_kb = MaxRssKb();
  // One write: a reader never sees half a record, and our exit then releases the lock.
  return WriteAll(kShimStateFd, FormatFinalRecord(record)).ok() ? 0 : 3;
}

}  // namespace nightshift::exec
