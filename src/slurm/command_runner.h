// CommandRunner: runs Slurm's client commands (sbatch, squeue, scancel) off the engine's
// loop and hands their results back on it. Each command runs on one of a few worker threads with
// its output captured, a time limit (killed after it), and a small environment: the server's PATH,
// HOME, USER, LOGNAME, LANG, LC_ALL, TZ and SLURM_* variables, plus SLURM_CONF when one is
// configured (nothing else of the server's, credentials included, reaches Slurm or its jobs).
// Thread-safety: Run may be called from the loop thread only; `done` runs on the loop thread.
// Destroying the runner waits for the commands in flight (at most their time limit) and drops
// their results.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::slurm {

struct CommandResult {
  Status started;      // not ok: the command could not be run at all (not found, ...)
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
  bool ok() const { return started.ok() && exit_code == 0; }
  // "sbatch: error: ..." or the start failure: for reasons and logs.
  std::string ErrorText() const;
};

class CommandRunner {
 public:
  CommandRunner(boost::asio::io_context& io, std::string slurm_conf, std::chrono::milliseconds time_limit);
  ~CommandRunner();
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  // Runs argv (argv[0] looked up in PATH); `inherit_fd` >= 0 is passed to the command as fd 3
  // (a lock it holds while it runs). `done` gets the result on the loop thread.
  void Run(std::vector<std::string> argv, std::function<void(CommandResult)> done, int inherit_fd = -1);
  // The same, on the calling thread (for a restart's adoption, before the loop serves).
  CommandResult RunNow(const std::vector<std::string>& argv, int inherit_fd = -1) const;
  // Runs `task` (a blocking call, e.g. to slurmrestd) on a worker; `done` gets its result on the
  // loop thread.
  void RunTask(std::function<CommandResult()> task, std::function<void(CommandResult)> done);
  // The small environment the commands get ("NAME=value"): PATH, HOME, SLURM_*, ...
  const std::vector<std::string>& Environment() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nightshift::slurm
