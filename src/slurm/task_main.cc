// nightshift-slurm-task BATCH_FILE: what Slurm runs for each element of a nightshift submission
// (slurm/task_spec.h). Element SLURM_ARRAY_TASK_ID runs the task on that line of the batch file:
// it records its start, runs the command with the task's environment (its secrets read now, on
// the node) in its own process group, writes the output as timestamped records to the attempt's
// log, forwards SIGTERM/SIGINT/SIGHUP/SIGUSR1/SIGUSR2 to the command (scancel signals every
// process of the job; the command's group may have left it), records the outcome and exits with
// the command's status (128+N for signal N), so Slurm's own view agrees.
//
// A task that has a start record already is not run again: Slurm requeued an element that had
// started (a node failure), and running it twice is what nightshift promises never to do. The
// attempt is recorded as lost instead, and its retry strategy decides.
//
// Exit status 2 without running anything: bad arguments or an unreadable batch or task file
// (Slurm's output file for the element says why).
#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "exec/exit_record.h"
#include "exec/log_writer.h"
#include "exec/posix_util.h"
#include "exec/secret_reader.h"
#include "exec/spawn.h"
#include "slurm/task_spec.h"
#include "util/clock.h"

extern char** environ;

namespace nightshift::slurm {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};

int Fail(const std::string& message) {
  std::fprintf(stderr, "nightshift-slurm-task: %s\n", message.c_str());
  return 2;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Writes `text` to path.tmp and renames it to path: a reader sees all of it or nothing. No fsync:
// a record lost with its node's OS is replaced by Slurm's account of the job (NODE_FAIL), which the
// server reads when a record is missing or unreadable.
Status WriteRecord(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  Result<exec::UniqueFd> fd = exec::OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!fd.ok()) return fd.status();
  NS_RETURN_IF_ERROR(exec::WriteAll(fd->get(), text));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return exec::ErrnoStatus("rename " + tmp);
  return Status::Ok();
}

// Line `index` (0-based) of the batch file.
Result<std::string> TaskOfElement(const std::string& batch_path, int index) {
  Result<std::string> text = exec::ReadSmallFile(batch_path, 64 * 1024 * 1024);
  if (!text.ok()) return text.status();
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = text->find('\n', start);
    if (start == std::string::npos) return Status::InvalidArgument("batch file has no line " + std::to_string(index));
    ++start;
  }
  size_t end = text->find('\n', start);
  std::string name = text->substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (name.empty()) return Status::InvalidArgument("batch file has no line " + std::to_string(index));
  return name;
}

std::string Env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

struct Pipe {
  exec::UniqueFd read, write;
};
Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return exec::ErrnoStatus("pipe2");
  return Pipe{exec::UniqueFd(fds[0]), exec::UniqueFd(fds[1])};
}

// Runs the task's command; returns its outcome (kSpawnFailed if it could not start).
core::AttemptOutcome RunCommand(const TaskSpec& spec, const std::vector<std::string>& env, const std::string& dir,
                                exec::LogWriter& log, int signal_fd, const Clock& clock) {
  core::AttemptOutcome outcome;
  outcome.started_at = clock.NowMs();
  std::vector<char*> envp;
  for (const std::string& var : env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  Result<Pipe> out = MakePipe();
  Result<Pipe> err = out.ok() ? MakePipe() : Result<Pipe>(out.status());
  auto fail = [&](const Status& st) {
    outcome.kind = core::AttemptOutcome::Kind::kSpawnFailed;
    outcome.message = st.message();
    outcome.stopped_at = clock.NowMs();
    log.Note(outcome.stopped_at, st.message());
    return outcome;
  };
  if (!err.ok()) return fail(err.status());
  exec::SpawnOptions options;
  options.new_process_group = true;
  for (const std::string& var : env) {
    if (var.rfind("PATH=", 0) == 0) options.search_path = var.substr(5);
  }
  options.working_dir = spec.working_dir.empty() ? dir + "/work" : spec.working_dir;
  options.fds = {{0, -1}, {1, out->write.get()}, {2, err->write.get()}};
  Result<pid_t> pid = exec::Spawn(spec.argv, envp.data(), options);
  out->write.reset();
  err->write.reset();
  if (!pid.ok()) return fail(pid.status());

  pollfd fds[3] = {{out->read.get(), POLLIN, 0}, {err->read.get(), POLLIN, 0}, {signal_fd, POLLIN, 0}};
  const exec::LogStream streams[2] = {exec::LogStream::kStdout, exec::LogStream::kStderr};
  int open_streams = 2;
  std::string buffer(64 * 1024, '\0');
  while (open_streams > 0) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        log.Append(streams[i], clock.NowMs(), std::string_view(buffer.data(), static_cast<size_t>(n)));
      } else if (n == 0 || errno != EINTR) {
        log.FinishStream(streams[i], clock.NowMs());
        fds[i].fd = -1;
        --open_streams;
      }
    }
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo info;
      if (::read(signal_fd, &info, sizeof info) == sizeof info) {
        log.Note(clock.NowMs(), std::string("forwarding ") + ::strsignal(static_cast<int>(info.ssi_signo)));
        ::kill(-*pid, static_cast<int>(info.ssi_signo));
      }
    }
    log.Flush();
  }
  int status = 0;
  exec::RetryEintr([&] { return ::waitpid(*pid, &status, 0); });
  outcome.stopped_at = clock.NowMs();
  if (WIFSIGNALED(status)) {
    outcome.kind = core::AttemptOutcome::Kind::kSignaled;
    outcome.signal = WTERMSIG(status);
  } else {
    outcome.kind = core::AttemptOutcome::Kind::kExited;
    outcome.exit_code = WEXITSTATUS(status);
  }
  log.Flush();
  return outcome;
}

int Main(int argc, char** argv) {
  if (argc != 2) return Fail("usage: nightshift-slurm-task BATCH_FILE");
  const std::string batch_path = argv[1];
  SharedLayout layout{Dirname(Dirname(batch_path))};
  std::optional<int64_t> index = exec::ParseInt64(Env("SLURM_ARRAY_TASK_ID", "0"));
  if (!index || *index < 0) return Fail("bad SLURM_ARRAY_TASK_ID");
  Result<std::string> task = TaskOfElement(batch_path, static_cast<int>(*index));
  if (!task.ok()) return Fail(task.status().message());
  Result<std::string> encoded = exec::ReadSmallFile(layout.TaskPath(*task), 16 * 1024 * 1024);
  if (!encoded.ok()) return Fail(encoded.status().message());
  Result<TaskSpec> spec = DecodeTaskSpec(*encoded);
  if (!spec.ok()) return Fail(spec.status().message());

  SystemClock clock;
  exec::ExitRecord record;
  const std::string slurm_job = std::getenv("SLURM_ARRAY_JOB_ID") ? Env("SLURM_ARRAY_JOB_ID") + "_" + std::to_string(*index)
                                                                  : Env("SLURM_JOB_ID");
  struct stat st;
  if (::stat(layout.StartPath(*task).c_str(), &st) == 0) {
    record.outcome.kind = core::AttemptOutcome::Kind::kLost;
    record.outcome.message = "Slurm started job " + slurm_job + " again after it had started once (requeued); "
                             "nightshift does not run an attempt twice";
    record.outcome.started_at = record.outcome.stopped_at = clock.NowMs();
    Status written = WriteRecord(layout.ExitPath(*task), exec::FormatExitRecord(record));
    return written.ok() ? 1 : Fail(written.message());
  }

  // The job's environment: Slurm's own SLURM_* variables, the task's (which win), its secrets
  // (which win over both).
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "SLURM_", 6) != 0) continue;
    const char* eq = std::strchr(*e, '=');
    if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
  }
  for (const core::EnvVar& var : spec->environment) env[var.name] = var.value;
  exec::LogWriter log(layout.LogPath(*task));
  Result<std::vector<core::EnvVar>> secrets = exec::ReadSecrets(spec->secrets, spec->secrets_dir);

  sigset_t forwarded;
  sigemptyset(&forwarded);
  for (int sig : kForwarded) sigaddset(&forwarded, sig);
  sigprocmask(SIG_BLOCK, &forwarded, nullptr);
  exec::UniqueFd signal_fd(::signalfd(-1, &forwarded, SFD_CLOEXEC));

  const TimeMs started_at = clock.NowMs();
  Status started = WriteRecord(layout.StartPath(*task), FormatStartRecord({started_at, slurm_job, Env("SLURM_JOB_ID")}));
  if (!started.ok()) return Fail(started.message());
  ::mkdir(layout.WorkDir().c_str(), 0755);
  if (!secrets.ok()) {
    record.outcome.kind = core::AttemptOutcome::Kind::kSpawnFailed;
    record.outcome.message = secrets.status().message();
    record.outcome.started_at = started_at;
    record.outcome.stopped_at = clock.NowMs();
    log.Note(record.outcome.stopped_at, record.outcome.message);
    log.Flush();
  } else {
    for (const core::EnvVar& var : *secrets) env[var.name] = var.value;
    std::vector<std::string> envp;
    for (const auto& [name, value] : env) envp.push_back(name + "=" + value);
    record.outcome = RunCommand(*spec, envp, layout.dir, log, signal_fd.get(), clock);
  }
  Status ended = WriteRecord(layout.ExitPath(*task), exec::FormatExitRecord(record));
  if (!ended.ok()) return Fail(ended.message());
  switch (record.outcome.kind) {
    case core::AttemptOutcome::Kind::kExited:
      return record.outcome.exit_code;
    case core::AttemptOutcome::Kind::kSignaled:
      return 128 + record.outcome.signal;
    default:
      return 127;
  }
}

}  // namespace
}  // namespace nightshift::slurm

int main(int argc, char** argv) { return nightshift::slurm::Main(argc, argv); }
