#include "exec/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
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

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool TryLock(int fd) {
  return RetryEintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) == 0;
}

// The pid recorded in a small decimal file (or at the start of an open file), if any.
std::optional<pid_t> ParsePid(std::string_view text) {
  std::optional<int64_t> pid = ParseInt64(text);
  if (!pid || *pid <= 0 || *pid > INT_MAX) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

std::optional<pid_t> ReadPidAt(int fd) {
  char buf[32];
  ssize_t n = RetryEintr([&] { return ::pread(fd, buf, sizeof buf, 0); });
  return n > 0 ? ParsePid(std::string_view(buf, static_cast<size_t>(n))) : std::nullopt;
}

std::optional<pid_t> ReadPidFile(const std::string& path) {
  Result<std::string> text = ReadSmallFile(path, 64);
  return text.ok() ? ParsePid(*text) : std::nullopt;
}

// The job's process group, if it still exists and is led by the recorded pid. (A pid recycled as
// another group's leader since is possible in theory; we accept that risk for an orphaned job.)
std::optional<pid_t> LiveJobGroup(const AttemptDir& dir) {
  std::optional<pid_t> pid = ReadPidFile(dir.pid_path());
  if (!pid || ::getpgid(*pid) != *pid) return std::nullopt;
  return pid;
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
  Result<UniqueFd> lock = PrepareAttemptDir(*dir);
  if (!lock.ok()) return lock.status();
  Result<pid_t> shim = SpawnShim(*dir, request, *env, lock->get());
  if (!shim.ok()) return shim.status();
  std::string pid_text = std::to_string(*shim) + "\n";
  // Best effort: the shim writes the same bytes itself when it starts.
  [[maybe_unused]] ssize_t ignored = ::pwrite(lock->get(), pid_text.data(), pid_text.size(), 0);
  lock->reset();  // from now on only the shim holds the lock
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

// Creates the attempt dir and returns its lock file, locked, at an fd above kShimLockFd.
Result<UniqueFd> LocalExecutor::PrepareAttemptDir(const AttemptDir& dir) const {
  std::error_code ec;
  fs::create_directories(dir.dir, ec);
  if (ec) return ErrnoStatus("mkdir " + dir.dir, ec.value());
  if (Exists(dir.exit_path()) || Exists(dir.pid_path())) {
    return Status::Conflict(dir.dir + ": attempt has already run");
  }
  Result<UniqueFd> lock = OpenFile(dir.lock_path(), O_RDWR | O_CREAT);
  if (!lock.ok()) return lock.status();
  if (!TryLock(lock->get())) {
    if (errno == EWOULDBLOCK) return Status::Conflict(dir.dir + ": attempt is running");
    return ErrnoStatus("flock " + dir.lock_path());
  }
  if (::ftruncate(lock->get(), 0) != 0) return ErrnoStatus("truncate " + dir.lock_path());
  if (lock->get() > kShimLockFd) return lock;
  int high = ::fcntl(lock->get(), F_DUPFD_CLOEXEC, kShimLockFd + 1);  // shares the lock
  if (high < 0) return ErrnoStatus("fcntl F_DUPFD_CLOEXEC");
  return UniqueFd(high);
}

Result<pid_t> LocalExecutor::SpawnShim(const AttemptDir& dir, const LaunchRequest& request,
                                       const std::vector<std::string>& env, int lock_fd) const {
  ShimArgs args{dir.dir, kDefaultGraceMs,
                request.working_dir.empty() ? dir.dir : request.working_dir, request.argv};
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (const std::string& var : env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  SpawnOptions options;
  options.new_session = true;
  options.fds = {{0, -1}, {1, -1}, {2, -1}, {kShimLockFd, lock_fd}};
  return Spawn(FormatShimArgv(shim_path_, args), envp.data(), options);
}

Status LocalExecutor::StartWatching(const AttemptKey& key, const AttemptDir& dir, pid_t shim_pid) {
  int pidfd = PidfdOpen(shim_pid);
  if (pidfd < 0) return ErrnoStatus("pidfd_open");
  auto watch = std::make_shared<Watch>(io_, key, dir, shim_pid, pidfd);
  watches_[dir.dir] = watch;
  WaitForExit(std::move(watch));
  return Status::Ok();
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

void LocalExecutor::OnShimExited(const std::shared_ptr<Watch>& watch) {
  watches_.erase(watch->dir.dir);
  int status = 0;
  // Our child if we launched it (and, in tests, if adopted in the same process); else init reaps.
  bool reaped = RetryEintr([&] { return ::waitpid(watch->shim_pid, &status, WNOHANG); }) > 0;
  std::optional<core::AttemptOutcome> outcome = ReadOutcome(watch->dir);
  if (!outcome) {
    outcome = RecordLost(watch->dir, "nightshift-shim (pid " + std::to_string(watch->shim_pid) +
                                         ") " + (reaped ? DescribeWaitStatus(status) : "ended") +
                                         " without recording the job's outcome");
  }
  if (callback_) callback_(watch->key, *outcome);
}

// The outcome in `exit`, nullopt if there is none. An unreadable one is reported as lost.
std::optional<core::AttemptOutcome> LocalExecutor::ReadOutcome(const AttemptDir& dir) const {
  Result<std::string> text = ReadSmallFile(dir.exit_path());
  if (!text.ok() && text.status().code() == StatusCode::kNotFound) return std::nullopt;
  Result<ExitRecord> record =
      text.ok() ? ParseExitRecord(*text) : Result<ExitRecord>(text.status());
  if (record.ok()) return record->outcome;
  core::AttemptOutcome lost;
  lost.kind = Kind::kLost;
  lost.message = "unreadable exit file: " + record.status().message();
  return lost;
}

// The shim is gone without an outcome: kill what is left of the job and write `exit` as lost.
core::AttemptOutcome LocalExecutor::RecordLost(const AttemptDir& dir, std::string message) const {
  if (std::optional<pid_t> group = LiveJobGroup(dir)) {
    ::kill(-*group, SIGKILL);
    message += "; killed the job's remaining process group " + std::to_string(*group);
  }
  ExitRecord record;
  record.outcome.kind = Kind::kLost;
  record.outcome.message = std::move(message);
  Status written = WriteFileAtomic(dir.exit_path(), FormatExitRecord(record));
  if (!written.ok()) record.outcome.message += "; " + written.message();
  return record.outcome;
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
  if (Exists(dir.exit_path())) return;
  std::optional<pid_t> group = LiveJobGroup(dir);
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
  if (std::optional<core::AttemptOutcome> outcome = ReadOutcome(*dir)) {
    PostOutcome(key, std::move(*outcome));
    return AdoptResult::kExited;
  }
  Result<UniqueFd> lock = OpenFile(dir->lock_path(), O_RDWR);
  if (!lock.ok() || TryLock(lock->get())) return AdoptStopped(key, *dir);  // we hold it now
  return AdoptLive(key, *dir, lock->get());
}

// A shim holds the lock: find its pid and watch it.
AdoptResult LocalExecutor::AdoptLive(const AttemptKey& key, const AttemptDir& dir, int lock_fd) {
  std::optional<pid_t> pid = ReadPidAt(lock_fd);
  for (int waited = 0; !pid && waited < kAdoptPidWaitMs; ++waited) {
    SleepMs(1);  // only for a shim caught in its first instants
    pid = ReadPidAt(lock_fd);
  }
  int pidfd = pid ? PidfdOpen(*pid) : -1;
  // The lock still held after pidfd_open proves the pidfd refers to the shim, not a recycled pid.
  if (pidfd >= 0 && !TryLock(lock_fd)) {
    auto watch = std::make_shared<Watch>(io_, key, dir, *pid, pidfd);
    watches_[dir.dir] = watch;
    WaitForExit(std::move(watch));
    return AdoptResult::kRunning;
  }
  if (pidfd >= 0) ::close(pidfd);
  return AdoptStopped(key, dir);
}

// No shim is alive (the caller holds the lock, or could not open it).
AdoptResult LocalExecutor::AdoptStopped(const AttemptKey& key, const AttemptDir& dir) {
  if (std::optional<core::AttemptOutcome> outcome = ReadOutcome(dir)) {  // finished meanwhile
    PostOutcome(key, std::move(*outcome));
    return AdoptResult::kExited;
  }
  if (!Exists(dir.pid_path())) {
    std::error_code ec;
    fs::remove_all(dir.dir, ec);
    return AdoptResult::kNeverStarted;
  }
  PostOutcome(key, RecordLost(dir, "nightshift-shim died without recording the job's outcome"));
  return AdoptResult::kExited;
}

std::string LocalExecutor::LogPath(const AttemptKey& key) const {
  Result<AttemptDir> dir = AttemptDirFor(root_, key);
  return dir.ok() ? dir->log_path() : std::string();
}

}  // namespace nightshift::exec
