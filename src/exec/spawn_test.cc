// Real-process tests of Spawn (exec/spawn.h), each run through both of its starts: posix_spawn
// and the lighter clone start for callers without signal handlers. Both must give the child the
// same start and report the same failures. (Under ThreadSanitizer both are posix_spawn.)
#include "exec/spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "exec/exec_test_util.h"
#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

using testing::ReadTestFile;
using testing::TempDir;
using testing::WriteTestFile;

// The wait status of `pid`.
int WaitFor(pid_t pid) {
  int status = 0;
  EXPECT_EQ(RetryEintr([&] { return ::waitpid(pid, &status, 0); }), pid);
  return status;
}

// Sets a signal's disposition for the test's duration.
class ScopedDisposition {
 public:
  ScopedDisposition(int sig, void (*handler)(int)) : sig_(sig) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    ::sigaction(sig_, &sa, &old_);
  }
  ~ScopedDisposition() { ::sigaction(sig_, &old_, nullptr); }
  ScopedDisposition(const ScopedDisposition&) = delete;
  ScopedDisposition& operator=(const ScopedDisposition&) = delete;

 private:
  int sig_;
  struct sigaction old_ {};
};

class SpawnTest : public ::testing::TestWithParam<bool> {
 protected:
  SpawnOptions Options() const {
    SpawnOptions options;
    options.signals_to_default = {SIGHUP, SIGPIPE};
    options.no_signal_handlers = GetParam();
    return options;
  }

  // Runs `sh -c script` with stdout into a file; returns its wait status, and the output in `out`.
  int RunSh(const std::string& script, SpawnOptions options, std::string* out = nullptr) {
    const std::string path = dir_.path() + "/out";
    UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    EXPECT_TRUE(file.valid());
    options.fds = {{0, -1}, {1, file.get()}, {2, -1}};
    options.search_path = "/usr/bin:/bin";
    Result<pid_t> pid = Spawn({"sh", "-c", script}, environ, options);
    EXPECT_TRUE(pid.ok()) << pid.status().ToString();
    if (!pid.ok()) return -1;
    const int status = WaitFor(*pid);
    if (out) *out = ReadTestFile(path);
    return status;
  }

  TempDir dir_;
};

TEST_P(SpawnTest, TheChildGetsItsFdsAndItsWorkingDir) {
  UniqueFd ours(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(ours.valid());
  SpawnOptions options = Options();
  options.working_dir = dir_.path();
  std::string out;
  // The shell's own fds, listed by a child of it, one per line after the working dir.
  ASSERT_EQ(RunSh("pwd; ls /proc/$$/fd", options, &out), 0);
  std::vector<std::string> lines;
  for (size_t begin = 0, end; (end = out.find('\n', begin)) != std::string::npos; begin = end + 1) {
    lines.push_back(out.substr(begin, end - begin));
  }
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], dir_.path());
  auto listed = [&](int fd) {
    return std::find(lines.begin() + 1, lines.end(), std::to_string(fd)) != lines.end();
  };
  EXPECT_TRUE(listed(0) && listed(1) && listed(2)) << out;
  EXPECT_FALSE(listed(ours.get())) << out;
}

TEST_P(SpawnTest, TheChildLeadsItsOwnGroup) {
  SpawnOptions options = Options();
  options.new_process_group = true;
  std::string out;
  ASSERT_EQ(RunSh("echo $$ $(ps -o pgid= -p $$)", options, &out), 0);
  const size_t space = out.find(' ');
  ASSERT_NE(space, std::string::npos) << out;
  EXPECT_EQ(std::stol(out.substr(0, space)), std::stol(out.substr(space + 1))) << out;
}

TEST_P(SpawnTest, IgnoredSignalsNamedAreDefaultAndTheMaskIsEmptyInTheChild) {
  ScopedDisposition ignore_pipe(SIGPIPE, SIG_IGN);
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
  const int piped = RunSh("kill -PIPE $$; exit 3", Options());
  const int usr1_status = RunSh("kill -USR1 $$; exit 3", Options());
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_TRUE(WIFSIGNALED(piped) && WTERMSIG(piped) == SIGPIPE) << piped;
  EXPECT_TRUE(WIFSIGNALED(usr1_status) && WTERMSIG(usr1_status) == SIGUSR1) << usr1_status;
}

TEST_P(SpawnTest, TheSearchTakesTheFirstExecutableOnThePath) {
  const std::string a = dir_.path() + "/a", b = dir_.path() + "/b", c = dir_.path() + "/c";
  for (const std::string& d : {a, b, c}) ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
  WriteTestFile(a + "/prog", "#!/bin/sh\nexit 1\n");   // not executable: skipped
  ASSERT_EQ(::mkdir((b + "/prog").c_str(), 0755), 0);  // a directory: skipped
  WriteTestFile(c + "/prog", "#!/bin/sh\nexit 7\n");
  ASSERT_EQ(::chmod((c + "/prog").c_str(), 0755), 0);
  SpawnOptions options = Options();
  options.search_path = a + ":" + dir_.path() + "/missing:" + b + ":" + c;
  Result<pid_t> pid = Spawn({"prog"}, environ, options);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  const int status = WaitFor(*pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << status;
}

TEST_P(SpawnTest, FailuresNameWhatFailed) {
  WriteTestFile(dir_.path() + "/prog", "#!/bin/sh\nexit 0\n");  // not executable
  SpawnOptions options = Options();
  options.search_path = dir_.path() + "/missing:" + dir_.path();
  Result<pid_t> denied = Spawn({"prog"}, environ, options);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().message(), "exec prog: Permission denied");
  Result<pid_t> missing = Spawn({"no-such-program-for-nightshift"}, environ, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "exec no-such-program-for-nightshift: No such file or directory");
  Result<pid_t> absolute = Spawn({dir_.path() + "/nothing-here"}, environ, Options());
  ASSERT_FALSE(absolute.ok());
  EXPECT_EQ(absolute.status().message(),
            "exec " + dir_.path() + "/nothing-here: No such file or directory");
  options = Options();
  options.search_path = "/usr/bin:/bin";
  options.working_dir = dir_.path() + "/nowhere";
  Result<pid_t> no_dir = Spawn({"true"}, environ, options);
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.status().message(),
            "chdir " + dir_.path() + "/nowhere: No such file or directory");
}

INSTANTIATE_TEST_SUITE_P(BothStarts, SpawnTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("CloneStart")
                                             : std::string("PosixSpawn");
                         });

}  // namespace
}  // namespace nightshift::exec
