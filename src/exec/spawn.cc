#include "exec/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
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
