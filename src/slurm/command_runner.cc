#include "slurm/command_runner.h"

#include <utility>  // before asio (Boost 1.74 with GCC 12)

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <csignal>
#include <cstring>

#include "exec/posix_util.h"
#include "exec/spawn.h"

extern char** environ;

namespace nightshift::slurm {
namespace {

constexpr int kWorkers = 2;

// The server's variables Slurm's client commands get: what they need to run and find the cluster.
bool KeptForSlurm(const char* var) {
  if (std::strncmp(var, "SLURM_", 6) == 0) return true;
  for (const char* name : {"PATH=", "HOME=", "USER=", "LOGNAME=", "LANG=", "LC_ALL=", "TZ="}) {
    if (std::strncmp(var, name, std::strlen(name)) == 0) return true;
  }
  return false;
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string CommandResult::ErrorText() const {
  if (!started.ok()) return started.message();
  std::string text = err.empty() ? out : err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) text = "exit status " + std::to_string(exit_code);
  return text.size() > 500 ? text.substr(0, 500) + "..." : text;
}

struct CommandRunner::Impl {
  boost::asio::io_context& io;
  std::chrono::milliseconds time_limit;
  std::vector<std::string> env;
  std::string path;
  boost::asio::thread_pool pool{kWorkers};
  // Read by the workers and the loop, cleared by the destructor.
  std::shared_ptr<std::atomic<bool>> alive = std::make_shared<std::atomic<bool>>(true);

  Impl(boost::asio::io_context& io, const std::string& slurm_conf, std::chrono::milliseconds limit)
      : io(io), time_limit(limit) {
    // A small environment: sbatch exports its own to the job (the task wrapper keeps only the
    // SLURM_* variables of it), and --export=NONE, which would avoid that, makes Slurm start each
    // job 4x slower here.
    for (char** e = environ; *e; ++e) {
      if (!slurm_conf.empty() && std::strncmp(*e, "SLURM_CONF=", 11) == 0) continue;
      if (!KeptForSlurm(*e)) continue;
      env.emplace_back(*e);
      if (std::strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    }
    if (!slurm_conf.empty()) env.push_back("SLURM_CONF=" + slurm_conf);
    if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  }
};

CommandRunner::CommandRunner(boost::asio::io_context& io, std::string slurm_conf, std::chrono::milliseconds time_limit)
    : impl_(std::make_unique<Impl>(io, slurm_conf, time_limit)) {}

const std::vector<std::string>& CommandRunner::Environment() const { return impl_->env; }

CommandRunner::~CommandRunner() {
  *impl_->alive = false;
  impl_->pool.join();
}

CommandResult CommandRunner::RunNow(const std::vector<std::string>& argv, int inherit_fd) const {
  CommandResult result;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.started = exec::ErrnoStatus("pipe2");
    return result;
  }
  exec::UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.started = exec::ErrnoStatus("pipe2");
    return result;
  }
  exec::UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  std::vector<char*> envp;
  for (const std::string& var : impl_->env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  exec::SpawnOptions options;
  options.search_path = impl_->path;
  options.new_process_group = true;
  options.fds = {{0, -1}, {1, out_w.get()}, {2, err_w.get()}};
  if (inherit_fd >= 0) options.fds.push_back({3, inherit_fd});
  Result<pid_t> pid = exec::Spawn(argv, envp.data(), options);
  out_w.reset();
  err_w.reset();
  if (!pid.ok()) {
    result.started = pid.status();
    return result;
  }
  pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  const int64_t deadline = SteadyMs() + impl_->time_limit.count();
  bool killed = false;
  char buffer[16384];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    int64_t left = deadline - SteadyMs();
    if (left <= 0 && !killed) {
      ::kill(-*pid, SIGKILL);
      killed = true;
      result.err += "\n(killed after " + std::to_string(impl_->time_limit.count()) + " ms)";
    }
    int n = ::poll(fds, 2, killed ? 1000 : static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        if (sinks[i]->size() < 64 * 1024 * 1024) sinks[i]->append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
      }
    }
  }
  int status = 0;
  exec::RetryEintr([&] { return ::waitpid(*pid, &status, 0); });
  result.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return result;
}

void CommandRunner::Run(std::vector<std::string> argv, std::function<void(CommandResult)> done, int inherit_fd) {
  RunTask([this, argv = std::move(argv), inherit_fd] { return RunNow(argv, inherit_fd); }, std::move(done));
}

void CommandRunner::RunTask(std::function<CommandResult()> task, std::function<void(CommandResult)> done) {
  boost::asio::post(impl_->pool, [this, task = std::move(task), done = std::move(done),
                                  alive = std::weak_ptr<std::atomic<bool>>(impl_->alive)]() mutable {
    if (auto a = alive.lock(); !a || !*a) return;
    CommandResult result = task();
    boost::asio::post(impl_->io, [done = std::move(done), result = std::move(result), alive]() mutable {
      if (auto a = alive.lock(); a && *a) done(std::move(result));
    });
  });
}

}  // namespace nightshift::slurm
