#include "exec/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <climits>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <utility>  // before asio: Boost 1.74 asio with GCC 12 in C++20 needs it

#include "exec/attempt_state.h"
#include "exec/exit_record.h"
#include "exec/packet_socket.h"
#include "exec/secret_reader.h"
#include "exec/spawn.h"

namespace nightshift::exec {

namespace fs = std::filesystem;
using Kind = core::AttemptOutcome::Kind;

// An attempt we wait for: launched through our supervisor, or adopted from an earlier one.
struct LocalExecutor::Watch {
  AttemptKey key;
  AttemptDir dir;
  UniqueFd state;  // adopted only: the open state file, to take its lock once it is free
  int wd = -1;     // adopted only: the inotify watch on it
  std::shared_ptr<Link> link;  // ours only: the supervisor it was handed to
};

// Our supervisor process and its socket.
struct LocalExecutor::Link {
  struct Outgoing {
    std::string packet;
    UniqueFd fd;
  };
  Link(boost::asio::io_context& io, int socket_fd, pid_t p, int pid_fd)
      : socket(io, socket_fd), pidfd(io, pid_fd), pid(p) {}
  boost::asio::posix::stream_descriptor socket;
  boost::asio::posix::stream_descriptor pidfd;  // readable once the supervisor has exited
  pid_t pid;
  std::deque<Outgoing> outgoing;  // queued while the supervisor's queue is full
  std::vector<char> receive_buffer = std::vector<char>(kMaxMessageBytes);
  bool waiting_writable = false;
  bool dead = false;
};

struct LocalExecutor::Inotify {
  Inotify(boost::asio::io_context& io, int fd) : stream(io, fd), recheck(io) {}
  boost::asio::posix::stream_descriptor stream;
  boost::asio::steady_timer recheck;
  bool recheck_armed = false;
};

namespace {

constexpr const char* kBasePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

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

// fd itself if it is above the fds the supervisor is started with (0-3), else a dup of it that is:
// spawning applies dup2(x, 0..3) in order, which must not overwrite a source still to be used
// (a server started with closed stdio gets low fds for its own files).
Result<UniqueFd> AboveSupervisorFds(UniqueFd fd) {
  if (fd.get() > kSupervisorControlFd) return fd;
  int high = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, kSupervisorControlFd + 1);
  if (high < 0) return ErrnoStatus("fcntl F_DUPFD_CLOEXEC");
  return UniqueFd(high);
}

Result<AttemptState> ReadState(int state_fd) {
  Result<std::string> text = ReadSmallFileAt(state_fd);
  if (!text.ok()) return text.status();
  return ParseAttemptState(*text);
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

// The outcome of an attempt no supervisor runs any more (the caller holds the lock): the recorded
// one; else (its supervisor died without one) kLost, after killing what is left of the job's
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

// The account the attempt runs as; nullopt for the server's own (no run_as). Errors name the user.
Result<std::optional<UserAccount>> RunAsAccount(const std::string& run_as) {
  if (run_as.empty()) return std::optional<UserAccount>();
  Result<UserAccount> account = LookUpUser(run_as);
  if (!account.ok()) return Status::InvalidArgument("cannot run the job as " + run_as + ": " + account.status().message());
  if (account->credentials.uid != ::geteuid() && ::geteuid() != 0) {
    return Status::InvalidArgument("cannot run the job as " + run_as + ": the server does not run as root");
  }
  return std::optional<UserAccount>(std::move(*account));
}

std::string UserWorkDir(const AttemptDir& dir) { return dir.dir + "/work"; }

// For a job running as another user: its attempt dir closed to others (so that its cwd gives no
// way up into the data dir), and `work` (when it is the job's working dir) owned by the user.
Status PrepareUserWorkDir(const AttemptDir& dir, const Credentials& user, bool uses_work_dir) {
  if (::chmod(dir.dir.c_str(), 0700) != 0) return ErrnoStatus("chmod " + dir.dir);
  if (!uses_work_dir) return Status::Ok();
  const std::string work = UserWorkDir(dir);
  if (::mkdir(work.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + work);
  if (::chown(work.c_str(), user.uid, user.gid) != 0) return ErrnoStatus("chown " + work);
  return Status::Ok();
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

}  // namespace

LocalExecutor::LocalExecutor(boost::asio::io_context& io, const std::string& attempts_root,
                             std::string supervisor_path)
    : io_(io), supervisor_path_(std::move(supervisor_path)), base_env_(BaseEnvironment()) {
  std::error_code ec;
  fs::path root = fs::absolute(attempts_root, ec);
  root_ = ec ? attempts_root : root.lexically_normal().string();
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  Result<UniqueFd> dev_null = OpenFile("/dev/null", O_RDWR);
  if (dev_null.ok()) dev_null = AboveSupervisorFds(std::move(*dev_null));
  if (dev_null.ok()) dev_null_ = std::move(*dev_null);  // else Spawn opens /dev/null
}

LocalExecutor::~LocalExecutor() {
  *alive_ = false;
  // Closing our end of the socket tells the supervisor to exit once its attempts are over; it
  // keeps running them meanwhile.
  link_.reset();
  watches_.clear();
  inotify_.reset();
}

void LocalExecutor::SetExitCallback(ExitCallback callback) { callback_ = std::move(callback); }

std::optional<pid_t> LocalExecutor::supervisor_pid() const {
  if (!link_) return std::nullopt;
  return link_->pid;
}

Status LocalExecutor::Launch(const LaunchRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    return Status::InvalidArgument("job " + request.key.job_id + ": empty command");
  }
  Result<AttemptDir> dir = AttemptDirFor(root_, request.key);
  if (!dir.ok()) return dir.status();
  if (watches_.count(dir->dir) != 0) return Status::Conflict(dir->dir + ": attempt is running");
  Result<std::optional<UserAccount>> account = RunAsAccount(request.run_as);
  if (!account.ok()) return account.status();
  Result<std::vector<std::string>> env = BuildEnvironment(request, *account);
  if (!env.ok()) return env.status();
  std::optional<Credentials> run_as;
  if (*account && (*account)->credentials.uid != ::geteuid()) run_as = (*account)->credentials;
  std::string working_dir = request.working_dir;
  if (working_dir.empty()) working_dir = run_as ? UserWorkDir(*dir) : dir->dir;
  LaunchMessage launch{dir->dir, kDefaultGraceMs, std::move(working_dir), run_as, request.argv, std::move(*env)};
  std::string packet = EncodeMessage(launch);
  if (packet.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("job " + request.key.job_id + ": command and environment take " +
                                   std::to_string(packet.size()) + " bytes, more than the " +
                                   std::to_string(kMaxMessageBytes) + " allowed");
  }
  Result<UniqueFd> state = PrepareAttemptDir(*dir);
  if (!state.ok()) return state.status();
  if (run_as) NS_RETURN_IF_ERROR(PrepareUserWorkDir(*dir, *run_as, request.working_dir.empty()));
  NS_RETURN_IF_ERROR(Send(std::move(packet), std::move(*state)));
  watches_[dir->dir] = Watch{request.key, *dir, UniqueFd(), -1, link_};
  return Status::Ok();
}

Result<std::vector<std::string>> LocalExecutor::BuildEnvironment(const LaunchRequest& request,
                                                                 const std::optional<UserAccount>& account) const {
  std::map<std::string, std::string> merged;
  for (const core::EnvVar& var : base_env_) merged[var.name] = var.value;
  if (account) {
    merged["HOME"] = account->home;
    merged["USER"] = account->name;
    merged["LOGNAME"] = account->name;
  }
  merged["AWS_BATCH_JOB_ID"] = request.key.job_id;
  merged["AWS_BATCH_JOB_ATTEMPT"] = std::to_string(request.key.attempt);
  for (const core::EnvVar& var : request.environment) {
    if (!IsValidEnvName(var.name) || var.value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("invalid environment variable name '" + var.name + "'");
    }
    merged[var.name] = var.value;
  }
  if (!request.secrets.empty()) {
    if (secrets_dir_.empty()) return Status::InvalidArgument("the job has secrets but the server has no secrets directory");
    Result<std::vector<core::EnvVar>> secrets = ReadSecrets(request.secrets, secrets_dir_);
    if (!secrets.ok()) return secrets.status();
    for (core::EnvVar& var : *secrets) merged[var.name] = std::move(var.value);
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

// Creates the attempt dir and its state file and returns the file, locked. An existing dir is
// reused if its job was never started (a Launch that failed).
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
  return state;
}

Status LocalExecutor::StartSupervisor() {
  Result<std::pair<UniqueFd, UniqueFd>> sockets = MakePacketSocketPair();
  if (!sockets.ok()) return sockets.status();
  Result<UniqueFd> child_end = AboveSupervisorFds(std::move(sockets->second));
  if (!child_end.ok()) return child_end.status();
  std::string path_var = std::string("PATH=") + kBasePath;
  char* envp[] = {path_var.data(), nullptr};
  SpawnOptions options;
  options.new_session = true;
  const int null = dev_null_.get();  // -1: Spawn opens /dev/null
  options.fds = {{0, null}, {1, null}, {2, null}, {kSupervisorControlFd, child_end->get()}};
  Result<pid_t> pid = Spawn({supervisor_path_}, envp, options);
  if (!pid.ok()) {
    return Status::Unavailable("cannot start nightshift-supervisor: " + pid.status().message());
  }
  int pidfd = PidfdOpen(*pid);
  if (pidfd < 0) {
    Status error = ErrnoStatus("pidfd_open");
    ::kill(*pid, SIGKILL);  // nothing may run that nobody watches
    RetryEintr([&] { return ::waitpid(*pid, nullptr, 0); });
    return error;
  }
  link_ = std::make_shared<Link>(io_, sockets->first.release(), *pid, pidfd);
  WaitReadable(link_);
  std::weak_ptr<Link> weak = link_;
  link_->pidfd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this, alive = std::weak_ptr<bool>(alive_),
                           weak](const boost::system::error_code& ec) {
                            std::shared_ptr<Link> link = weak.lock();
                            if (ec || alive.expired() || !link) return;
                            OnSupervisorDied(link);
                          });
  return Status::Ok();
}

// Sends a packet to the supervisor, starting one if none runs; queues it while the supervisor's
// queue is full. A supervisor found dead is replaced once.
Status LocalExecutor::Send(std::string packet, UniqueFd fd) {
  for (int tries = 0; tries < 2; ++tries) {
    if (!link_) NS_RETURN_IF_ERROR(StartSupervisor());
    Link& link = *link_;
    if (!link.outgoing.empty()) {
      link.outgoing.push_back({std::move(packet), std::move(fd)});
      return Status::Ok();
    }
    int err = SendPacket(link.socket.native_handle(), packet, fd.get());
    if (err == 0) return Status::Ok();
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
      link.outgoing.push_back({std::move(packet), std::move(fd)});
      WaitWritable(link_);
      return Status::Ok();
    }
    OnSupervisorDied(link_);  // EPIPE and the like: it is gone
  }
  return Status::Unavailable("nightshift-supervisor keeps dying; see the server's log");
}

void LocalExecutor::FlushOutgoing(const std::shared_ptr<Link>& link) {
  while (!link->outgoing.empty()) {
    Link::Outgoing& next = link->outgoing.front();
    int err = SendPacket(link->socket.native_handle(), next.packet, next.fd.get());
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) return WaitWritable(link);
    if (err != 0) return OnSupervisorDied(link);
    link->outgoing.pop_front();
  }
}

void LocalExecutor::WaitWritable(const std::shared_ptr<Link>& link) {
  if (link->waiting_writable) return;
  link->waiting_writable = true;
  link->socket.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                          [this, alive = std::weak_ptr<bool>(alive_),
                           weak = std::weak_ptr<Link>(link)](const boost::system::error_code& ec) {
                            std::shared_ptr<Link> link = weak.lock();
                            if (ec || alive.expired() || !link || link->dead) return;
                            link->waiting_writable = false;
                            FlushOutgoing(link);
                          });
}

void LocalExecutor::WaitReadable(const std::shared_ptr<Link>& link) {
  link->socket.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this, alive = std::weak_ptr<bool>(alive_),
                           weak = std::weak_ptr<Link>(link)](const boost::system::error_code& ec) {
                            std::shared_ptr<Link> link = weak.lock();
                            if (ec || alive.expired() || !link || link->dead) return;
                            ReadMessages(link, /*post=*/false);
                            if (!link->dead) WaitReadable(link);
                          });
}

// Handles every message queued on the socket. At EOF it stops: the supervisor's death is noticed
// by its pidfd, once all its files are closed (and so its locks released). `post`: report outcomes
// through the io_context (when called from inside Launch or Terminate).
void LocalExecutor::ReadMessages(const std::shared_ptr<Link>& link, bool post) {
  std::string packet;
  while (true) {
    UniqueFd ignored;
    Received got = ReceivePacket(link->socket.native_handle(), link->receive_buffer, &packet,
                                 &ignored);
    if (got != Received::kPacket) return;
    OnEnded(packet, post);
  }
}

void LocalExecutor::OnEnded(const std::string& packet, bool post) {
  Result<EndedMessage> ended = DecodeEnded(packet);
  if (!ended.ok()) return;
  auto it = watches_.find(ended->attempt_dir);
  if (it == watches_.end() || it->second.wd >= 0) return;
  AttemptKey key = it->second.key;
  watches_.erase(it);
  AttemptState state = ParseAttemptState(ended->final_record);
  core::AttemptOutcome outcome =
      state.exit && state.exit->ok()
          ? state.exit->value().outcome
          : Lost("unreadable exit record from nightshift-supervisor for " + ended->attempt_dir);
  if (post) return PostOutcome(key, std::move(outcome));
  Report(key, outcome);
}

// The supervisor has exited (or its socket failed). Attempts it had not reported are concluded
// from their files: a recorded outcome, else kLost. Outcomes are posted, so this may run inside
// Launch.
void LocalExecutor::OnSupervisorDied(const std::shared_ptr<Link>& link) {
  if (link->dead) return;
  ReadMessages(link, /*post=*/true);  // what it reported before dying
  link->dead = true;
  int status = 0;
  bool reaped = RetryEintr([&] { return ::waitpid(link->pid, &status, WNOHANG); }) > 0;
  std::string why_lost = "nightshift-supervisor (pid " + std::to_string(link->pid) + ") " +
                         (reaped ? DescribeWaitStatus(status) : "ended") +
                         " without recording the job's outcome";
  boost::system::error_code ec;
  link->socket.close(ec);  // frees launches still queued in it, and their locks
  link->pidfd.close(ec);
  link->outgoing.clear();
  if (link_ == link) link_.reset();
  std::vector<std::pair<AttemptKey, AttemptDir>> orphans;
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (it->second.link != link) {
      ++it;
      continue;
    }
    orphans.emplace_back(it->second.key, it->second.dir);
    it = watches_.erase(it);
  }
  for (const auto& [key, dir] : orphans) {
    Result<UniqueFd> fd = OpenFile(dir.state_path(), O_RDWR | O_APPEND);
    if (fd.ok() && !TryLock(fd->get())) {  // still held: by whom, we can only wait to see
      WatchAdopted(key, dir, std::move(*fd));
      continue;
    }
    Result<AttemptState> state =
        fd.ok() ? ReadState(fd->get()) : Result<AttemptState>(fd.status());
    PostOutcome(key, state.ok() ? Conclude(dir, fd->get(), *state, why_lost)
                                : Lost(why_lost + "; " + state.status().message()));
  }
}

void LocalExecutor::PostOutcome(const AttemptKey& key, core::AttemptOutcome outcome) {
  boost::asio::post(io_,
                    [this, alive = std::weak_ptr<bool>(alive_), key, outcome = std::move(outcome)] {
                      if (!alive.expired()) Report(key, outcome);
                    });
}

void LocalExecutor::Report(const AttemptKey& key, const core::AttemptOutcome& outcome) {
  if (callback_) callback_(key, outcome);
}

void LocalExecutor::Terminate(const AttemptKey& key, int64_t grace_ms) {
  Result<AttemptDir> dir = AttemptDirFor(root_, key);
  if (!dir.ok()) return;
  auto it = watches_.find(dir->dir);
  if (it == watches_.end() || it->second.link == nullptr) return TerminateOrphan(*dir, grace_ms);
  // After the attempt's launch, if that is still queued; an error means the supervisor is gone,
  // and its death is on its way to the callback.
  [[maybe_unused]] Status sent =
      Send(EncodeMessage(TerminateMessage{dir->dir, grace_ms}), UniqueFd());
}

// No supervisor of ours runs this attempt (it is adopted, or not ours): signal the job's group.
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
  return WatchAdopted(key, *dir, std::move(*state));
}

// A supervisor (of an earlier server process) holds the lock: wait for it to close the file.
AdoptResult LocalExecutor::WatchAdopted(const AttemptKey& key, const AttemptDir& dir,
                                        UniqueFd state) {
  Status watching = EnsureInotify();
  int wd = watching.ok() ? ::inotify_add_watch(inotify_->stream.native_handle(),
                                               dir.state_path().c_str(), IN_CLOSE_WRITE)
                         : -1;
  if (wd < 0) {
    std::string why = watching.ok() ? ErrnoStatus("inotify_add_watch").message() : watching.message();
    PostOutcome(key, Lost("cannot watch the running attempt " + dir.dir + ": " + why));
    return AdoptResult::kExited;
  }
  if (TryLock(state.get())) {  // it ended while we set the watch up
    ::inotify_rm_watch(inotify_->stream.native_handle(), wd);
    return AdoptStopped(key, dir, state.get());
  }
  adopted_by_wd_[wd] = dir.dir;
  watches_[dir.dir] = Watch{key, dir, std::move(state), wd, nullptr};
  return AdoptResult::kRunning;
}

Status LocalExecutor::EnsureInotify() {
  if (inotify_) return Status::Ok();
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return ErrnoStatus("inotify_init1");
  inotify_ = std::make_unique<Inotify>(io_, fd);
  WaitInotify();
  return Status::Ok();
}

void LocalExecutor::WaitInotify() {
  inotify_->stream.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        ReadInotify();
        WaitInotify();
      });
}

// A state file was closed: if its lock is free now, the attempt is over. The supervisor unlocks
// before it closes; a supervisor that dies closes without unlocking, and the kernel reports the
// close an instant before it drops the lock, so a file still locked is checked again shortly.
void LocalExecutor::ReadInotify() {
  alignas(inotify_event) char buf[16 * 1024];
  bool still_locked = false;
  while (true) {
    ssize_t n = ::read(inotify_->stream.native_handle(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      auto it = adopted_by_wd_.find(event->wd);
      if (it != adopted_by_wd_.end() && !ConcludeIfUnlocked(it->second)) still_locked = true;
    }
  }
  if (!still_locked || inotify_->recheck_armed) return;
  inotify_->recheck_armed = true;
  inotify_->recheck.expires_after(std::chrono::milliseconds(50));
  inotify_->recheck.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        inotify_->recheck_armed = false;
        RecheckAdopted();
      });
}

void LocalExecutor::RecheckAdopted() {
  std::vector<std::string> dirs;
  for (const auto& [wd, dir] : adopted_by_wd_) dirs.push_back(dir);
  for (const std::string& dir : dirs) ConcludeIfUnlocked(dir);
}

// Reports an adopted attempt whose lock is free; false if it is still locked.
bool LocalExecutor::ConcludeIfUnlocked(const std::string& dir) {
  auto it = watches_.find(dir);
  if (it == watches_.end()) return true;
  Watch& watch = it->second;
  if (!TryLock(watch.state.get())) return false;
  ::inotify_rm_watch(inotify_->stream.native_handle(), watch.wd);
  adopted_by_wd_.erase(watch.wd);
  Result<AttemptState> state = ReadState(watch.state.get());
  core::AttemptOutcome outcome =
      state.ok() ? Conclude(watch.dir, watch.state.get(), *state,
                            "nightshift-supervisor ended without recording the job's outcome")
                 : Lost("cannot read " + watch.dir.state_path() + ": " + state.status().message());
  AttemptKey key = watch.key;
  watches_.erase(it);
  Report(key, outcome);
  return true;
}

// No supervisor runs the attempt: the caller holds the lock.
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
                            "nightshift-supervisor died without recording the job's outcome"));
  return AdoptResult::kExited;
}

std::string SupervisorBesideThisProgram() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (ec ? fs::path("nightshift-supervisor") : self.parent_path() / "nightshift-supervisor")
      .string();
}

std::string LocalExecutor::LogPath(const AttemptKey& key) const {
  Result<AttemptDir> dir = AttemptDirFor(root_, key);
  return dir.ok() ? dir->log_path() : std::string();
}

}  // namespace nightshift::exec
