#include "exec/local_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <set>
#include <thread>
#include <utility>  // before asio: Boost 1.74 asio with GCC 12 in C++20 needs it

#include "exec/attempt_state.h"
#include "exec/exit_record.h"
#include "exec/job_environment.h"
#include "exec/journal.h"
#include "exec/journal_reader.h"
#include "exec/local_layout.h"
#include "exec/packet_socket.h"
#include "exec/secret_reader.h"
#include "exec/spawn.h"

namespace nightshift::exec {

namespace fs = std::filesystem;
using Kind = core::AttemptOutcome::Kind;

// An attempt we wait for: launched through our supervisor, or adopted from an earlier one.
struct LocalExecutor::Watch {
  AttemptKey key;
  std::shared_ptr<Link> link;  // ours only: the supervisor it was handed to
};

// Our supervisor process and its socket.
struct LocalExecutor::Link {
  Link(boost::asio::io_context& io, int socket_fd, pid_t p, int pid_fd)
      : socket(io, socket_fd), pidfd(io, pid_fd), pid(p) {}
  boost::asio::posix::stream_descriptor socket;
  boost::asio::posix::stream_descriptor pidfd;  // readable once the supervisor has exited
  pid_t pid;
  std::string supervisor;          // its journal's name, from its hello
  std::deque<std::string> outgoing;  // queued while the supervisor's queue is full
  std::vector<char> receive_buffer = std::vector<char>(kMaxMessageBytes);
  uint64_t reported_seq = 0;   // of the last ended message reported
  uint64_t committed_seq = 0;  // reported_seq at the mark an OutcomesCommitted covered
  bool waiting_writable = false;
  bool dead = false;
};

// The journal of a supervisor that is not (any more) ours.
struct LocalExecutor::Journal {
  std::unique_ptr<JournalReader> reader;
  int wd = -1;                  // inotify watch on its last segment, while attempts are adopted
  std::set<std::string> adopted;  // attempts adopted from it and not reported yet
  std::set<std::string> held;     // attempts kept for a Launch (Hold)
  uint64_t last_report = 0;       // the executor's reports_ when the last of them was reported
  bool undecided = false;         // its supervisor did not detach within kDetachWaitMs
};

struct LocalExecutor::Inotify {
  Inotify(boost::asio::io_context& io, int fd) : stream(io, fd), recheck(io) {}
  boost::asio::posix::stream_descriptor stream;
  boost::asio::steady_timer recheck;
  bool recheck_armed = false;
};

namespace {

constexpr const char* kBasePath = kJobBasePath;
constexpr int kHelloTimeoutMs = 10'000;

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
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

// The job's process group, if it still exists and is led by the recorded pid. (A pid recycled as
// another group's leader since is possible in theory; we accept that risk for an orphaned job.)
std::optional<pid_t> LiveJobGroup(std::optional<pid_t> job_pid) {
  if (!job_pid || ::getpgid(*job_pid) != *job_pid) return std::nullopt;
  return job_pid;
}

core::AttemptOutcome Lost(std::string message) {
  core::AttemptOutcome outcome;
  outcome.kind = Kind::kLost;
  outcome.message = std::move(message);
  return outcome;
}

// The recorded outcome, or kLost naming `where` if the record does not parse.
core::AttemptOutcome RecordedOutcome(const Result<ExitRecord>& record, const std::string& where) {
  if (record.ok()) return record->outcome;
  return Lost("unreadable exit record in " + where + ": " + record.status().message());
}

// Kills what is left of the job's process group; says so in why_lost.
void KillOrphanedGroup(std::optional<pid_t> job_pid, std::string* why_lost) {
  if (std::optional<pid_t> group = LiveJobGroup(job_pid)) {
    ::kill(-*group, SIGKILL);
    *why_lost += "; killed the job's remaining process group " + std::to_string(*group);
  }
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

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

// Waits (blocking, up to timeout_ms) for the supervisor's first message, its hello.
Result<std::string> ReceiveHello(int socket, std::vector<char>& buffer, int timeout_ms) {
  const int64_t deadline = SteadyMs() + timeout_ms;
  std::string packet;
  while (true) {
    UniqueFd ignored;
    Received got = ReceivePacket(socket, buffer, &packet, &ignored);
    if (got == Received::kClosed) return Status::Unavailable("nightshift-supervisor exited at start");
    if (got == Received::kPacket) break;
    pollfd p{socket, POLLIN, 0};
    const int64_t left = deadline - SteadyMs();
    if (left <= 0) return Status::Unavailable("nightshift-supervisor did not say hello");
    RetryEintr([&] { return ::poll(&p, 1, static_cast<int>(left)); });
  }
  Result<FromSupervisor> message = DecodeFromSupervisor(packet);
  if (!message.ok() || !std::holds_alternative<HelloMessage>(*message)) {
    return Status::Unavailable("nightshift-supervisor of another version");
  }
  return std::get<HelloMessage>(*message).supervisor;
}

std::optional<core::Ulimit> OwnLimit(int resource, const char* name) {
  rlimit limit{};
  if (::getrlimit(resource, &limit) != 0 || limit.rlim_max == RLIM_INFINITY) return std::nullopt;
  const rlim_t soft = limit.rlim_cur == RLIM_INFINITY ? limit.rlim_max : limit.rlim_cur;
  return core::Ulimit{name, static_cast<int64_t>(soft), static_cast<int64_t>(limit.rlim_max)};
}

// The kernel's pid_max, if it can be read: some hosts refuse an nproc limit above it.
std::optional<int64_t> PidMax() {
  Result<UniqueFd> fd = OpenFile("/proc/sys/kernel/pid_max", O_RDONLY);
  Result<std::string> text = fd.ok() ? ReadFileAt(fd->get(), 0, 32) : Result<std::string>(fd.status());
  if (!text.ok()) return std::nullopt;
  return ParseInt64(text->substr(0, text->find('\n')));
}

PodmanSettings DefaultPodmanSettings(const std::string& cgroup_root) {
  PodmanSettings settings;
  settings.default_nofile = OwnLimit(RLIMIT_NOFILE, "nofile");
  settings.default_nproc = OwnLimit(RLIMIT_NPROC, "nproc");
  std::optional<int64_t> pid_max = PidMax();
  if (!settings.default_nproc && pid_max) settings.default_nproc = core::Ulimit{"nproc", *pid_max, *pid_max};
  if (settings.default_nproc && pid_max) {
    settings.default_nproc->soft_limit = std::min(settings.default_nproc->soft_limit, *pid_max);
    settings.default_nproc->hard_limit = std::min(settings.default_nproc->hard_limit, *pid_max);
  }
  const std::string v1_memory = cgroup_root + "/memory/memory.limit_in_bytes";
  if (::geteuid() == 0 && ::access(v1_memory.c_str(), W_OK) == 0) settings.memory = MemoryMode::kAttemptCgroup;
  return settings;
}

// Runs argv (podman) to its end, blocking, and returns its stdout (at most kMaxOutput bytes);
// stderr is dropped. An error if it cannot start or does not exit 0.
Result<std::string> RunForOutput(const std::vector<std::string>& argv) {
  constexpr size_t kMaxOutput = size_t{1} << 20;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  std::string path_var = std::string("PATH=") + kBasePath;
  char* envp[] = {path_var.data(), nullptr};
  SpawnOptions options;
  options.search_path = kBasePath;
  options.fds = {{0, -1}, {1, write_end.get()}, {2, -1}};
  Result<pid_t> pid = Spawn(argv, envp, options);
  if (!pid.ok()) return pid.status();
  write_end.reset();
  std::string output;
  char buf[4096];
  ssize_t n = 0;
  while ((n = RetryEintr([&] { return ::read(read_end.get(), buf, sizeof buf); })) > 0) {
    if (output.size() < kMaxOutput) output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  RetryEintr([&] { return ::waitpid(*pid, &status, 0); });
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Status::Internal(argv[0] + " " + DescribeWaitStatus(status));
  return output;
}

}  // namespace

LocalExecutor::LocalExecutor(boost::asio::io_context& io, const std::string& attempts_root,
                             std::string supervisor_path)
    : io_(io),
      supervisor_path_(std::move(supervisor_path)),
      base_env_(JobBaseEnvironment()),
      podman_(DefaultPodmanSettings(cgroup_root_)) {
  std::error_code ec;
  fs::path root = fs::absolute(attempts_root, ec);
  root_ = ec ? attempts_root : root.lexically_normal().string();
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  podman_.owner = root_;
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
  Result<std::string> name = AttemptName(request.key);
  if (!name.ok()) return name.status();
  if (watches_.count(*name) != 0) return Status::Conflict(*name + ": attempt is running");
  EnsureScanned();
  if (Journal* journal = FindJournalOf(*name)) {
    if (journal->held.erase(*name) == 0)
      return Status::Conflict(*name + ": attempt has already run");
    AdoptFromJournal(request.key, *name, *journal);  // launched before a crash: re-attach
    return Status::Ok();
  }
  if (!request.container && (request.argv.empty() || request.argv[0].empty())) {
    return Status::InvalidArgument("job " + request.key.job_id + ": empty command");
  }
  Result<LaunchMessage> built = request.container ? BuildContainerLaunch(request, *name) : BuildHostLaunch(request, *name);
  if (!built.ok()) return built.status();
  LaunchMessage& launch = *built;
  std::string packet = EncodeMessage(launch);
  if (packet.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("job " + request.key.job_id + ": command and environment take " +
                                   std::to_string(packet.size()) + " bytes, more than the " +
                                   std::to_string(kMaxMessageBytes) + " allowed");
  }
  NS_RETURN_IF_ERROR(Send([&](uint64_t committed_seq) {
    if (committed_seq == 0) return std::move(packet);
    launch.committed_seq = committed_seq;
    return EncodeMessage(launch);
  }));
  watches_[*name] = Watch{request.key, link_};
  return Status::Ok();
}

Result<LaunchMessage> LocalExecutor::BuildHostLaunch(const LaunchRequest& request, const std::string& name) const {
  Result<std::optional<UserAccount>> account = RunAsAccount(request.run_as);
  if (!account.ok()) return account.status();
  Result<std::vector<std::string>> env = BuildEnvironment(request, *account);
  if (!env.ok()) return env.status();
  std::optional<Credentials> run_as;
  if (*account && (*account)->credentials.uid != ::geteuid()) run_as = (*account)->credentials;
  const bool own_dir = run_as && request.working_dir.empty();
  std::string working_dir = request.working_dir;
  if (working_dir.empty()) working_dir = own_dir ? RunAsWorkDirOf(root_, name) : SharedWorkDirOf(root_);
  return LaunchMessage{name, kDefaultGraceMs, std::move(working_dir), run_as, own_dir, 0, std::nullopt, request.argv,
                       std::move(*env)};
}

// The supervisor runs `podman run` as it would run a job: the container's environment is in its
// command line (secrets: only their names, the values in podman's own environment), and podman
// runs with the server's base environment.
Result<LaunchMessage> LocalExecutor::BuildContainerLaunch(const LaunchRequest& request, const std::string& name) const {
  const ContainerRequest& c = *request.container;
  for (const core::Volume& volume : c.settings.volumes) {
    struct stat st {};
    if (::stat(volume.source_path.c_str(), &st) != 0) {
      return Status::InvalidArgument("volume '" + volume.name + "': source path " + volume.source_path +
                                     " does not exist on the host");
    }
  }
  std::vector<core::EnvVar> job_env = {{"AWS_BATCH_JOB_ID", request.key.job_id},
                                       {"AWS_BATCH_JOB_ATTEMPT", std::to_string(request.key.attempt)}};
  std::map<std::string, size_t> position = {{"AWS_BATCH_JOB_ID", 0}, {"AWS_BATCH_JOB_ATTEMPT", 1}};
  for (const core::EnvVar& var : request.environment) {
    if (!IsValidEnvName(var.name) || var.value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("invalid environment variable name '" + var.name + "'");
    }
    auto [it, added] = position.emplace(var.name, job_env.size());
    if (added) job_env.push_back(var);
    if (!added) job_env[it->second].value = var.value;
  }
  std::map<std::string, std::string> podman_env;
  for (const core::EnvVar& var : base_env_) podman_env[var.name] = var.value;
  std::vector<std::string> secret_names;
  if (!request.secrets.empty()) {
    if (secrets_dir_.empty()) return Status::InvalidArgument("the job has secrets but the server has no secrets directory");
    Result<std::vector<core::EnvVar>> secrets = ReadSecrets(request.secrets, secrets_dir_);
    if (!secrets.ok()) return secrets.status();
    for (core::EnvVar& var : *secrets) {
      secret_names.push_back(var.name);
      podman_env[var.name] = std::move(var.value);
      std::erase_if(job_env, [&](const core::EnvVar& v) { return v.name == var.name; });
    }
  }
  std::vector<std::string> env;
  for (const auto& [var, value] : podman_env) env.push_back(var + "=" + value);
  ContainerControl control{ContainerNameOf(request.key), PodmanPrefix(podman_), "", "", 0};
  const int64_t memory_mib = c.resources.memory_mib;
  control.memory_limit_bytes = memory_mib * 1024 * 1024;
  if (memory_mib > 0 && podman_.memory == MemoryMode::kAttemptCgroup) {
    control.cgroup_root = cgroup_root_;
    control.cgroup_parent = AttemptCgroupOf(control.name);
  }
  return LaunchMessage{name, kDefaultGraceMs, SharedWorkDirOf(root_), std::nullopt, false, 0, std::move(control),
                       PodmanRunArgv(podman_, request, job_env, secret_names), std::move(env)};
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

// Starts a supervisor and waits for its hello: from then on its journal exists, so a server that
// restarts after any launch we send finds that supervisor's journal.
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
  std::vector<std::string> argv = {supervisor_path_, root_};
  if (rotate_records_ > 0) argv.push_back(std::to_string(rotate_records_));
  Result<pid_t> pid = Spawn(argv, envp, options);
  if (!pid.ok()) {
    return Status::Unavailable("cannot start nightshift-supervisor: " + pid.status().message());
  }
  child_end->reset();
  int pidfd = PidfdOpen(*pid);
  auto link = std::make_shared<Link>(io_, sockets->first.release(), *pid, pidfd);
  Result<std::string> hello =
      pidfd < 0 ? Result<std::string>(ErrnoStatus("pidfd_open"))
                : ReceiveHello(link->socket.native_handle(), link->receive_buffer, kHelloTimeoutMs);
  if (!hello.ok()) {
    ::kill(*pid, SIGKILL);  // nothing may run that nobody watches
    RetryEintr([&] { return ::waitpid(*pid, nullptr, 0); });
    return hello.status();
  }
  link->supervisor = std::move(*hello);
  link_ = std::move(link);
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
// queue is full. A supervisor found dead is replaced once (the packet is encoded again for it).
Status LocalExecutor::Send(const std::function<std::string(uint64_t)>& encode) {
  for (int tries = 0; tries < 2; ++tries) {
    if (!link_) NS_RETURN_IF_ERROR(StartSupervisor());
    Link& link = *link_;
    std::string packet = encode(link.committed_seq);
    if (!link.outgoing.empty()) {
      link.outgoing.push_back(std::move(packet));
      return Status::Ok();
    }
    int err = SendPacket(link.socket.native_handle(), packet);
    if (err == 0) return Status::Ok();
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
      link.outgoing.push_back(std::move(packet));
      WaitWritable(link_);
      return Status::Ok();
    }
    OnSupervisorDied(link_);  // EPIPE and the like: it is gone
  }
  return Status::Unavailable("nightshift-supervisor keeps dying; see the server's log");
}

void LocalExecutor::FlushOutgoing(const std::shared_ptr<Link>& link) {
  while (!link->outgoing.empty()) {
    int err = SendPacket(link->socket.native_handle(), link->outgoing.front());
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
// by its pidfd. `post`: report outcomes through the io_context (when called from inside Launch or
// Terminate).
void LocalExecutor::ReadMessages(const std::shared_ptr<Link>& link, bool post) {
  std::string packet;
  while (true) {
    UniqueFd ignored;
    Received got = ReceivePacket(link->socket.native_handle(), link->receive_buffer, &packet,
                                 &ignored);
    if (got != Received::kPacket) return;
    OnMessage(*link, packet, post);
  }
}

void LocalExecutor::OnMessage(Link& link, const std::string& packet, bool post) {
  Result<FromSupervisor> message = DecodeFromSupervisor(packet);
  if (!message.ok()) return;
  auto* ended = std::get_if<EndedMessage>(&*message);
  if (ended == nullptr) return;
  link.reported_seq = std::max(link.reported_seq, ended->seq);
  auto it = watches_.find(ended->attempt);
  if (it == watches_.end() || it->second.link.get() != &link) return;
  AttemptKey key = it->second.key;
  watches_.erase(it);
  core::AttemptOutcome outcome =
      RecordedOutcome(ParseExitRecord(ended->exit_record), "nightshift-supervisor's message");
  if (post) return PostOutcome(key, std::move(outcome));
  Report(key, outcome);
}

// The supervisor has exited (or its socket failed). Attempts it had not reported are concluded
// from its journal: a recorded outcome, else kLost. Outcomes are posted, so this may run inside
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
  link->socket.close(ec);  // drops launches still queued in it: they never reach a journal
  link->pidfd.close(ec);
  link->outgoing.clear();
  if (link_ == link) link_.reset();
  std::vector<std::pair<std::string, AttemptKey>> orphans;
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (it->second.link != link) {
      ++it;
      continue;
    }
    orphans.emplace_back(it->first, it->second.key);
    it = watches_.erase(it);
  }
  Journal* journal = LoadJournal(link->supervisor);
  for (const auto& [name, key] : orphans) {
    if (journal == nullptr) {
      PostOutcome(key, Lost(why_lost + "; its journal cannot be read"));
      continue;
    }
    journal->adopted.insert(name);  // deleted only once this outcome is reported
    adopted_from_[name] = journal;
    PostOutcome(key, Conclude(*journal, name, why_lost));
  }
}

void LocalExecutor::PostOutcome(const AttemptKey& key, core::AttemptOutcome outcome) {
  boost::asio::post(io_,
                    [this, alive = std::weak_ptr<bool>(alive_), key, outcome = std::move(outcome)] {
                      if (!alive.expired()) Report(key, outcome);
                    });
}

// Delivers an outcome. The journal it came from (if adopted) may be deleted once the engine has
// committed it, i.e. at an OutcomesCommitted after this.
void LocalExecutor::Report(const AttemptKey& key, const core::AttemptOutcome& outcome) {
  ++reports_;
  if (!adopted_from_.empty()) {
    Result<std::string> name = AttemptName(key);
    auto it = name.ok() ? adopted_from_.find(*name) : adopted_from_.end();
    if (it != adopted_from_.end()) {
      it->second->adopted.erase(it->first);
      it->second->last_report = reports_;
      adopted_from_.erase(it);
    }
  }
  if (callback_) callback_(key, outcome);
}

void LocalExecutor::MarkOutcomes() {
  marked_link_ = link_;
  marked_seq_ = link_ ? link_->reported_seq : 0;
  marked_reports_ = reports_;
}

void LocalExecutor::OutcomesCommitted() {
  if (link_ && link_ == marked_link_.lock()) link_->committed_seq = std::max(link_->committed_seq, marked_seq_);
  for (auto it = journals_.begin(); it != journals_.end();) {
    Journal& journal = *it->second;
    if (!journal.adopted.empty() || !journal.held.empty() || journal.last_report > marked_reports_ || !journal.reader->TryTakeLocks()) {
      ++it;
      continue;
    }
    if (journal.wd >= 0) {
      ::inotify_rm_watch(inotify_->stream.native_handle(), journal.wd);
      journal_by_wd_.erase(journal.wd);
    }
    journal.reader->Delete();
    it = journals_.erase(it);
  }
}

void LocalExecutor::Terminate(const AttemptKey& key, int64_t grace_ms) {
  Result<std::string> name = AttemptName(key);
  if (!name.ok()) return;
  auto it = watches_.find(*name);
  if (it == watches_.end()) return;
  if (it->second.link == nullptr) return TerminateOrphan(*name, grace_ms);
  // After the attempt's launch, if that is still queued; an error means the supervisor is gone,
  // and its death is on its way to the callback.
  [[maybe_unused]] Status sent =
      Send([&](uint64_t) { return EncodeMessage(TerminateMessage{*name, grace_ms}); });
}

// An adopted attempt, which no supervisor of ours runs: signal the job's group.
void LocalExecutor::TerminateOrphan(const std::string& name, int64_t grace_ms) {
  Journal* journal = FindJournalOf(name);
  const JournalEntry* entry = journal ? journal->reader->parsed().Find(name) : nullptr;
  if (entry == nullptr || entry->exit) return;
  std::optional<pid_t> group = LiveJobGroup(entry->job_pid);
  if (!group) return;
  ::kill(-*group, SIGTERM);
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(grace_ms));
  timer->async_wait([timer, alive = std::weak_ptr<bool>(alive_),
                     group = *group](const boost::system::error_code& ec) {
    if (!ec && !alive.expired()) ::kill(-group, SIGKILL);
  });
}

// Reads every journal once (those of earlier supervisors; ours is read only if it dies).
void LocalExecutor::EnsureScanned() {
  if (scanned_) return;
  scanned_ = true;
  Result<std::vector<std::string>> supervisors = ListJournalSupervisors(root_);
  if (!supervisors.ok()) return;  // no journal can be read: Adopt finds nothing in them
  for (const std::string& supervisor : *supervisors) {
    if (!link_ || supervisor != link_->supervisor) LoadJournal(supervisor);
  }
  RemoveOrphanContainers();
}

// A container of ours is an orphan unless a journal of a supervisor that still runs has its
// attempt without an outcome: its podman run was killed (with its supervisor), or it outlived
// its journal. Called before our supervisor launches anything, so none of its containers exist.
void LocalExecutor::RemoveOrphanContainers() {
  std::vector<std::string> list = PodmanPrefix(podman_);
  std::vector<std::string> args = ListContainersArgs(podman_.owner);
  list.insert(list.end(), args.begin(), args.end());
  Result<std::string> output = RunForOutput(list);
  if (!output.ok()) return;  // no podman: no containers
  for (const ListedContainer& container : ParseListedContainers(*output)) {
    Result<std::string> name = AttemptName(container.key);
    Journal* journal = name.ok() ? FindJournalOf(*name) : nullptr;
    const JournalEntry* entry = journal ? journal->reader->parsed().Find(*name) : nullptr;
    if (journal && !journal->reader->dead() && entry && !entry->exit) continue;
    RemoveContainer(container.name);
  }
}

void LocalExecutor::RemoveContainer(const std::string& container_name) {
  std::vector<std::string> rm = PodmanPrefix(podman_);
  for (const char* arg : {"rm", "--force", "--time=0"}) rm.push_back(arg);
  rm.push_back(container_name);
  [[maybe_unused]] Result<std::string> removed = RunForOutput(rm);
}

LocalExecutor::Journal* LocalExecutor::LoadJournal(const std::string& supervisor) {
  if (supervisor.empty()) return nullptr;
  auto it = journals_.find(supervisor);
  if (it != journals_.end()) {
    [[maybe_unused]] Status refreshed = it->second->reader->Refresh();
    it->second->reader->TryTakeLocks();
    return it->second.get();
  }
  Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(root_, supervisor);
  if (!reader.ok()) return nullptr;
  auto journal = std::make_unique<Journal>();
  journal->reader = std::move(*reader);
  return (journals_[supervisor] = std::move(journal)).get();
}

LocalExecutor::Journal* LocalExecutor::FindJournalOf(const std::string& name) {
  for (auto& [supervisor, journal] : journals_) {
    if (journal->reader->parsed().Find(name) != nullptr) return journal.get();
  }
  return nullptr;
}

// A supervisor that may still read launches of the server that preceded us (not `detached`, and
// alive) could still start any attempt: wait (at start-up, blocking) until it has read them all.
bool LocalExecutor::WaitUntilDetached(Journal& journal) {
  const int64_t deadline = SteadyMs() + kDetachWaitMs;
  JournalReader& reader = *journal.reader;
  while (!reader.parsed().detached() && !reader.TryTakeLocks()) {
    if (journal.undecided || SteadyMs() > deadline) {
      journal.undecided = true;  // waited once: the other attempts do not wait again
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    [[maybe_unused]] Status refreshed = reader.Refresh();
  }
  return true;
}

AdoptResult LocalExecutor::Adopt(const AttemptKey& key) {
  Result<std::string> name = AttemptName(key);
  if (!name.ok()) return AdoptResult::kNeverStarted;
  if (watches_.count(*name) != 0) return AdoptResult::kRunning;
  EnsureScanned();
  Journal* journal = FindJournalOf(*name);
  std::string undecided;
  if (journal == nullptr) {
    for (auto& [supervisor, candidate] : journals_) {
      if (!WaitUntilDetached(*candidate)) undecided = supervisor;
    }
    journal = FindJournalOf(*name);
  }
  if (journal != nullptr) return AdoptFromJournal(key, *name, *journal);
  if (!undecided.empty()) {
    PostOutcome(key, Lost("cannot tell whether the attempt was started: nightshift-supervisor " +
                          undecided + " of an earlier server has not recorded that it detached"));
    return AdoptResult::kExited;
  }
  return AdoptLegacy(key, *name);
}

std::vector<AttemptKey> LocalExecutor::UnclaimedLaunches() {
  EnsureScanned();
  for (auto& [supervisor, journal] : journals_) WaitUntilDetached(*journal);
  std::vector<AttemptKey> keys;
  for (const auto& [supervisor, journal] : journals_) {
    for (const auto& [name, entry] : journal->reader->parsed().attempts()) {
      if (journal->adopted.count(name) || journal->held.count(name)) continue;
      if (std::optional<AttemptKey> key = ParseAttemptName(name)) keys.push_back(std::move(*key));
    }
  }
  return keys;
}

void LocalExecutor::Hold(const AttemptKey& key) {
  Result<std::string> name = AttemptName(key);
  if (!name.ok()) return;
  if (Journal* journal = FindJournalOf(*name)) journal->held.insert(*name);
}

void LocalExecutor::Disown(const AttemptKey& key) {
  Result<std::string> name = AttemptName(key);
  if (!name.ok()) return;
  Journal* journal = FindJournalOf(*name);
  if (journal == nullptr) return;
  journal->held.erase(*name);
  TerminateOrphan(*name, kDefaultGraceMs);
}

AdoptResult LocalExecutor::AdoptFromJournal(const AttemptKey& key, const std::string& name,
                                            Journal& journal) {
  journal.adopted.insert(name);  // its journal is kept until the outcome is reported
  adopted_from_[name] = &journal;
  JournalReader& reader = *journal.reader;
  // Once detached, a supervisor starts no new segment: watching its last one is enough. (One
  // that never detaches is still watched: its exit then closes the segment we watch.)
  if (!reader.dead()) WaitUntilDetached(journal);
  if (!reader.dead()) {
    Status watching = WatchJournal(journal);
    if (!watching.ok()) {
      PostOutcome(key, Lost("cannot watch the journal of the running attempt " + name + ": " +
                            watching.message()));
      return AdoptResult::kExited;
    }
    [[maybe_unused]] Status refreshed = reader.Refresh();  // what it wrote before the watch
    const JournalEntry* entry = reader.parsed().Find(name);
    if (!entry->exit && !reader.TryTakeLocks()) {
      watches_[name] = Watch{key, nullptr};
      return AdoptResult::kRunning;
    }
  }
  PostOutcome(key, Conclude(journal, name, "nightshift-supervisor " + reader.supervisor() +
                                               " died without recording the job's outcome"));
  return AdoptResult::kExited;
}

// The outcome of an attempt in a journal: the recorded one; else (its supervisor died without
// one) kLost, after killing what is left of the job's process group and, for a supervisor known
// dead, appending the lost record, so that whoever asks again gets the same answer.
core::AttemptOutcome LocalExecutor::Conclude(Journal& journal, const std::string& name,
                                             std::string why_lost) {
  JournalReader& reader = *journal.reader;
  const JournalEntry* entry = reader.parsed().Find(name);
  if (entry != nullptr && entry->exit) return RecordedOutcome(*entry->exit, reader.last_segment_path());
  KillOrphanedGroup(entry ? entry->job_pid : std::nullopt, &why_lost);
  // A container outlives its killed podman run: remove it (nothing to do for a host job).
  if (std::optional<AttemptKey> key = ParseAttemptName(name); key && reader.dead()) {
    RemoveContainer(ContainerNameOf(*key));
  }
  ExitRecord record;
  record.outcome = Lost(std::move(why_lost));
  if (reader.dead()) {
    Status written = reader.Append(FormatExitJournalRecord(name, record));
    if (!written.ok()) record.outcome.message += "; journal: " + written.message();
  }
  return record.outcome;
}

// The previous layout's attempt dir, read only: a finished attempt's outcome is reported; a job
// whose supervisor died is lost (its group killed); one still running under an old supervisor too.
AdoptResult LocalExecutor::AdoptLegacy(const AttemptKey& key, const std::string& name) {
  const std::string path = LegacyStatePath(root_, name);
  Result<UniqueFd> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok() && fd.status().code() == StatusCode::kNotFound) return AdoptResult::kNeverStarted;
  if (!fd.ok()) {
    PostOutcome(key, Lost("cannot adopt the attempt: " + fd.status().message()));
    return AdoptResult::kExited;
  }
  if (!TryLock(fd->get())) {
    PostOutcome(key, Lost(path + ": still running under a nightshift-supervisor of an earlier "
                                 "version, which this server cannot follow"));
    return AdoptResult::kExited;
  }
  Result<std::string> text = ReadSmallFileAt(fd->get());
  if (!text.ok()) {
    PostOutcome(key, Lost("cannot read " + path + ": " + text.status().message()));
    return AdoptResult::kExited;
  }
  AttemptState state = ParseAttemptState(*text);
  if (!state.job_pid && !state.exit) return AdoptResult::kNeverStarted;
  if (state.exit) {
    PostOutcome(key, RecordedOutcome(*state.exit, path));
    return AdoptResult::kExited;
  }
  std::string why = "nightshift-supervisor died without recording the job's outcome";
  KillOrphanedGroup(state.job_pid, &why);
  PostOutcome(key, Lost(std::move(why)));
  return AdoptResult::kExited;
}

// Watches the journal's last segment: its supervisor appends outcomes there (it starts no new
// segment once detached) and closes it when it exits.
Status LocalExecutor::WatchJournal(Journal& journal) {
  if (journal.wd >= 0) return Status::Ok();
  NS_RETURN_IF_ERROR(EnsureInotify());
  int wd = ::inotify_add_watch(inotify_->stream.native_handle(),
                               journal.reader->last_segment_path().c_str(), IN_MODIFY | IN_CLOSE_WRITE);
  if (wd < 0) return ErrnoStatus("inotify_add_watch " + journal.reader->last_segment_path());
  journal.wd = wd;
  journal_by_wd_[wd] = &journal;
  return Status::Ok();
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

// A watched journal was appended to or closed. A supervisor that dies closes its journal without
// unlocking, and the kernel reports the close an instant before it drops the lock, so a journal
// still locked after a close is checked again shortly.
void LocalExecutor::ReadInotify() {
  alignas(inotify_event) char buf[16 * 1024];
  std::set<Journal*> changed;
  bool closed = false;
  while (true) {
    ssize_t n = ::read(inotify_->stream.native_handle(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      auto it = journal_by_wd_.find(event->wd);
      if (it != journal_by_wd_.end()) changed.insert(it->second);
      closed = closed || (event->mask & IN_CLOSE_WRITE) != 0;
    }
  }
  bool still_running = false;
  for (Journal* journal : changed) still_running = CollectAdopted(*journal) || still_running;
  if (!closed || !still_running || inotify_->recheck_armed) return;
  inotify_->recheck_armed = true;
  inotify_->recheck.expires_after(std::chrono::milliseconds(50));
  inotify_->recheck.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        inotify_->recheck_armed = false;
        RecheckJournals();
      });
}

void LocalExecutor::RecheckJournals() {
  std::vector<Journal*> watched;
  for (auto& [wd, journal] : journal_by_wd_) watched.push_back(journal);
  for (Journal* journal : watched) CollectAdopted(*journal);
}

// Reports the adopted attempts of the journal that have an outcome now, and all of them (kLost
// for those without) once its supervisor is gone. True if some are still running.
bool LocalExecutor::CollectAdopted(Journal& journal) {
  JournalReader& reader = *journal.reader;
  [[maybe_unused]] Status refreshed = reader.Refresh();
  const bool dead = reader.TryTakeLocks();  // reads what it wrote before it exited, if so
  std::vector<std::pair<std::string, AttemptKey>> done;
  for (const auto& [name, watch] : watches_) {
    if (watch.link != nullptr || adopted_from_.count(name) == 0 || adopted_from_[name] != &journal) continue;
    const JournalEntry* entry = reader.parsed().Find(name);
    if (dead || (entry != nullptr && entry->exit)) done.emplace_back(name, watch.key);
  }
  for (const auto& [name, key] : done) {
    watches_.erase(name);
    Report(key, Conclude(journal, name, "nightshift-supervisor " + reader.supervisor() +
                                            " ended without recording the job's outcome"));
  }
  if (dead && journal.wd >= 0) {
    ::inotify_rm_watch(inotify_->stream.native_handle(), journal.wd);
    journal_by_wd_.erase(journal.wd);
    journal.wd = -1;
  }
  return !dead;
}

std::string SupervisorBesideThisProgram() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (ec ? fs::path("nightshift-supervisor") : self.parent_path() / "nightshift-supervisor")
      .string();
}

std::string LocalExecutor::LogPath(const AttemptKey& key) const {
  Result<std::string> name = AttemptName(key);
  if (!name.ok()) return "";
  std::string path = LogPathOf(root_, *name);
  if (::access(path.c_str(), F_OK) != 0) {
    std::string legacy = LegacyLogPath(root_, *name);
    if (::access(legacy.c_str(), F_OK) == 0) return legacy;
  }
  return path;
}

}  // namespace nightshift::exec
