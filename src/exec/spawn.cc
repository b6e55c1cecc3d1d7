#include "exec/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
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

// The stage at which a child failed before its exec, and the errno.
enum class ChildStage : int { kSetup, kRunAs, kChdir, kExec };

struct ChildFailure {
  bool failed = false;
  ChildStage stage = ChildStage::kSetup;
  int err = 0;
};

// Everything a child needs, prepared before the fork or clone, in plain arrays: the child only
// reads them and makes system calls (no allocation, no library state).
struct ChildPlan {
  const char* const* programs;  // null-terminated; tried in order until one execs
  char* const* argv;
  char* const* envp;
  const ChildFd* fds;
  size_t fd_count;
  const int* signals_to_default;
  size_t signal_count;
  const char* working_dir;  // null: the caller's
  bool new_session;
  bool new_process_group;
  const Credentials* run_as;  // null: the caller's own
  int report_fd;              // ForkExec: a failure is written to this pipe
  ChildFailure* failure;      // CloneExec: a failure is written here, in the caller's memory
};

// ThreadSanitizer takes every clone for a fork and cannot follow a child that shares our memory:
// under it, callers without signal handlers get posix_spawn too.
#if defined(__SANITIZE_THREAD__)
constexpr bool kCloneStartWorks = false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kCloneStartWorks = false;
#else
constexpr bool kCloneStartWorks = true;
#endif
#else
constexpr bool kCloneStartWorks = true;
#endif

// The child of CloneExec runs in the caller's memory on a stack the sanitizers do not know of:
// nothing on its way to execve is instrumented.
#define NS_CHILD_CODE __attribute__((no_sanitize("address", "thread", "undefined")))

[[noreturn]] NS_CHILD_CODE void ChildFail(const ChildPlan& plan, ChildStage stage) {
  const ChildFailure failure{true, stage, errno};
  if (plan.failure) {
    *plan.failure = failure;
  } else {
    [[maybe_unused]] ssize_t n = ::write(plan.report_fd, &failure, sizeof failure);
  }
  ::_exit(127);
}

NS_CHILD_CODE void ChildSetUpFds(const ChildPlan& plan) {
  for (size_t i = 0; i < plan.fd_count; ++i) {
    const ChildFd& fd = plan.fds[i];
    int source = fd.parent_fd;
    if (source < 0) source = ::open("/dev/null", fd.child_fd == 0 ? O_RDONLY : O_WRONLY);
    if (source < 0) ChildFail(plan, ChildStage::kSetup);
    // dup2 onto itself keeps FD_CLOEXEC: clear it, as posix_spawn's dup2 action does.
    const int done = source == fd.child_fd ? ::fcntl(source, F_SETFD, 0) : ::dup2(source, fd.child_fd);
    if (done < 0) ChildFail(plan, ChildStage::kSetup);
    if (fd.parent_fd < 0 && source != fd.child_fd) ::close(source);
  }
}

// execvp's search over the prepared paths: a missing file or directory moves on, and so does one
// we may not execute (EACCES, the error if nothing else is found); any other error stops.
[[noreturn]] NS_CHILD_CODE void ChildExec(const ChildPlan& plan) {
  bool denied = false;
  for (const char* const* program = plan.programs; *program; ++program) {
    ::execve(*program, plan.argv, plan.envp);
    if (errno == EACCES) {
      denied = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      ChildFail(plan, ChildStage::kExec);
    }
  }
  errno = denied ? EACCES : ENOENT;
  ChildFail(plan, ChildStage::kExec);
}

[[noreturn]] NS_CHILD_CODE void RunChild(const ChildPlan& plan) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (size_t i = 0; i < plan.signal_count; ++i)
    ::sigaction(plan.signals_to_default[i], &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (plan.new_session && ::setsid() < 0) ChildFail(plan, ChildStage::kSetup);
  if (plan.new_process_group && ::setpgid(0, 0) < 0) ChildFail(plan, ChildStage::kSetup);
  ChildSetUpFds(plan);
  if (!plan.run_as) {
    if (plan.working_dir && ::chdir(plan.working_dir) != 0) ChildFail(plan, ChildStage::kChdir);
    ChildExec(plan);
  }
  // Opened before and entered after setuid: the user must be allowed into the directory itself,
  // not along the path to it (the attempt's own directory lies in the server's data dir).
  int dir = -1;
  if (plan.working_dir) {
    dir = ::open(plan.working_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) ChildFail(plan, ChildStage::kChdir);
  }
  const Credentials& who = *plan.run_as;
  if (::setgroups(who.groups.size(), who.groups.data()) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) {
    ChildFail(plan, ChildStage::kRunAs);
  }
  if (dir >= 0 && ::fchdir(dir) != 0) ChildFail(plan, ChildStage::kChdir);
  ChildExec(plan);
}

NS_CHILD_CODE int CloneChildMain(void* plan) { RunChild(*static_cast<const ChildPlan*>(plan)); }

// The paths ChildExec tries: argv[0] itself when it has a '/' or there is no PATH to search, else
// each PATH entry in order (an empty one is the working directory).
std::vector<std::string> ProgramsToTry(const std::string& name,
                                       const std::optional<std::string>& path) {
  if (!path || name.find('/') != std::string::npos) return {name};
  std::vector<std::string> programs;
  size_t begin = 0;
  while (true) {
    const size_t end = path->find(':', begin);
    const std::string dir =
        path->substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    programs.push_back((dir.empty() ? std::string(".") : dir) + "/" + name);
    if (end == std::string::npos) return programs;
    begin = end + 1;
  }
}

std::vector<int> SignalsToDefault(const SpawnOptions& options) {
  if (!options.signals_to_default.empty()) return options.signals_to_default;
  std::vector<int> all;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) all.push_back(sig);
  }
  return all;
}

// A child's start, for ForkExec and CloneExec: the plan and the storage its arrays point into.
class ChildStart {
 public:
  ChildStart(const std::vector<std::string>& argv, char* const* envp, const SpawnOptions& options)
      : argv0_(argv[0]),
        options_(options),
        programs_(ProgramsToTry(argv[0], options.search_path)),
        signals_(SignalsToDefault(options)) {
    for (const std::string& program : programs_) program_ptrs_.push_back(program.c_str());
    program_ptrs_.push_back(nullptr);
    for (const std::string& arg : argv) args_.push_back(const_cast<char*>(arg.c_str()));
    args_.push_back(nullptr);
    plan_ = ChildPlan{program_ptrs_.data(),
                      args_.data(),
                      envp,
                      options.fds.data(),
                      options.fds.size(),
                      signals_.data(),
                      signals_.size(),
                      options.working_dir.empty() ? nullptr : options.working_dir.c_str(),
                      options.new_session,
                      options.new_process_group,
                      options.run_as ? &*options.run_as : nullptr,
                      -1,
                      nullptr};
  }

  ChildPlan& plan() { return plan_; }

  // The child's failure as Spawn reports it.
  Status Failed(const ChildFailure& failure) const {
    switch (failure.stage) {
      case ChildStage::kRunAs:
        return ErrnoStatus("run as uid " + std::to_string(options_.run_as->uid), failure.err);
      case ChildStage::kChdir:
        return ErrnoStatus("chdir " + options_.working_dir, failure.err);
      case ChildStage::kExec:
        return ErrnoStatus("exec " + argv0_, failure.err);
      case ChildStage::kSetup:
        break;
    }
    return ErrnoStatus("spawn " + argv0_, failure.err);
  }
  Status Failed(int err) const { return ErrnoStatus("spawn " + argv0_, err); }

 private:
  const std::string& argv0_;
  const SpawnOptions& options_;
  std::vector<std::string> programs_;
  std::vector<const char*> program_ptrs_;
  std::vector<char*> args_;
  std::vector<int> signals_;
  ChildPlan plan_{};
};

// The run_as path: fork, set up the child as posix_spawn would, change its credentials, execve.
// The child's failure comes back through a close-on-exec pipe: EOF means the exec succeeded.
Result<pid_t> ForkExec(ChildStart& start) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return start.Failed(errno);
  UniqueFd read_end(report[0]), write_end(report[1]);
  // Above every fd the child sets up, so that no dup2 overwrites it.
  int high = ::fcntl(write_end.get(), F_DUPFD_CLOEXEC, 64);
  if (high < 0) return start.Failed(errno);
  write_end.reset(high);
  start.plan().report_fd = write_end.get();
  const pid_t pid = ::fork();
  if (pid < 0) return start.Failed(errno);
  if (pid == 0) RunChild(start.plan());
  write_end.reset();
  ChildFailure failure{};
  const ssize_t n = RetryEintr([&] { return ::read(read_end.get(), &failure, sizeof failure); });
  if (n == 0) return pid;
  RetryEintr([&] { return ::waitpid(pid, nullptr, 0); });
  if (n != sizeof failure) return start.Failed(n < 0 ? errno : EIO);
  return start.Failed(failure);
}

// The stack a CloneExec child runs on until its exec: one per thread (the thread waits while its
// child uses it), mapped at first use, with a guard page below it.
class CloneStack {
 public:
  CloneStack() = default;
  CloneStack(const CloneStack&) = delete;
  CloneStack& operator=(const CloneStack&) = delete;
  ~CloneStack() {
    if (base_) ::munmap(base_, kSize);
  }

  // The top of the stack, or null (errno set) if it cannot be mapped.
  void* Top() {
    if (!base_) {
      void* base = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
      if (base == MAP_FAILED) return nullptr;
      if (::mprotect(base, kGuard, PROT_NONE) != 0) {
        ::munmap(base, kSize);
        return nullptr;
      }
      base_ = base;
    }
    return static_cast<char*>(base_) + kSize;
  }

 private:
  static constexpr size_t kSize = 256 * 1024;
  static constexpr size_t kGuard = 4096;
  void* base_ = nullptr;
};

// The path for callers without signal handlers: what posix_spawn does (clone with CLONE_VM |
// CLONE_VFORK, on a stack of its own, every signal blocked until the child has reset its
// dispositions), minus its generality: posix_spawn queries and resets all 64 signals in the child
// and validates each fd action against the fd limit, 140 system calls a start; this resets only
// signals_to_default.
Result<pid_t> CloneExec(ChildStart& start) {
  thread_local CloneStack stack;
  void* top = stack.Top();
  if (!top) return start.Failed(errno);
  ChildFailure failure{};
  start.plan().failure = &failure;
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::clone(CloneChildMain, top, CLONE_VM | CLONE_VFORK | SIGCHLD, &start.plan());
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return start.Failed(clone_errno);
  if (!failure.failed) return pid;
  RetryEintr([&] { return ::waitpid(pid, nullptr, 0); });
  return start.Failed(failure);
}

}  // namespace

Result<pid_t> Spawn(const std::vector<std::string>& argv, char* const* envp,
                    const SpawnOptions& options) {
  if (options.run_as || (options.no_signal_handlers && kCloneStartWorks)) {
    ChildStart start(argv, envp, options);
    return options.run_as ? ForkExec(start) : CloneExec(start);
  }
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
