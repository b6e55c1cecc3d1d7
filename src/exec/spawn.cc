#include "exec/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

// posix_spawn attributes and file actions, destroyed on scope exit.
class SpawnState {
 public:
  SpawnState() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnState() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnState(const SpawnState&) = delete;
  SpawnState& operator=(const SpawnState&) = delete;

  // Returns 0 or an errno value.
  int Configure(const SpawnOptions& options);
  posix_spawnattr_t* attr() { return &attr_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }

 private:
  int AddFd(const ChildFd& fd);

  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

int SpawnState::Configure(const SpawnOptions& options) {
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.new_session) flags |= POSIX_SPAWN_SETSID;
  if (options.new_process_group) flags |= POSIX_SPAWN_SETPGROUP;
  sigset_t to_default, none;
  sigemptyset(&none);
  if (options.signals_to_default.empty()) sigfillset(&to_default);
  if (!options.signals_to_default.empty()) sigemptyset(&to_default);
  for (int sig : options.signals_to_default) sigaddset(&to_default, sig);
  if (int err = posix_spawnattr_setflags(&attr_, flags)) return err;
  if (int err = posix_spawnattr_setsigdefault(&attr_, &to_default)) return err;
  if (int err = posix_spawnattr_setsigmask(&attr_, &none)) return err;
  if (int err = posix_spawnattr_setpgroup(&attr_, 0)) return err;
  for (const ChildFd& fd : options.fds) {
    if (int err = AddFd(fd)) return err;
  }
  if (!options.working_dir.empty()) {
    return posix_spawn_file_actions_addchdir_np(&actions_, options.working_dir.c_str());
  }
  return 0;
}

int SpawnState::AddFd(const ChildFd& fd) {
  if (fd.parent_fd >= 0)
    return posix_spawn_file_actions_adddup2(&actions_, fd.parent_fd, fd.child_fd);
  int flags = fd.child_fd == 0 ? O_RDONLY : O_WRONLY;
  return posix_spawn_file_actions_addopen(&actions_, fd.child_fd, "/dev/null", flags, 0);
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// execvp's search: each PATH entry in order (an empty one is the working directory); ENOENT if no
// entry has the program, EACCES if one has it but it is not executable.
Result<std::string> FindProgram(const std::string& name, const std::string& path) {
  if (name.find('/') != std::string::npos) return name;
  bool seen = false;
  size_t begin = 0;
  while (true) {
    size_t end = path.find(':', begin);
    std::string dir = path.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    seen = seen || ::access(candidate.c_str(), F_OK) == 0;
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return ErrnoStatus("exec " + name, seen ? EACCES : ENOENT);
}

// A failed chdir in the child is reported as an exec failure would be: tell them apart after.
Status CheckWorkingDir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus("chdir " + dir);
  if (!S_ISDIR(st.st_mode)) return ErrnoStatus("chdir " + dir, ENOTDIR);
  return Status::Ok();
}

// What failed in a forked child (ForkExec), reported through a pipe.
enum class ChildStage : int { kSetup, kRunAs, kChdir, kExec };

struct ChildFailure {
  ChildStage stage;
  int err;
};

// Everything the forked child needs, prepared before the fork: it only makes system calls.
struct ChildPlan {
  const char* program;
  char* const* argv;
  char* const* envp;
  const SpawnOptions* options;
  std::vector<int> signals_to_default;
  int report_fd;
};

[[noreturn]] void ChildFail(int report_fd, ChildStage stage) {
  const ChildFailure failure{stage, errno};
  [[maybe_unused]] ssize_t n = ::write(report_fd, &failure, sizeof failure);
  ::_exit(127);
}

void ChildSetUpFds(const ChildPlan& plan) {
  for (const ChildFd& fd : plan.options->fds) {
    int source = fd.parent_fd;
    if (source < 0) source = ::open("/dev/null", fd.child_fd == 0 ? O_RDONLY : O_WRONLY);
    if (source < 0) ChildFail(plan.report_fd, ChildStage::kSetup);
    // dup2 onto itself keeps FD_CLOEXEC: clear it, as posix_spawn's dup2 action does.
    const int done = source == fd.child_fd ? ::fcntl(source, F_SETFD, 0) : ::dup2(source, fd.child_fd);
    if (done < 0) ChildFail(plan.report_fd, ChildStage::kSetup);
    if (fd.parent_fd < 0 && source != fd.child_fd) ::close(source);
  }
}

[[noreturn]] void RunChild(const ChildPlan& plan) {
  const SpawnOptions& options = *plan.options;
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : plan.signals_to_default) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (options.new_session && ::setsid() < 0) ChildFail(plan.report_fd, ChildStage::kSetup);
  if (options.new_process_group && ::setpgid(0, 0) < 0) ChildFail(plan.report_fd, ChildStage::kSetup);
  ChildSetUpFds(plan);
  // Opened before and entered after setuid: the user must be allowed into the directory itself,
  // not along the path to it (the attempt's own directory lies in the server's data dir).
  int dir = -1;
  if (!options.working_dir.empty()) {
    dir = ::open(options.working_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) ChildFail(plan.report_fd, ChildStage::kChdir);
  }
  const Credentials& who = *options.run_as;
  if (::setgroups(who.groups.size(), who.groups.data()) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) {
    ChildFail(plan.report_fd, ChildStage::kRunAs);
  }
  if (dir >= 0 && ::fchdir(dir) != 0) ChildFail(plan.report_fd, ChildStage::kChdir);
  ::execve(plan.program, plan.argv, plan.envp);
  ChildFail(plan.report_fd, ChildStage::kExec);
}

std::vector<int> SignalsToDefault(const SpawnOptions& options) {
  if (!options.signals_to_default.empty()) return options.signals_to_default;
  std::vector<int> all;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) all.push_back(sig);
  }
  return all;
}

// The run_as path: fork, set up the child as posix_spawn would, change its credentials, execve.
// The child's failure comes back through a close-on-exec pipe: EOF means the exec succeeded.
Result<pid_t> ForkExec(const std::string& program, const std::string& argv0, char* const* argv, char* const* envp,
                       const SpawnOptions& options) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return ErrnoStatus("spawn " + argv0);
  UniqueFd read_end(report[0]), write_end(report[1]);
  // Above every fd the child sets up, so that no dup2 overwrites it.
  int high = ::fcntl(write_end.get(), F_DUPFD_CLOEXEC, 64);
  if (high < 0) return ErrnoStatus("spawn " + argv0);
  write_end.reset(high);
  const ChildPlan plan{program.c_str(), argv, envp, &options, SignalsToDefault(options), write_end.get()};
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus("spawn " + argv0);
  if (pid == 0) RunChild(plan);
  write_end.reset();
  ChildFailure failure{};
  const ssize_t n = RetryEintr([&] { return ::read(read_end.get(), &failure, sizeof failure); });
  if (n == 0) return pid;
  RetryEintr([&] { return ::waitpid(pid, nullptr, 0); });
  if (n != sizeof failure) return ErrnoStatus("spawn " + argv0, n < 0 ? errno : EIO);
  switch (failure.stage) {
    case ChildStage::kRunAs: return ErrnoStatus("run as uid " + std::to_string(options.run_as->uid), failure.err);
    case ChildStage::kChdir: return ErrnoStatus("chdir " + options.working_dir, failure.err);
    case ChildStage::kExec: return ErrnoStatus("exec " + argv0, failure.err);
    case ChildStage::kSetup: break;
  }
  return ErrnoStatus("spawn " + argv0, failure.err);
}

}  // namespace

Result<pid_t> Spawn(const std::vector<std::string>& argv, char* const* envp,
                    const SpawnOptions& options) {
  std::string program = argv[0];
  if (options.search_path) {
    Result<std::string> found = FindProgram(argv[0], *options.search_path);
    if (!found.ok()) return found.status();
    program = *found;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  if (options.run_as) return ForkExec(program, argv[0], args.data(), envp, options);
  SpawnState state;
  if (int err = state.Configure(options)) return ErrnoStatus("spawn " + argv[0], err);
  pid_t pid = 0;
  int err = posix_spawn(&pid, program.c_str(), state.actions(), state.attr(), args.data(), envp);
  if (err != 0 && !options.working_dir.empty()) {
    NS_RETURN_IF_ERROR(CheckWorkingDir(options.working_dir));
  }
  if (err != 0) return ErrnoStatus("exec " + argv[0], err);
  return pid;
}

}  // namespace nightshift::exec
