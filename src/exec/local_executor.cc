#include "exec/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <utility>  // before asio: Boost 1.74 asio with GCC 12 in C++20 needs it

#include "exec/attempt_state.h"
#include "exec/exit_record.h"
#include "exec/shim_args.h"
#include "exec/spawn.h"

namespace nightshift::exec {

namespace fs = std::filesystem;
using Kind = core::AttemptOutcome::Kind;

struct LocalExecutor::Watch {
  Watch(boost::asio::io_context& io, AttemptKey k, AttemptDir d, pid_t pid, int pidfd)
      : key(std::move(k)), dir(std::move(d)), shim_pid(pid), pidfd(io, pidfd) {}
  AttemptKey key;
  AttemptDir dir;
  pid_t shim_pid;
  boost::asio::posix::stream_descriptor pidfd;  // readable once the shim has exited
};

namespace {

constexpr const char* kBasePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr int kAdoptPidWaitMs = 2000;  // a shim that holds the lock writes its pid within this

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// SIGTERM carrying the grace period (sival_int) for the shim, race-free thanks to the pidfd.
int SendTerminate(int pidfd, int64_t grace_ms) {
  siginfo_t info{};
  info.si_signo = SIGTERM;
  info.si_code = SI_QUEUE;
  info.si_pid = ::getpid();
  info.si_uid = ::getuid();
  info.si_value.sival_int = static_cast<int>(std::clamp<int64_t>(grace_ms, 0, INT_MAX));
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, &info, 0));
}

std::vector<core::EnvVar> BaseEnvironment() {
  std::vector<core::EnvVar> env = {{"PATH", kBasePath}};
  const char* home = std::getenv("HOME");
  env.push_back({"HOME", home != nullptr ? home : "/"});
  for (const char* name : {"USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"}) {
    if (const char* value = std::getenv(name)) env.push_back({name, value});
  }
  return env;
}

bool IsValidEnvName(const std::string& name) {
  return !name.empty() && name.find('=') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

bool TryLock(int fd) {
  return RetryEintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) == 0;
}

// fd itself if it is above the fds the shim is started with (0-3), else a dup of it (which shares
// its flock, if any) that is.
Result<UniqueFd> AboveShimFds(UniqueFd fd) {
  if (fd.get() > kShimStateFd) return fd;
  int high = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, kShimStateFd + 1);
  if (high < 0) return ErrnoStatus("fcntl F_DUPFD_CLOEXEC");
  return UniqueFd(high);
}

Result<AttemptState> ReadState(int state_fd) {
  Result<std::string> text = ReadSmallFileAt(state_fd);
  if (!text.ok()) return text.status();
  return ParseAttemptState(*text);
}

std::optional<pid_t> ShimPidOf(int state_fd) {
  Result<AttemptState> state = ReadState(state_fd);
  return state.ok() ? state->shim_pid : std::nullopt;
}

// The job's process group, if it still exists and is led by the recorded pid. (A pid recycled as
// another group's leader since is possible in theory; we accept that risk for an orphaned job.)
std::optional<pid_t> LiveJobGroup(const AttemptState& state) {
  if (!state.job_pid || ::getpgid(*state.job_pid) != *state.job_pid) return std::nullopt;
  return state.job_pid;
}

core::AttemptOutcome Lost(std::string message) {
  core::AttemptOutcome outcome;
  outcome.kind = Kind::kLost;
  outcome.message = std::move(message);
  return outcome;
}

// The outcome of an attempt whose shim is gone (known dead, or the caller holds the lock): the
// recorded one; else (the shim died without one) kLost, after killing what is left of the job's
// process group and appending the lost record, so that whoever asks again gets the same answer.
core::AttemptOutcome Conclude(const AttemptDir& dir, int state_fd, const AttemptState& state,
                              std::string why_lost) {
  if (state.exit && state.exit->ok()) return state.exit->value().outcome;
  if (state.exit) {
    return Lost("unreadable exit record in " + dir.state_path() + ": " +
                state.exit->status().message());
  }
  if (std::optional<pid_t> group = LiveJobGroup(state)) {
    ::kill(-*group, SIGKILL);
    why_lost += "; killed the job's remaining process group " + std::to_string(*group);
  }
  ExitRecord record;
  record.outcome = Lost(std::move(why_lost));
  std::string text = (state.ends_mid_line ? "\n" : "") + FormatFinalRecord(record);
  Status written = WriteAll(state_fd, text);
  if (!written.ok()) record.outcome.message += "; state file: " + written.message();
  return record.outcome;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

void SleepMs(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
  ::nanosleep(&ts, nullptr);
}

}  // namespace

LocalExecutor::LocalExecutor(boost::asio::io_context& io, const std::string& attempts_root,
                             std::string shim_path)
    : io_(io), shim_path_(std::move(shim_path)), base_env_(BaseEnvironment()) {
  std::error_code ec;
  fs::path root = fs::absolute(attempts_root, ec);
  root_ = ec ? attempts_root : root.lexically_normal().string();
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  Result<UniqueFd> dev_null = OpenFile("/dev/null", O_RDWR);
  if (dev_null.ok()) dev_null = AboveShimFds(std::move(*dev_null));
  if (dev_null.ok()) dev_null_ = std::move(*dev_null);  // else Spawn opens /dev/null each time
}

LocalExecutor::~LocalExecutor() {
  *alive_ = false;
  for (auto& [path, watch] : watches_) {
    boost::system::error_code ec;
    watch->pidfd.close(ec);  // cancels the wait; the shim keeps running
  }
}

void LocalExecutor::SetExitCallback(ExitCallback callback) { callback_ = std::move(callback); }

Status LocalExecutor::Launch(const LaunchRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return Status::InvalidArgument("job " + request.key.job_id + ": empty command");
  }
  Result<AttemptDir> dir = AttemptDirFor(root_, request.key);
  if (!dir.ok()) return dir.status();
  if (watches_.count(dir->dir) != 0) return Status::Conflict(dir->dir + ": attempt is running");
  Result<std::vector<std::string>> env = BuildEnvironment(request);
  if (!env.ok()) return env.status();
  Result<UniqueFd> state = PrepareAttemptDir(*dir);
  if (!state.ok()) return state.status();
  Result<pid_t> shim = SpawnShim(*dir, request, *env, state->get());
  if (!shim.ok()) return shim.status();
  // Best effort, for a server restarted before the shim ran: it appends the same line itself.
  [[maybe_unused]] Status ignored = WriteAll(state->get(), FormatShimLine(*shim));
  state->reset();  // from now on only the shim holds the lock
  Status watching = StartWatching(request.key, *dir, *shim);
  if (!watching.ok()) ::kill(*shim, SIGTERM);  // nothing may run that nobody watches
  return watching;
}

Result<std::vector<std::string>> LocalExecutor::BuildEnvironment(
    const LaunchRequest& request) const {
  std::map<std::string, std::string> merged;
  for (const core::EnvVar& var : base_env_) merged[var.name] = var.value;
  merged["AWS_BATCH_JOB_ID"] = request.key.job_id;
  merged["AWS_BATCH_JOB_ATTEMPT"] = std::to_string(request.key.attempt);
  for (const core::EnvVar& var : request.environment) {
    if (!IsValidEnvName(var.name) || var.value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("invalid environment variable name '" + var.name + "'");
    }
    merged[var.name] = var.value;
  }
  std::vector<std::string> env;
  env.reserve(merged.size());
  for (const auto& [name, value] : merged)
    env.push_back(std::string(name).append("=").append(value));
  return env;
}

// mkdir of the attempt dir, and of root first if need be (one syscall in the common case).
// Returns false if the dir already existed.
Result<bool> LocalExecutor::MakeAttemptDir(const AttemptDir& dir) const {
  if (::mkdir(dir.dir.c_str(), 0777) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != ENOENT) return ErrnoStatus("mkdir " + dir.dir);
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return ErrnoStatus("mkdir " + root_, ec.value());
  if (::mkdir(dir.dir.c_str(), 0777) == 0) return true;
  return errno == EEXIST ? Result<bool>(false) : ErrnoStatus("mkdir " + dir.dir);
}

// Creates the attempt dir and its state file and returns the file, locked, at an fd above
// kShimStateFd. An existing dir is reused if its job was never started (a Launch that failed).
Result<UniqueFd> LocalExecutor::PrepareAttemptDir(const AttemptDir& dir) const {
  Result<bool> created = MakeAttemptDir(dir);
  if (!created.ok()) return created.status();
  Result<UniqueFd> state = OpenFile(dir.state_path(), O_RDWR | O_CREAT | O_APPEND);
  if (!state.ok()) return state.status();
  if (!TryLock(state->get())) {
    if (errno == EWOULDBLOCK) return Status::Conflict(dir.dir + ": attempt is running");
    return ErrnoStatus("flock " + dir.state_path());
  }
  if (!*created) {
    Result<AttemptState> old = ReadState(state->get());
    if (!old.ok())
      return Status(old.status().code(), dir.state_path() + ": " + old.status().message());
    if (old->job_pid || old->exit) return Status::Conflict(dir.dir + ": attempt has already run");
    if (::ftruncate(state->get(), 0) != 0) return ErrnoStatus("truncate " + dir.state_path());
  }
  return AboveShimFds(std::move(*state));
}

Result<pid_t> LocalExecutor::SpawnShim(const AttemptDir& dir, const LaunchRequest& request,
                                       const std::vector<std::string>& env, int state_fd) const {
  ShimArgs args{dir.dir, kDefaultGraceMs,
                request.working_dir.empty() ? dir.dir : request.working_dir, request.argv};
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (const std::string& var : env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  SpawnOptions options;
  options.new_session = true;
  const int null = dev_null_.get();  // -1: Spawn opens /dev/null
  options.fds = {{0, null}, {1, null}, {2, null}, {kShimStateFd, state_fd}};
  return Spawn(FormatShimArgv(shim_path_, args), envp.data(), options);
}

Status LocalExecutor::StartWatching(const AttemptKey& key, const AttemptDir& dir, pid_t shim_pid) {
  int pidfd = PidfdOpen(shim_pid);
  if (pidfd < 0) return ErrnoStatus("pidfd_open");
  WatchShim(key, dir, shim_pid, pidfd);
  return Status::Ok();
}

// Takes ownership of pidfd.
void LocalExecutor::WatchShim(const AttemptKey& key, const AttemptDir& dir, pid_t shim_pid,
                              int pidfd) {
  auto watch = std::make_shared<Watch>(io_, key, dir, shim_pid, pidfd);
  watches_[dir.dir] = watch;
  WaitForExit(std::move(watch));
}

void LocalExecutor::WaitForExit(std::shared_ptr<Watch> watch) {
  Watch& w = *watch;
  w.pidfd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [this, alive = std::weak_ptr<bool>(alive_),
                      watch = std::move(watch)](const boost::system::error_code& ec) {
                       if (ec || alive.expired()) return;  // cancelled: we are being destroyed
                       OnShimExited(watch);
                     });
}

// The shim is dead, so its state file is complete.
void LocalExecutor::OnShimExited(const std::shared_ptr<Watch>& watch) {
  watches_.erase(watch->dir.dir);
  int status = 0;
  // Our child if we launched it (and, in tests, if adopted in the same process); else init reaps.
  bool reaped = RetryEintr([&] { return ::waitpid(watch->shim_pid, &status, WNOHANG); }) > 0;
  std::string why_lost = "nightshift-shim (pid " + std::to_string(watch->shim_pid) + ") " +
                         (reaped ? DescribeWaitStatus(status) : "ended") +
                         " without recording the job's outcome";
  Result<UniqueFd> fd = OpenFile(watch->dir.state_path(), O_RDWR | O_APPEND);
  Result<AttemptState> state = fd.ok() ? ReadState(fd->get()) : Result<AttemptState>(fd.status());
  core::AttemptOutcome outcome;
  if (state.ok()) {
    outcome = Conclude(watch->dir, fd->get(), *state, std::move(why_lost));
  } else {
    outcome = Lost(why_lost + "; " + state.status().message());
  }
  if (callback_) callback_(watch->key, outcome);
}

void LocalExecutor::PostOutcome(const AttemptKey& key, core::AttemptOutcome outcome) {
  boost::asio::post(io_,
                    [this, alive = std::weak_ptr<bool>(alive_), key, outcome = std::move(outcome)] {
                      if (!alive.expired() && callback_) callback_(key, outcome);
                    });
}

void LocalExecutor::Terminate(const AttemptKey& key, int64_t grace_ms) {
  Result<AttemptDir> dir = AttemptDirFor(root_, key);
  if (!dir.ok()) return;
  auto it = watches_.find(dir->dir);
  if (it == watches_.end()) return TerminateOrphan(*dir, grace_ms);
  // ESRCH: the shim has just exited; its exit is on its way to the callback.
  SendTerminate(it->second->pidfd.native_handle(), grace_ms);
}

// No shim watches this attempt (it died, or the attempt is not ours): signal the job's group.
void LocalExecutor::TerminateOrphan(const AttemptDir& dir, int64_t grace_ms) {
  Result<std::string> text = ReadSmallFile(dir.state_path());
  if (!text.ok()) return;
  AttemptState state = ParseAttemptState(*text);
  if (state.exit) return;
  std::optional<pid_t> group = LiveJobGroup(state);
  if (!group) return;
  ::kill(-*group, SIGTERM);
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(grace_ms));
  timer->async_wait([timer, alive = std::weak_ptr<bool>(alive_),
                     group = *group](const boost::system::error_code& ec) {
    if (!ec && !alive.expired()) ::kill(-group, SIGKILL);
  });
}

AdoptResult LocalExecutor::Adopt(const AttemptKey& key) {
  Result<AttemptDir> dir = AttemptDirFor(root_, key);
  if (!dir.ok()) return AdoptResult::kNeverStarted;
  if (watches_.count(dir->dir) != 0) return AdoptResult::kRunning;
  Result<UniqueFd> state = OpenFile(dir->state_path(), O_RDWR | O_APPEND);
  if (!state.ok() && state.status().code() == StatusCode::kNotFound) {
    std::error_code ec;
    fs::remove_all(dir->dir, ec);  // the server died before creating the state file, if at all
    return AdoptResult::kNeverStarted;
  }
  if (!state.ok()) {
    PostOutcome(key, Lost("cannot adopt the attempt: " + state.status().message()));
    return AdoptResult::kExited;
  }
  if (TryLock(state->get())) return AdoptStopped(key, *dir, state->get());
  return AdoptLive(key, *dir, state->get());
}

// A shim holds the lock: find its pid and watch it.
AdoptResult LocalExecutor::AdoptLive(const AttemptKey& key, const AttemptDir& dir, int state_fd) {
  std::optional<pid_t> pid = ShimPidOf(state_fd);
  for (int waited = 0; !pid && waited < kAdoptPidWaitMs; ++waited) {
    SleepMs(1);  // only for a shim caught in its first instants while its server died
    pid = ShimPidOf(state_fd);
  }
  int pidfd = pid ? PidfdOpen(*pid) : -1;
  if (TryLock(state_fd)) {  // the shim has exited meanwhile
    if (pidfd >= 0) ::close(pidfd);
    return AdoptStopped(key, dir, state_fd);
  }
  // The lock still held after pidfd_open proves the pidfd refers to the shim, not a recycled pid.
  if (pidfd >= 0) {
    WatchShim(key, dir, *pid, pidfd);
    return AdoptResult::kRunning;
  }
  // A wedged shim we cannot watch: give the attempt up rather than have it run unobserved.
  Result<AttemptState> state = ReadState(state_fd);
  std::string why_lost = "nightshift-shim holds the attempt's lock but its pid is unknown";
  if (!state.ok()) why_lost += "; " + state.status().message();
  PostOutcome(key, state.ok() ? Conclude(dir, state_fd, *state, why_lost) : Lost(why_lost));
  return AdoptResult::kExited;
}

// No shim is alive: the caller holds the lock.
AdoptResult LocalExecutor::AdoptStopped(const AttemptKey& key, const AttemptDir& dir,
                                        int state_fd) {
  Result<AttemptState> state = ReadState(state_fd);
  if (!state.ok()) {
    PostOutcome(key, Lost("cannot read " + dir.state_path() + ": " + state.status().message()));
    return AdoptResult::kExited;
  }
  if (!state->job_pid && !state->exit) {
    std::error_code ec;
    fs::remove_all(dir.dir, ec);
    return AdoptResult::kNeverStarted;
  }
  PostOutcome(key, Conclude(dir, state_fd, *state,
                            "nightshift-shim died without recording the job's outcome"));
  return AdoptResult::kExited;
}

std::string LocalExecutor::LogPath(const AttemptKey& key) const {
  Result<AttemptDir> dir = AttemptDirFor(root_, key);
  return dir.ok() ? dir->log_path() : std::string();
}

}  // namespace nightshift::exec
