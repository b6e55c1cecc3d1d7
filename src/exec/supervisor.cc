#include "exec/supervisor.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "exec/attempt_cgroup.h"
#include "exec/exit_record.h"
#include "exec/journal.h"
#include "exec/journal_writer.h"
#include "exec/local_layout.h"
#include "exec/log_writer.h"
#include "exec/packet_socket.h"
#include "exec/podman_command.h"
#include "exec/posix_util.h"
#include "exec/spawn.h"
#include "exec/supervisor_protocol.h"
#include "util/clock.h"

namespace nightshift::exec {
namespace {

using Kind = core::AttemptOutcome::Kind;

constexpr size_t kReadChunk = size_t{64} * 1024;
constexpr int kMaxEvents = 64;
// execvp's default when the job's environment has no PATH.
constexpr const char* kDefaultSearchPath = "/bin:/usr/bin";
// A container's podman's stderr kept to find podman's own error, which it prints last.
constexpr size_t kStderrTailBytes = 4096;
// After `podman kill` at the end of the grace period, how long podman run may take to return
// before its process group is killed and the container removed by force.
constexpr int64_t kContainerForceMs = 10'000;

TimeMs NowMs() { return SystemClock().NowMs(); }

int64_t MonotonicMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

int64_t MaxRssKb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
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

std::string SearchPathOf(const std::vector<std::string>& environment) {
  for (const std::string& var : environment) {
    if (var.rfind("PATH=", 0) == 0) return var.substr(5);
  }
  return kDefaultSearchPath;
}

// One attempt, from its launch to its exit record.
class Attempt {
 public:
  Attempt(const std::string& root, LaunchMessage launch, JournalWriter* journal)
      : root_(root), launch_(std::move(launch)), journal_(journal), log_(LogPathOf(root, launch_.attempt)) {}

  // Starts the job. On failure the attempt is over at once (Done()), with a spawn_failed outcome.
  void Start(int dev_null);
  // Ends the attempt at once with a spawn_failed outcome, without starting anything.
  void FailToStart(const std::string& message) {
    outcome_.started_at = NowMs();
    SpawnFailed(message);
  }

  const std::string& name() const { return launch_.attempt; }
  // Its `launch` and `job` records, for a new journal segment.
  std::string CarriedRecords() const;
  std::optional<pid_t> pid() const { return pid_; }
  int pipe_fd(int index) const { return pipes_[index].get(); }
  bool Done() const { return exited_ && !pipes_[0].valid() && !pipes_[1].valid(); }

  // The pipe is readable (or at EOF).
  void ReadPipe(int index, char* buf, size_t size);
  // The job's main process was reaped with this wait status.
  void Exited(int wait_status);
  void Terminate(std::optional<int64_t> grace_ms);
  std::optional<int64_t> NextDeadline() const;
  void CheckDeadlines(int64_t now);

  // Flushes the log and returns the outcome's exit record.
  ExitRecord Finish();

 private:
  static LogStream StreamOf(int index) {
    return index == 0 ? LogStream::kStdout : LogStream::kStderr;
  }
  void ClosePipe(int index);
  void SpawnFailed(const std::string& message);
  [[nodiscard]] Status MakeRunAsDir() const;
  // Container attempts (launch_.container set).
  [[nodiscard]] Status PrepareContainer();
  void RunPodman(std::vector<std::string> args);
  void ContainerExited(int wait_status);

  const std::string& root_;
  LaunchMessage launch_;
  JournalWriter* journal_;
  LogWriter log_;
  UniqueFd pipes_[2];
  std::optional<pid_t> pid_;
  bool exited_ = false;
  core::AttemptOutcome outcome_;
  std::string termination_;             // what we did to stop the job, for the outcome message
  std::optional<int64_t> kill_at_;      // monotonic ms: SIGKILL the job's group then
  std::optional<int64_t> drain_until_;  // monotonic ms: stop waiting for pipe EOF then
  std::optional<int64_t> force_at_;     // container: kill podman's group and rm the container then
  std::string stderr_tail_;             // container: the end of podman's stderr
  bool stopped_by_us_ = false;          // container: terminate or timeout signalled it
  int dev_null_ = -1;
};

void Attempt::Start(int dev_null) {
  outcome_.started_at = NowMs();
  dev_null_ = dev_null;
  if (launch_.make_run_as_dir && launch_.run_as) {
    if (Status made = MakeRunAsDir(); !made.ok()) return SpawnFailed(made.message());
  }
  if (launch_.container) {
    if (Status prepared = PrepareContainer(); !prepared.ok()) return SpawnFailed(prepared.message());
  }
  Result<Pipe> out = MakePipe();
  Result<Pipe> err = out.ok() ? MakePipe() : Result<Pipe>(out.status());
  if (!err.ok()) return SpawnFailed(err.status().message());
  SpawnOptions options;
  options.new_process_group = true;
  options.search_path = SearchPathOf(launch_.environment);
  options.working_dir = launch_.working_dir;
  options.run_as = launch_.run_as;
  options.fds = {{0, dev_null}, {1, out->write.get()}, {2, err->write.get()}};
  // Our own dispositions differ from the default only for these, and we have no handlers (our
  // signals come from a signalfd).
  options.signals_to_default = {SIGHUP, SIGPIPE};
  options.no_signal_handlers = true;
  std::vector<char*> envp;
  envp.reserve(launch_.environment.size() + 1);
  for (std::string& var : launch_.environment) envp.push_back(var.data());
  envp.push_back(nullptr);
  Result<pid_t> job = Spawn(launch_.argv, envp.data(), options);
  if (!job.ok()) return SpawnFailed(job.status().message());
  pid_ = *job;
  pipes_[0] = std::move(out->read);
  pipes_[1] = std::move(err->read);
  Status recorded = journal_->Append(FormatJobRecord(name(), *job));
  if (!recorded.ok()) log_.Note(NowMs(), "nightshift: journal: " + recorded.message());
}

// The run-as user's working dir, in a dir closed to others so that its cwd gives no way up.
Status Attempt::MakeRunAsDir() const {
  const std::string dir = RunAsDirOf(root_, name());
  const std::string work = RunAsWorkDirOf(root_, name());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
  if (::chmod(dir.c_str(), 0700) != 0) return ErrnoStatus("chmod " + dir);
  if (::mkdir(work.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + work);
  if (::chown(work.c_str(), launch_.run_as->uid, launch_.run_as->gid) != 0) {
    return ErrnoStatus("chown " + work);
  }
  return Status::Ok();
}

Status Attempt::PrepareContainer() {
  const ContainerControl& c = *launch_.container;
  if (c.cgroup_parent.empty()) return Status::Ok();
  Status made = CreateAttemptCgroup(c.cgroup_root, c.cgroup_parent, c.memory_limit_bytes);
  if (!made.ok()) return Status::Internal("cannot set the container's memory limit: " + made.message());
  return Status::Ok();
}

// `podman <args>` for the attempt's container, in the background: nobody waits for it (Reap
// collects it), and its output is dropped. Its failure (the container is gone already) is harmless.
void Attempt::RunPodman(std::vector<std::string> args) {
  std::vector<std::string> argv = launch_.container->podman;
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions options;
  options.new_process_group = true;
  options.search_path = SearchPathOf(launch_.environment);
  options.fds = {{0, dev_null_}, {1, -1}, {2, -1}};
  options.signals_to_default = {SIGHUP, SIGPIPE};
  options.no_signal_handlers = true;
  std::vector<char*> envp;
  for (std::string& var : launch_.environment) envp.push_back(var.data());
  envp.push_back(nullptr);
  if (!Spawn(argv, envp.data(), options).ok()) {
    log_.Note(NowMs(), "nightshift: cannot run podman " + args.front() + " for the container");
  }
}

// podman run has returned: its exit code is the container's, unless podman says it failed itself;
// an exit 137 at the memory limit is AWS's OutOfMemoryError.
void Attempt::ContainerExited(int wait_status) {
  const ContainerControl& c = *launch_.container;
  if (WIFSIGNALED(wait_status)) {
    RunPodman({"rm", "--force", "--time=0", c.name});  // podman was killed: the container may live on
    return;
  }
  PodmanExit exit;
  exit.exit_code = WEXITSTATUS(wait_status);
  exit.stderr_tail = stderr_tail_;
  exit.stopped_by_us = stopped_by_us_;
  if (!c.cgroup_parent.empty()) {
    exit.memory_limit_hit = AttemptCgroupHitLimit(c.cgroup_root, c.cgroup_parent, c.memory_limit_bytes);
    RemoveAttemptCgroup(c.cgroup_root, c.cgroup_parent);
  } else {
    exit.memory_flag_mode = c.memory_limit_bytes > 0;
  }
  core::AttemptOutcome decoded = DecodePodmanExit(exit);
  outcome_.kind = decoded.kind;
  outcome_.exit_code = decoded.exit_code;
  outcome_.message = decoded.message;
  outcome_.reason = decoded.reason;
}

std::string Attempt::CarriedRecords() const {
  std::string records = FormatLaunchRecord(name());
  if (pid_) records += FormatJobRecord(name(), *pid_);
  return records;
}

void Attempt::SpawnFailed(const std::string& message) {
  outcome_.kind = Kind::kSpawnFailed;
  outcome_.message = message;
  outcome_.stopped_at = NowMs();
  log_.Note(outcome_.stopped_at, "nightshift: " + message);
  exited_ = true;
}

void Attempt::ReadPipe(int index, char* buf, size_t size) {
  ssize_t n = RetryEintr([&] { return ::read(pipes_[index].get(), buf, size); });
  if (n > 0) {
    if (index == 1 && launch_.container) {
      stderr_tail_.append(buf, static_cast<size_t>(n));
      if (stderr_tail_.size() > kStderrTailBytes) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
    }
    log_.Append(StreamOf(index), NowMs(), std::string_view(buf, static_cast<size_t>(n)));
    log_.Flush();
  } else if (n == 0 || errno != EAGAIN) {
    ClosePipe(index);
  }
}

void Attempt::ClosePipe(int index) {
  log_.FinishStream(StreamOf(index), NowMs());
  pipes_[index].reset();  // also removes it from the epoll set: we hold its only fd
}

void Attempt::Exited(int wait_status) {
  outcome_.stopped_at = NowMs();
  if (WIFSIGNALED(wait_status)) {
    outcome_.kind = Kind::kSignaled;
    outcome_.signal = WTERMSIG(wait_status);
  } else {
    outcome_.kind = Kind::kExited;
    outcome_.exit_code = WEXITSTATUS(wait_status);
  }
  if (launch_.container) ContainerExited(wait_status);
  exited_ = true;
  kill_at_.reset();
  force_at_.reset();
  drain_until_ = MonotonicMs() + kDrainAfterExitMs;
}

void Attempt::Terminate(std::optional<int64_t> grace_ms) {
  if (exited_ || !pid_) return;
  int64_t grace = std::max<int64_t>(0, grace_ms.value_or(launch_.grace_ms));
  if (launch_.container) {
    ::kill(*pid_, SIGTERM);  // podman run passes it on to the container's main process
    stopped_by_us_ = true;
    log_.Note(NowMs(), "nightshift: SIGTERM sent to the container, grace " + std::to_string(grace) + " ms");
  } else {
    ::kill(-*pid_, SIGTERM);
    log_.Note(NowMs(), "nightshift: SIGTERM sent to the job's process group, grace " +
                           std::to_string(grace) + " ms");
  }
  log_.Flush();
  if (termination_.empty()) termination_ = "terminated: SIGTERM sent";
  int64_t deadline = MonotonicMs() + grace;
  if (!kill_at_ || deadline < *kill_at_) kill_at_ = deadline;
}

std::optional<int64_t> Attempt::NextDeadline() const {
  std::optional<int64_t> next = kill_at_;
  if (force_at_ && (!next || *force_at_ < *next)) next = force_at_;
  if (drain_until_ && (pipes_[0].valid() || pipes_[1].valid()) &&
      (!next || *drain_until_ < *next)) {
    next = drain_until_;
  }
  return next;
}

void Attempt::CheckDeadlines(int64_t now) {
  if (kill_at_ && now >= *kill_at_ && launch_.container) {
    RunPodman({"kill", "--signal=KILL", launch_.container->name});
    log_.Note(NowMs(), "nightshift: grace period over, SIGKILL sent to the container");
    termination_ = "terminated: SIGKILL sent after the grace period";
    kill_at_.reset();
    force_at_ = now + kContainerForceMs;
  } else if (kill_at_ && now >= *kill_at_) {
    ::kill(-*pid_, SIGKILL);
    log_.Note(NowMs(), "nightshift: grace period over, SIGKILL sent to the job's process group");
    termination_ = "terminated: SIGKILL sent after the grace period";
    kill_at_.reset();
  }
  if (force_at_ && now >= *force_at_) {
    ::kill(-*pid_, SIGKILL);  // podman run did not return: its container is removed when it is reaped
    log_.Note(NowMs(), "nightshift: podman did not return after the kill; killed it");
    force_at_.reset();
  }
  if (drain_until_ && now >= *drain_until_ && (pipes_[0].valid() || pipes_[1].valid())) {
    log_.Note(NowMs(),
              "nightshift: output still held open by processes outside the job's process "
              "group; stopped reading");
    for (int i = 0; i < 2; ++i) {
      if (pipes_[i].valid()) ClosePipe(i);
    }
  }
}

ExitRecord Attempt::Finish() {
  log_.Flush();
  ExitRecord record;
  record.outcome = outcome_;
  if (!termination_.empty() && record.outcome.message.empty()) {
    record.outcome.message = termination_;
  }
  if (!log_.error().empty()) {
    record.outcome.message += (record.outcome.message.empty() ? "" : "; ") + log_.error() + ", " +
                              std::to_string(log_.dropped_bytes()) + " bytes of output lost";
  }
  record.supervisor_max_rss_kb = MaxRssKb();
  return record;
}

// The event loop: the control socket, the signals and every attempt's pipes.
class Loop {
 public:
  Status Init(const SupervisorOptions& options);
  void Run();

 private:
  // epoll data: (serial << 2) | tag.
  enum Tag : uint64_t { kControl = 0, kSignals = 1, kStdout = 2, kStderr = 3 };

  bool Finished() const { return !control_.valid() && attempts_.empty(); }
  int TimeoutMs() const;
  void Dispatch(const epoll_event& event);
  void ReadControl();
  void OnMessage(const std::string& packet);
  void Launch(LaunchMessage launch);
  void MaintainJournal();
  void Reap();
  void ReadSignals();
  void CheckDeadlines();
  void FinishDone();
  void Send(std::string packet);
  void Flush();
  void CloseControl();
  void Watch(int fd, uint64_t data, uint32_t events);

  std::string root_;
  std::unique_ptr<JournalWriter> journal_;
  uint64_t ended_seq_ = 0;      // of the last ended message
  uint64_t committed_seq_ = 0;  // the server's, from its last launch
  UniqueFd epoll_;
  UniqueFd signals_;
  UniqueFd control_;
  UniqueFd dev_null_;
  bool want_write_ = false;
  std::deque<std::string> out_;
  uint64_t next_serial_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Attempt>> attempts_;
  std::unordered_map<std::string, uint64_t> by_name_;
  std::unordered_map<pid_t, uint64_t> by_pid_;
  std::vector<uint64_t> touched_;  // attempts that may be done after this turn
  std::vector<char> receive_buffer_ = std::vector<char>(kMaxMessageBytes);
  std::string packet_;
  char buf_[kReadChunk];
};

Status Loop::Init(const SupervisorOptions& options) {
  ::close_range(kSupervisorControlFd + 1, ~0U, 0);  // whatever the server leaked
  if (::fcntl(kSupervisorControlFd, F_SETFD, FD_CLOEXEC) != 0) {
    return ErrnoStatus("control socket (fd 3)");
  }
  control_.reset(kSupervisorControlFd);
  root_ = options.root;
  std::string name = std::to_string(::getpid()) + "-" + std::to_string(NowMs());
  Result<std::unique_ptr<JournalWriter>> journal =
      JournalWriter::Create(root_, name, options.rotate_records);
  if (!journal.ok()) return journal.status();
  journal_ = std::move(*journal);
  const std::string work = SharedWorkDirOf(root_);
  if (::mkdir(work.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + work);
  Send(EncodeMessage(HelloMessage{std::move(name)}));
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return ErrnoStatus("sigprocmask");
  signals_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_.valid()) return ErrnoStatus("signalfd");
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) return ErrnoStatus("epoll_create1");
  Result<UniqueFd> dev_null = OpenFile("/dev/null", O_RDONLY);
  if (dev_null.ok()) dev_null_ = std::move(*dev_null);  // else Spawn opens it each time
  Watch(control_.get(), kControl, EPOLLIN);
  Watch(signals_.get(), kSignals, EPOLLIN);
  Flush();  // the hello
  return Status::Ok();
}

void Loop::Watch(int fd, uint64_t data, uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = data;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
}

void Loop::Run() {
  epoll_event events[kMaxEvents];
  while (!Finished()) {
    int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, TimeoutMs());
    for (int i = 0; i < n; ++i) Dispatch(events[i]);
    CheckDeadlines();
    FinishDone();
    Flush();
    MaintainJournal();
  }
}

// After the turn's messages are sent: journal housekeeping is off the path of every launch and
// exit. No rotation once detached: a server adopting our attempts reads only the last segment.
void Loop::MaintainJournal() {
  if (control_.valid() && journal_->WantsRotation()) {
    std::string carried;
    for (const auto& [serial, attempt] : attempts_) carried += attempt->CarriedRecords();
    [[maybe_unused]] Status rotated = journal_->Rotate(carried);  // else: retried next turn
  }
  journal_->Release(committed_seq_);
}

int Loop::TimeoutMs() const {
  std::optional<int64_t> next;
  for (const auto& [serial, attempt] : attempts_) {
    std::optional<int64_t> deadline = attempt->NextDeadline();
    if (deadline && (!next || *deadline < *next)) next = deadline;
  }
  if (!next) return -1;
  return static_cast<int>(std::clamp<int64_t>(*next - MonotonicMs(), 0, 60'000));
}

void Loop::Dispatch(const epoll_event& event) {
  uint64_t tag = event.data.u64 & 3;
  if (tag == kControl) {
    if ((event.events & EPOLLOUT) != 0) Flush();
    if ((event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) ReadControl();
    return;
  }
  if (tag == kSignals) return ReadSignals();
  uint64_t serial = event.data.u64 >> 2;
  auto it = attempts_.find(serial);
  if (it == attempts_.end()) return;
  it->second->ReadPipe(tag == kStdout ? 0 : 1, buf_, sizeof buf_);
  touched_.push_back(serial);
}

void Loop::ReadControl() {
  while (control_.valid()) {
    UniqueFd passed;  // none is ever sent; a stray one is closed
    Received got = ReceivePacket(control_.get(), receive_buffer_, &packet_, &passed);
    if (got == Received::kWouldBlock) return;
    if (got == Received::kClosed) return CloseControl();
    OnMessage(packet_);
  }
}

void Loop::OnMessage(const std::string& packet) {
  Result<ToSupervisor> message = DecodeToSupervisor(packet);
  if (!message.ok()) return;  // a server of another version; nothing we could answer
  if (auto* launch = std::get_if<LaunchMessage>(&*message)) {
    if (launch->argv.empty()) return;  // the server never sends these
    return Launch(std::move(*launch));
  }
  const auto& terminate = std::get<TerminateMessage>(*message);
  auto it = by_name_.find(terminate.attempt);
  if (it != by_name_.end()) attempts_.at(it->second)->Terminate(terminate.grace_ms);
}

// The launch is in the journal before the job starts: a server adopting after a crash finds every
// attempt that may have a process.
void Loop::Launch(LaunchMessage launch) {
  committed_seq_ = std::max(committed_seq_, launch.committed_seq);
  if (by_name_.count(launch.attempt) != 0) return;  // the server never sends these
  uint64_t serial = next_serial_++;
  auto attempt = std::make_unique<Attempt>(root_, std::move(launch), journal_.get());
  Status recorded = journal_->Append(FormatLaunchRecord(attempt->name()));
  if (!recorded.ok()) {
    attempt->FailToStart("journal: " + recorded.message());
  } else {
    attempt->Start(dev_null_.get());
  }
  if (std::optional<pid_t> pid = attempt->pid()) {
    by_pid_[*pid] = serial;
    Watch(attempt->pipe_fd(0), (serial << 2) | kStdout, EPOLLIN);
    Watch(attempt->pipe_fd(1), (serial << 2) | kStderr, EPOLLIN);
  }
  by_name_[attempt->name()] = serial;
  attempts_[serial] = std::move(attempt);
  touched_.push_back(serial);
}

void Loop::ReadSignals() {
  signalfd_siginfo info;
  bool child = false;
  while (RetryEintr([&] { return ::read(signals_.get(), &info, sizeof info); }) == sizeof info) {
    if (info.ssi_signo == SIGCHLD) {
      child = true;
    } else {
      for (auto& [serial, attempt] : attempts_) attempt->Terminate(std::nullopt);
    }
  }
  if (child) Reap();
}

// Reaps every exited job. Before reaping (WNOWAIT), the rest of its process group is killed: the
// zombie keeps the group id from being reused meanwhile.
void Loop::Reap() {
  while (true) {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    pid_t pid = info.si_pid;
    auto it = by_pid_.find(pid);
    if (it != by_pid_.end()) ::kill(-pid, SIGKILL);
    int status = 0;
    RetryEintr([&] { return ::waitpid(pid, &status, 0); });
    if (it == by_pid_.end()) continue;
    attempts_.at(it->second)->Exited(status);
    touched_.push_back(it->second);
    by_pid_.erase(it);
  }
}

void Loop::CheckDeadlines() {
  int64_t now = MonotonicMs();
  for (auto& [serial, attempt] : attempts_) {
    std::optional<int64_t> deadline = attempt->NextDeadline();
    if (!deadline || now < *deadline) continue;
    attempt->CheckDeadlines(now);
    touched_.push_back(serial);
  }
}

void Loop::FinishDone() {
  for (uint64_t serial : touched_) {
    auto it = attempts_.find(serial);
    if (it == attempts_.end() || !it->second->Done()) continue;
    std::string name = it->second->name();
    ExitRecord record = it->second->Finish();
    // One write: a reader never sees half a record. Without a server nobody waits for `ended`.
    const uint64_t seq = ++ended_seq_;
    [[maybe_unused]] Status written = journal_->AppendExit(FormatExitJournalRecord(name, record), seq);
    by_name_.erase(name);
    attempts_.erase(it);
    if (control_.valid()) Send(EncodeMessage(EndedMessage{std::move(name), seq, FormatExitRecord(record)}));
  }
  touched_.clear();
}

void Loop::Send(std::string packet) { out_.push_back(std::move(packet)); }

// Sends what is queued; waits for EPOLLOUT while the server's queue is full.
void Loop::Flush() {
  while (control_.valid() && !out_.empty()) {
    int err = SendPacket(control_.get(), out_.front());
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) break;
    if (err != 0) return CloseControl();  // the server is gone: its successor reads the files
    out_.pop_front();
  }
  bool want_write = control_.valid() && !out_.empty();
  if (want_write == want_write_ || !control_.valid()) return;
  want_write_ = want_write;
  epoll_event event{};
  event.events = want_write ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  event.data.u64 = kControl;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, control_.get(), &event);
}

void Loop::CloseControl() {
  control_.reset();  // also leaves the epoll set
  out_.clear();
  // Every launch of the server is recorded above: an adopting server may now conclude that an
  // attempt it cannot find in any journal was never started.
  [[maybe_unused]] Status written = journal_->Append(FormatDetachedRecord());
}

}  // namespace

int RunSupervisor(const SupervisorOptions& options) {
  Loop loop;
  if (!loop.Init(options).ok()) return 2;
  loop.Run();
  return 0;
}

}  // namespace nightshift::exec
