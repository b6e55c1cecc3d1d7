// CommandRunner against real processes: results come back on the loop thread, commands run
// concurrently on the workers, the time limit kills, the environment is the small one, fd 3 is
// passed, and destroying the runner with commands in flight drops their results. Also built
// under ThreadSanitizer (scripts/test.sh --tsan).
#include "slurm/command_runner.h"

#include <utility>  // before asio (Boost 1.74 with GCC 12)

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nightshift::slurm {
namespace {

using namespace std::chrono_literals;

// Runs the loop until `count` results arrived (or a generous deadline, which fails the test).
std::vector<CommandResult> Collect(boost::asio::io_context& io, CommandRunner& runner,
                                   const std::vector<std::vector<std::string>>& commands) {
  std::vector<CommandResult> results;
  const std::thread::id loop = std::this_thread::get_id();
  for (const auto& argv : commands) {
    runner.Run(argv, [&, loop](CommandResult result) {
      EXPECT_EQ(std::this_thread::get_id(), loop) << "a result came back off the loop thread";
      results.push_back(std::move(result));
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (results.size() < commands.size() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(100ms);
    io.restart();
  }
  EXPECT_EQ(results.size(), commands.size()) << "results missing after 60 s";
  return results;
}

TEST(CommandRunnerTest, RunsCommandsConcurrentlyAndAnswersOnTheLoop) {
  boost::asio::io_context io;
  CommandRunner runner(io, "", 30s);
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 20; ++i) commands.push_back({"sh", "-c", "echo out" + std::to_string(i) + "; echo err >&2; exit " + std::to_string(i % 4)});
  std::vector<CommandResult> results = Collect(io, runner, commands);
  std::set<std::string> outs;
  for (const CommandResult& r : results) {
    ASSERT_TRUE(r.started.ok()) << r.started.message();
    outs.insert(r.out);
    EXPECT_EQ(r.err, "err\n");
    const int i = std::stoi(r.out.substr(3));
    EXPECT_EQ(r.exit_code, i % 4);
    EXPECT_EQ(r.ok(), i % 4 == 0);
  }
  EXPECT_EQ(outs.size(), 20u);
}

TEST(CommandRunnerTest, KillsACommandPastItsTimeLimit) {
  boost::asio::io_context io;
  CommandRunner runner(io, "", 300ms);
  std::vector<CommandResult> results = Collect(io, runner, {{"sh", "-c", "echo started; exec sleep 30"}});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].exit_code, 128 + 9);
  EXPECT_EQ(results[0].out, "started\n");
  EXPECT_NE(results[0].ErrorText().find("killed after 300 ms"), std::string::npos) << results[0].ErrorText();
}

TEST(CommandRunnerTest, AMissingCommandIsAStartFailure) {
  boost::asio::io_context io;
  CommandRunner runner(io, "", 5s);
  CommandResult result = runner.RunNow({"nightshift-no-such-command"});
  EXPECT_FALSE(result.started.ok());
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.ErrorText().empty());
}

TEST(CommandRunnerTest, PassesOnlyTheSmallEnvironmentAndTheConfiguredSlurmConf) {
  ::setenv("NIGHTSHIFT_TEST_SECRET", "do-not-pass", 1);
  ::setenv("SLURM_TEST_KEPT", "kept", 1);
  ::setenv("SLURM_CONF", "/server/own/slurm.conf", 1);
  boost::asio::io_context io;
  CommandRunner runner(io, "/etc/cluster/slurm.conf", 5s);
  CommandResult result = runner.RunNow({"env"});
  ::unsetenv("NIGHTSHIFT_TEST_SECRET");
  ::unsetenv("SLURM_TEST_KEPT");
  ::unsetenv("SLURM_CONF");
  ASSERT_TRUE(result.ok()) << result.ErrorText();
  EXPECT_EQ(result.out.find("NIGHTSHIFT_TEST_SECRET"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("SLURM_TEST_KEPT=kept\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("SLURM_CONF=/etc/cluster/slurm.conf\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("/server/own/slurm.conf"), std::string::npos) << result.out;
}

TEST(CommandRunnerTest, PassesTheInheritedFdAsFd3) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], "lock", 4), 4);
  ::close(fds[1]);
  boost::asio::io_context io;
  CommandRunner runner(io, "", 5s);
  CommandResult result = runner.RunNow({"cat", "/dev/fd/3"}, fds[0]);
  ::close(fds[0]);
  ASSERT_TRUE(result.ok()) << result.ErrorText();
  EXPECT_EQ(result.out, "lock");
}

TEST(CommandRunnerTest, DestroyingTheRunnerWaitsForCommandsInFlightAndDropsTheirResults) {
  char dir_template[] = "/tmp/command-runner-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  boost::asio::io_context io;
  int answered = 0;
  {
    CommandRunner runner(io, "", 5s);
    for (int i = 0; i < 4; ++i) {
      const std::string mark = dir + "/" + std::to_string(i);
      runner.Run({"sh", "-c", "touch " + mark + ".started; sleep 1; touch " + mark + ".ended"},
                 [&](CommandResult) { ++answered; });
    }
    // Both workers are running a command before the runner goes away.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    auto started = [&] {
      int n = 0;
      for (int i = 0; i < 4; ++i) n += ::access((dir + "/" + std::to_string(i) + ".started").c_str(), F_OK) == 0;
      return n;
    };
    while (started() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    ASSERT_GE(started(), 2);
  }
  // The destructor waited for the running commands (the queued ones never started), and no
  // result reaches the loop afterwards.
  int ended = 0;
  for (int i = 0; i < 4; ++i) {
    const std::string mark = dir + "/" + std::to_string(i);
    const bool did_start = ::access((mark + ".started").c_str(), F_OK) == 0;
    const bool did_end = ::access((mark + ".ended").c_str(), F_OK) == 0;
    EXPECT_EQ(did_start, did_end) << "command " << i;
    ended += did_end;
    ::unlink((mark + ".started").c_str());
    ::unlink((mark + ".ended").c_str());
  }
  ::rmdir(dir.c_str());
  EXPECT_EQ(ended, 2);
  io.run_for(100ms);
  EXPECT_EQ(answered, 0);
}

}  // namespace
}  // namespace nightshift::slurm
