#include "exec/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

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
  return 0;
}

int SpawnState::AddFd(const ChildFd& fd) {
  if (fd.parent_fd >= 0)
    return posix_spawn_file_actions_adddup2(&actions_, fd.parent_fd, fd.child_fd);
  int flags = fd.child_fd == 0 ? O_RDONLY : O_WRONLY;
  return posix_spawn_file_actions_addopen(&actions_, fd.child_fd, "/dev/null", flags, 0);
}

}  // namespace

Result<pid_t> Spawn(const std::vector<std::string>& argv, char* const* envp,
                    const SpawnOptions& options) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  SpawnState state;
  if (int err = state.Configure(options)) return ErrnoStatus("spawn " + argv[0], err);
  pid_t pid = 0;
  auto spawn = options.search_path ? posix_spawnp : posix_spawn;
  int err = spawn(&pid, args[0], state.actions(), state.attr(), args.data(), envp);
  if (err != 0) return ErrnoStatus("exec " + argv[0], err);
  return pid;
}

}  // namespace nightshift::exec
