// Real-process tests of LocalExecutor and nightshift-supervisor (label "os").
#include "exec/local_executor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>
#include <utility>  // before asio

#include "exec/attempt_log.h"
#include "exec/attempt_state.h"
#include "exec/exec_test_util.h"
#include "exec/exit_record.h"
#include "exec/journal.h"
#include "exec/spawn.h"
#include "util/clock.h"

namespace nightshift::exec {
namespace {

using Kind = core::AttemptOutcome::Kind;
using namespace std::chrono_literals;
using testing::ExitedRecord;
using testing::ReadTestFile;
using testing::TempDir;
using testing::WriteTestFile;

constexpr auto kDeadline = 30s;

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// Polls pred (without an event loop) until it holds or the deadline passes.
bool PollUntil(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// True if pid is gone or a zombie (killed, waiting for a reaper that may never come in a
// container).
bool IsDead(pid_t pid) {
  std::string stat = ReadTestFile("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return true;
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && stat.size() > paren + 2 && stat[paren + 2] == 'Z';
}

class LocalExecutorTest : public ::testing::Test {
 protected:
  LocalExecutorTest() { NewExecutor(); }

  void NewExecutor() {
    executor_.reset();
    executor_ = std::make_unique<LocalExecutor>(io_, dir_.path() + "/jobs", NIGHTSHIFT_SUPERVISOR_PATH);
    executor_->SetExitCallback([this](const AttemptKey& key, const core::AttemptOutcome& outcome) {
      exits_.emplace_back(key, outcome);
    });
  }

  // Runs the loop until pred holds, with a hard deadline. The work guard keeps run_for waiting on
  // the loop's events even when nothing is outstanding (pred may wait on a process or a file).
  bool RunUntil(const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + kDeadline;
    auto work = boost::asio::make_work_guard(io_);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(10ms);
    }
    return true;
  }

  std::optional<core::AttemptOutcome> WaitForExit(const AttemptKey& key) {
    auto has_exit = [&] {
      for (const auto& [k, outcome] : exits_) {
        if (k == key) return true;
      }
      return false;
    };
    if (!RunUntil(has_exit)) return std::nullopt;
    for (const auto& [k, outcome] : exits_) {
      if (k == key) return outcome;
    }
    return std::nullopt;
  }

  static LaunchRequest Request(const std::string& job_id, std::vector<std::string> argv) {
    LaunchRequest request;
    request.key = {job_id, 1};
    request.argv = std::move(argv);
    return request;
  }

  core::AttemptOutcome Run(const LaunchRequest& request) {
    Status launched = executor_->Launch(request);
    EXPECT_TRUE(launched.ok()) << launched.ToString();
    std::optional<core::AttemptOutcome> outcome = WaitForExit(request.key);
    EXPECT_TRUE(outcome.has_value()) << "no exit before the deadline";
    core::AttemptOutcome none;
    none.kind = Kind::kLost;
    return outcome.value_or(none);
  }

  core::AttemptOutcome RunSh(const std::string& job_id, const std::string& script) {
    return Run(Request(job_id, {"sh", "-c", script}));
  }

  std::vector<LogEvent> LogEvents(const AttemptKey& key) {
    LogReadOptions options;
    options.start_from_head = true;
    Result<LogPage> page = ReadLogEvents(executor_->LogPath(key), options);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->events : std::vector<LogEvent>{};
  }

  bool LogContains(const AttemptKey& key, const std::string& text) {
    for (const LogEvent& e : LogEvents(key)) {
      if (e.message.find(text) != std::string::npos) return true;
    }
    return false;
  }

  // Spelled out here rather than taken from exec/local_layout.h: the layout is a contract with
  // supervisors started by other server versions.
  std::string Root() { return dir_.path() + "/jobs"; }
  std::string JournalDir() { return Root() + "/journal"; }
  std::vector<std::string> JournalFiles() {
    std::vector<std::string> files;
    if (!Exists(JournalDir())) return files;
    for (const auto& entry : std::filesystem::directory_iterator(JournalDir())) files.push_back(entry.path().string());
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;  // segment 2 before 10
    });
    return files;
  }

  // What all journals under the root say about the attempt.
  JournalEntry ReadEntry(const AttemptKey& key) {
    std::string name = key.job_id + "." + std::to_string(key.attempt);
    JournalEntry merged;
    for (const std::string& file : JournalFiles()) {
      JournalParser parser;
      parser.Feed(ReadTestFile(file));
      const JournalEntry* entry = parser.Find(name);
      if (entry == nullptr) continue;
      if (entry->job_pid) merged.job_pid = entry->job_pid;
      if (entry->exit && !merged.exit) merged.exit = entry->exit;
    }
    return merged;
  }

  ExitRecord ReadExitRecord(const AttemptKey& key) {
    JournalEntry entry = ReadEntry(key);
    EXPECT_TRUE(entry.exit.has_value() && entry.exit->ok());
    return entry.exit.has_value() && entry.exit->ok() ? entry.exit->value() : ExitRecord{};
  }

  // The journal of a supervisor (and server) that died: `content`, nobody locks it.
  void WriteDeadJournal(const std::string& supervisor, const std::string& content) {
    std::filesystem::create_directories(JournalDir());
    WriteTestFile(JournalDir() + "/" + supervisor + ".1.journal", content);
  }

  TempDir dir_;
  boost::asio::io_context io_;
  std::unique_ptr<LocalExecutor> executor_;
  std::vector<std::pair<AttemptKey, core::AttemptOutcome>> exits_;
};

TEST_F(LocalExecutorTest, ExitCodePassesThrough) {
  TimeMs before = SystemClock().NowMs();
  core::AttemptOutcome outcome = RunSh("exit-code", "exit 7");
  EXPECT_EQ(outcome.kind, Kind::kExited);
  EXPECT_EQ(outcome.exit_code, 7);
  EXPECT_GE(outcome.started_at, before);
  EXPECT_GE(outcome.stopped_at, outcome.started_at);
}

TEST_F(LocalExecutorTest, SignalDeathIsReported) {
  core::AttemptOutcome outcome = RunSh("signal", "kill -9 $$");
  EXPECT_EQ(outcome.kind, Kind::kSignaled);
  EXPECT_EQ(outcome.signal, SIGKILL);
}

TEST_F(LocalExecutorTest, MissingCommandIsASpawnFailureWithTheErrno) {
  core::AttemptOutcome outcome = Run(Request("missing", {"no-such-command-for-nightshift"}));
  EXPECT_EQ(outcome.kind, Kind::kSpawnFailed);
  EXPECT_EQ(outcome.message, "exec no-such-command-for-nightshift: No such file or directory");
  EXPECT_TRUE(LogContains({"missing", 1}, "No such file or directory"));
  EXPECT_FALSE(ReadEntry({"missing", 1}).job_pid.has_value());
}

TEST_F(LocalExecutorTest, NonExecutableFileIsASpawnFailure) {
  std::string script = dir_.path() + "/not-executable";
  WriteTestFile(script, "#!/bin/sh\nexit 0\n");
  core::AttemptOutcome outcome = Run(Request("noexec", {script}));
  EXPECT_EQ(outcome.kind, Kind::kSpawnFailed);
  EXPECT_NE(outcome.message.find("Permission denied"), std::string::npos) << outcome.message;
}

TEST_F(LocalExecutorTest, MissingWorkingDirIsASpawnFailure) {
  LaunchRequest request = Request("bad-cwd", {"true"});
  request.working_dir = dir_.path() + "/nowhere";
  core::AttemptOutcome outcome = Run(request);
  EXPECT_EQ(outcome.kind, Kind::kSpawnFailed);
  EXPECT_NE(outcome.message.find("chdir"), std::string::npos) << outcome.message;
}

TEST_F(LocalExecutorTest, JobRunsInTheSharedWorkDirByDefault) {
  RunSh("cwd", "pwd");
  std::vector<LogEvent> events = LogEvents({"cwd", 1});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].message, Root() + "/work");
}

TEST_F(LocalExecutorTest, CapturesStdoutAndStderrInOrderWithTimestamps) {
  core::AttemptOutcome outcome =
      RunSh("output", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf 'no newline'");
  std::vector<std::string> out, err;
  for (const LogEvent& e : LogEvents({"output", 1})) {
    (e.stream == LogStream::kStdout ? out : err).push_back(e.message);
    EXPECT_GE(e.timestamp_ms, outcome.started_at);
    EXPECT_LE(e.timestamp_ms, SystemClock().NowMs());
  }
  EXPECT_EQ(out, (std::vector<std::string>{"out1", "out2", "no newline"}));
  EXPECT_EQ(err, (std::vector<std::string>{"err1", "err2"}));
  struct stat st {};
  ASSERT_EQ(::stat(executor_->LogPath({"output", 1}).c_str(), &st), 0);
  EXPECT_EQ(executor_->LogPath({"output", 1}), Root() + "/output.1.log");
  EXPECT_EQ(st.st_mode & 0007, 0u) << "other users (run-as jobs) cannot read it";
}

TEST_F(LocalExecutorTest, HugeOutputKeepsTheSupervisorSmall) {
  RunSh("tiny", "echo tiny");  // the supervisor's baseline (much larger under sanitizers)
  // 200 MB in 1000-byte lines, plus one 5 MB line that must be split into 64 KiB records.
  core::AttemptOutcome outcome =
      RunSh("huge",
            "yes $(printf '%0999d' 0) | head -c 200000000; head -c 5000000 /dev/zero | tr '\\0' x");
  ASSERT_EQ(outcome.kind, Kind::kExited);
  // The figure is the supervisor's peak so far, so it covers the whole of the huge attempt.
  EXPECT_LT(ReadExitRecord({"huge", 1}).supervisor_max_rss_kb,
            ReadExitRecord({"tiny", 1}).supervisor_max_rss_kb + int64_t{8} * 1024);
  std::FILE* log = std::fopen(executor_->LogPath({"huge", 1}).c_str(), "rb");
  ASSERT_NE(log, nullptr);
  int64_t lines = 0, text_bytes = 0;
  char line[kMaxRecordLine + 1];
  while (std::fgets(line, sizeof line, log) != nullptr) {
    std::optional<LogRecord> r = ParseLogRecord(std::string_view(line, std::strlen(line) - 1));
    ASSERT_TRUE(r.has_value());
    ++lines;
    text_bytes += static_cast<int64_t>(r->text.size());
  }
  std::fclose(log);
  EXPECT_EQ(lines, 200000 + (5000000 + kMaxRecordText - 1) / kMaxRecordText);
  EXPECT_EQ(text_bytes, 200000 * 999 + 5000000);
}

TEST_F(LocalExecutorTest, TerminateEscalatesToSigkillForTheWholeProcessGroup) {
  AttemptKey key{"stubborn", 1};
  ASSERT_TRUE(
      executor_
          ->Launch(Request(key.job_id, {"sh", "-c",
                                        "trap '' TERM; sleep 1000 & echo child $!; "
                                        "sh -c 'trap \"\" TERM; sleep 1000' & echo child $!; "
                                        "echo ready; wait"}))
          .ok());
  ASSERT_TRUE(RunUntil([&] { return LogContains(key, "ready"); }));
  TimeMs terminated_at = SystemClock().NowMs();
  executor_->Terminate(key, 300);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kSignaled);
  EXPECT_EQ(outcome->signal, SIGKILL);
  EXPECT_GE(outcome->stopped_at - terminated_at, 250);
  EXPECT_NE(outcome->message.find("SIGKILL"), std::string::npos) << outcome->message;
  for (const LogEvent& e : LogEvents(key)) {
    if (e.message.rfind("child ", 0) == 0) {
      pid_t child = std::stoi(e.message.substr(6));
      EXPECT_TRUE(PollUntil([&] { return IsDead(child); }))
          << "grandchild " << child << " survived";
    }
  }
}

TEST_F(LocalExecutorTest, TerminateForwardsSigtermToAJobThatHandlesIt) {
  AttemptKey key{"polite", 1};
  ASSERT_TRUE(executor_
                  ->Launch(Request(key.job_id, {"sh", "-c",
                                                "trap 'echo got-term; exit 42' TERM; echo ready; "
                                                "sleep 1000 & wait"}))
                  .ok());
  ASSERT_TRUE(RunUntil([&] { return LogContains(key, "ready"); }));
  executor_->Terminate(key, 20'000);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kExited);
  EXPECT_EQ(outcome->exit_code, 42);
  EXPECT_TRUE(LogContains(key, "got-term"));
}

TEST_F(LocalExecutorTest, TerminateAfterExitDoesNothing) {
  RunSh("done", "exit 0");
  executor_->Terminate({"done", 1}, 0);
  executor_->Terminate({"never-launched", 1}, 0);
  EXPECT_EQ(exits_.size(), 1u);
}

TEST_F(LocalExecutorTest, NoFdLeaksIntoJobs) {
  int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaked, 0);
  RunSh("fds", "ls -l /proc/self/fd");
  ::close(leaked);
  std::set<int> fds;
  for (const LogEvent& e : LogEvents({"fds", 1})) {
    size_t arrow = e.message.find(" -> ");
    if (arrow == std::string::npos) continue;
    size_t space = e.message.rfind(' ', arrow - 1);
    int fd = std::stoi(e.message.substr(space + 1, arrow - space - 1));
    fds.insert(fd);
    std::string expected_target = fd == 0   ? "/dev/null"
                                  : fd <= 2 ? "pipe:"
                                            : "/proc/";  // 3: ls's own
    EXPECT_NE(e.message.find(expected_target), std::string::npos) << e.message;
  }
  EXPECT_EQ(fds, (std::set<int>{0, 1, 2, 3}));
}

TEST_F(LocalExecutorTest, EnvironmentIsTheBasePlusTheRequestOnly) {
  ::setenv("NIGHTSHIFT_TEST_SERVER_SECRET", "leak", 1);
  NewExecutor();
  LaunchRequest request = Request("parent:3", {"sh", "-c", "env"});
  request.environment = {{"FOO", "bar baz"}, {"PATH", "/usr/bin:/bin"}};
  Run(request);
  ::unsetenv("NIGHTSHIFT_TEST_SERVER_SECRET");
  std::set<std::string> env;
  for (const LogEvent& e : LogEvents(request.key)) env.insert(e.message);
  EXPECT_TRUE(env.count("FOO=bar baz"));
  EXPECT_TRUE(env.count("PATH=/usr/bin:/bin"));
  EXPECT_TRUE(env.count("AWS_BATCH_JOB_ID=parent:3"));
  EXPECT_TRUE(env.count("AWS_BATCH_JOB_ATTEMPT=1"));
  for (const std::string& var : env)
    EXPECT_EQ(var.find("NIGHTSHIFT_TEST_SERVER_SECRET"), std::string::npos) << var;
}

TEST_F(LocalExecutorTest, RejectsInvalidRequests) {
  EXPECT_EQ(executor_->Launch(Request("x", {})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(executor_->Launch(Request("../x", {"true"})).code(), StatusCode::kInvalidArgument);
  LaunchRequest bad_env = Request("y", {"true"});
  bad_env.environment = {{"A=B", "c"}};
  EXPECT_EQ(executor_->Launch(bad_env).code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalExecutorTest, LaunchingAnAttemptTwiceIsAConflict) {
  LaunchRequest request = Request("twice", {"sh", "-c", "exec sleep 1000"});
  ASSERT_TRUE(executor_->Launch(request).ok());
  EXPECT_EQ(executor_->Launch(request).code(), StatusCode::kConflict);
  executor_->Terminate(request.key, 0);
  ASSERT_TRUE(WaitForExit(request.key).has_value());
}

TEST_F(LocalExecutorTest, LaunchOfAnAttemptAnEarlierSupervisorRecordedIsAConflict) {
  AttemptKey key{"started-before", 1};
  WriteDeadJournal("999999-1", "launch started-before.1\njob started-before.1 999998\n");
  EXPECT_EQ(executor_->Launch(Request(key.job_id, {"true"})).code(), StatusCode::kConflict);
}

// A server that crashed after a launch and before it committed the attempt's start: the next one
// finds the attempt among the unclaimed launches, holds it, and its Launch re-attaches (the job
// writes its ledger once: running, then again once it has ended); one it disowns is killed.
TEST_F(LocalExecutorTest, AHeldLaunchReattachesInsteadOfStartingTheJobAgain) {
  const std::string ledger = dir_.path() + "/ledger", fifo = dir_.path() + "/go";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  AttemptKey running{"running-unclaimed", 1}, ended{"ended-unclaimed", 1}, unwanted{"unwanted", 1};
  LaunchRequest running_request =
      Request(running.job_id, {"sh", "-c", "echo run >> " + ledger + "; read x < " + fifo + "; exit 4"});
  LaunchRequest ended_request = Request(ended.job_id, {"sh", "-c", "echo end >> " + ledger + "; exit 6"});
  ASSERT_TRUE(executor_->Launch(running_request).ok());
  ASSERT_TRUE(executor_->Launch(ended_request).ok());
  ASSERT_TRUE(executor_->Launch(Request(unwanted.job_id, {"sleep", "1000"})).ok());
  ASSERT_TRUE(WaitForExit(ended).has_value());
  ASSERT_TRUE(RunUntil([&] { return ReadEntry(unwanted).job_pid.has_value() && Exists(ledger) && ReadTestFile(ledger).size() == 8; }));
  const pid_t unwanted_pid = *ReadEntry(unwanted).job_pid;
  NewExecutor();  // the crash: nothing of the attempts reached the store
  exits_.clear();
  std::vector<AttemptKey> unclaimed = executor_->UnclaimedLaunches();
  std::sort(unclaimed.begin(), unclaimed.end(), [](const AttemptKey& a, const AttemptKey& b) { return a.job_id < b.job_id; });
  EXPECT_EQ(unclaimed, (std::vector<AttemptKey>{ended, running, unwanted}));
  executor_->Hold(running);
  executor_->Hold(ended);
  executor_->Disown(unwanted);
  ASSERT_TRUE(PollUntil([&] { return IsDead(unwanted_pid); }));
  ASSERT_TRUE(executor_->Launch(ended_request).ok());
  std::optional<core::AttemptOutcome> outcome = WaitForExit(ended);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->exit_code, 6);
  ASSERT_TRUE(executor_->Launch(running_request).ok());
  EXPECT_EQ(executor_->Launch(running_request).code(), StatusCode::kConflict);  // claimed once
  WriteTestFile(fifo, "go\n");
  outcome = WaitForExit(running);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->exit_code, 4);
  std::string lines = ReadTestFile(ledger);
  EXPECT_TRUE(lines == "run\nend\n" || lines == "end\nrun\n") << lines;
  EXPECT_EQ(exits_.size(), 2u);  // nothing of the disowned attempt
}

// The regression test for the cost of an attempt on a slow filesystem: every inode created or
// renamed costs up to a millisecond on ext4 without a journal. Once the supervisor runs, an
// attempt that prints nothing creates no file at all; its records go to the journal.
TEST_F(LocalExecutorTest, AQuietAttemptCreatesNoInode) {
  EXPECT_EQ(Run(Request("first", {"true"})).kind, Kind::kExited);
  auto listing = [&] {
    std::vector<std::pair<std::string, ino_t>> entries;
    for (const std::string& dir : {Root(), JournalDir()}) {
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        struct stat st {};
        ::stat(entry.path().c_str(), &st);
        entries.emplace_back(entry.path().string(), st.st_ino);
      }
    }
    std::sort(entries.begin(), entries.end());
    return entries;
  };
  const auto before = listing();
  EXPECT_EQ(before.size(), 3u);  // journal/, work/, journal/<supervisor>.1.journal
  AttemptKey key{"quiet", 1};
  EXPECT_EQ(Run(Request(key.job_id, {"true"})).kind, Kind::kExited);
  EXPECT_EQ(listing(), before);
  JournalEntry entry = ReadEntry(key);
  EXPECT_TRUE(entry.job_pid.has_value());
  ASSERT_TRUE(entry.exit.has_value() && entry.exit->ok());
  EXPECT_EQ(entry.exit->value().outcome.kind, Kind::kExited);
}

TEST_F(LocalExecutorTest, AdoptsARunningAttemptAfterAServerRestart) {
  std::string fifo = dir_.path() + "/go";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  AttemptKey key{"survivor", 1};
  ASSERT_TRUE(
      executor_
          ->Launch(Request(key.job_id,
                           {"sh", "-c", "echo before; read x < " + fifo + "; echo after; exit 7"}))
          .ok());
  ASSERT_TRUE(RunUntil([&] { return LogContains(key, "before"); }));
  NewExecutor();  // the old server is gone; its supervisor and the job are not
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kRunning);
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kRunning);
  WriteTestFile(fifo, "go\n");
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kExited);
  EXPECT_EQ(outcome->exit_code, 7);
  EXPECT_TRUE(LogContains(key, "after"));
  EXPECT_EQ(exits_.size(), 1u);
}

// A supervisor of an earlier server, alive (the test holds its journal's lock) and detached.
TEST_F(LocalExecutorTest, AnAdoptedAttemptIsReportedWhenItsOutcomeIsAppendedToTheJournal) {
  AttemptKey done{"done-before", 1}, running{"still-running", 1};
  WriteDeadJournal("999999-1", "launch done-before.1\njob done-before.1 999998\n" +
                                   FormatExitJournalRecord("done-before.1", ExitedRecord(9)) +
                                   "launch still-running.1\njob still-running.1 999997\ndetached\n");
  int lock = ::open((JournalDir() + "/999999-1.1.journal").c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);

  EXPECT_EQ(executor_->Adopt(done), AdoptResult::kExited);
  EXPECT_EQ(executor_->Adopt(running), AdoptResult::kRunning);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(done);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->exit_code, 9);
  executor_->MarkOutcomes();  // the engine hands a batch holding that outcome to its store
  std::string text = FormatExitJournalRecord("still-running.1", ExitedRecord(3));
  ASSERT_EQ(::write(lock, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  outcome = WaitForExit(running);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kExited);
  EXPECT_EQ(outcome->exit_code, 3);
  ::close(lock);  // without unlocking first, as a supervisor that dies: the kernel drops the lock
  executor_->OutcomesCommitted();
  EXPECT_FALSE(JournalFiles().empty()) << "an outcome reported after the mark is not committed yet";
  executor_->MarkOutcomes();
  executor_->OutcomesCommitted();
  EXPECT_TRUE(JournalFiles().empty()) << "the journal of a gone supervisor is deleted once committed";
  EXPECT_EQ(exits_.size(), 2u);
}

// A supervisor whose server died may still have launches of that server queued in its socket:
// until it records `detached`, an attempt missing from its journal may yet start. (The test holds
// the journal's lock as that supervisor, and records the launch from another thread, racing Adopt.)
TEST_F(LocalExecutorTest, AdoptWaitsForAnUndetachedSupervisorBeforeCallingAnAttemptNeverStarted) {
  WriteDeadJournal("999999-1", "launch other.1\n");
  int lock = ::open((JournalDir() + "/999999-1.1.journal").c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);
  std::thread supervisor([lock] {
    std::string text = "launch queued.1\njob queued.1 999997\ndetached\n";
    EXPECT_EQ(::write(lock, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  });
  EXPECT_EQ(executor_->Adopt({"queued", 1}), AdoptResult::kRunning);
  supervisor.join();
  EXPECT_EQ(executor_->Adopt({"not-sent", 1}), AdoptResult::kNeverStarted);  // detached now
  ::close(lock);
  std::optional<core::AttemptOutcome> outcome = WaitForExit({"queued", 1});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);  // its supervisor ended without an outcome
}

TEST_F(LocalExecutorTest, AnAdoptedAttemptCanBeTerminated) {
  AttemptKey key{"adopted-then-killed", 1};
  ASSERT_TRUE(
      executor_->Launch(Request(key.job_id, {"sh", "-c", "echo ready; exec sleep 1000"})).ok());
  ASSERT_TRUE(RunUntil([&] { return LogContains(key, "ready"); }));
  NewExecutor();
  ASSERT_EQ(executor_->Adopt(key), AdoptResult::kRunning);
  executor_->Terminate(key, 5000);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kSignaled);
  EXPECT_EQ(outcome->signal, SIGTERM);
}

TEST_F(LocalExecutorTest, AdoptAfterTheJobFinishedReportsItsTrueExitCode) {
  AttemptKey key{"finished-unwatched", 1};
  ASSERT_TRUE(executor_->Launch(Request(key.job_id, {"sh", "-c", "exit 5"})).ok());
  std::optional<pid_t> supervisor = executor_->supervisor_pid();
  executor_.reset();
  ASSERT_TRUE(PollUntil([&] { return IsDead(*supervisor); }));  // the attempt is over
  NewExecutor();
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kExited);
  EXPECT_TRUE(exits_.empty()) << "the outcome must be posted, not delivered inside Adopt";
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kExited);
  EXPECT_EQ(outcome->exit_code, 5);
}

TEST_F(LocalExecutorTest, AnAttemptNoJournalNamesWasNeverStarted) {
  WriteDeadJournal("999999-1", "launch other.1\njob other.1 999998\n");
  EXPECT_EQ(executor_->Adopt({"never", 2}), AdoptResult::kNeverStarted);
  EXPECT_EQ(executor_->Adopt({"../escape", 1}), AdoptResult::kNeverStarted);
  io_.restart();
  io_.poll();
  EXPECT_TRUE(exits_.empty());
  // The engine may now launch the attempt afresh.
  EXPECT_EQ(Run(Request("never", {"true"})).kind, Kind::kExited);
}

// Its supervisor may have spawned the job before dying: it is lost, not started again.
TEST_F(LocalExecutorTest, ALaunchWithoutAJobRecordOfADeadSupervisorIsLost) {
  WriteDeadJournal("999999-1", "launch early.1\n");
  EXPECT_EQ(executor_->Adopt({"early", 1}), AdoptResult::kExited);
  std::optional<core::AttemptOutcome> outcome = WaitForExit({"early", 1});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
}

TEST_F(LocalExecutorTest, AdoptOfADeadSupervisorReportsLostAndKillsTheOrphanedJob) {
  AttemptKey key{"orphan", 1};
  SpawnOptions options;
  options.new_process_group = true;
  options.search_path = "/bin:/usr/bin";
  char* env[] = {nullptr};
  Result<pid_t> orphan = Spawn({"sleep", "1000"}, env, options);
  ASSERT_TRUE(orphan.ok());
  WriteDeadJournal("999999-1", "launch orphan.1\njob orphan.1 " + std::to_string(*orphan) + "\n");

  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kExited);
  EXPECT_TRUE(exits_.empty()) << "the outcome must be posted, not delivered inside Adopt";
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
  EXPECT_NE(outcome->message.find("killed the job's remaining process group"), std::string::npos)
      << outcome->message;
  int status = 0;
  ASSERT_EQ(::waitpid(*orphan, &status, 0), *orphan);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_TRUE(ReadEntry(key).exit.has_value());  // the answer is on disk now

  NewExecutor();  // adopting again gives the same answer
  exits_.clear();
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kExited);
  outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
  EXPECT_EQ(exits_.size(), 1u);
}

TEST_F(LocalExecutorTest, AdoptAfterATornExitRecordReportsLost) {
  AttemptKey key{"torn", 1};
  WriteDeadJournal("999999-1", "launch torn.1\njob torn.1 999998\nexit torn.1\nkind exited\nexit_co");
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kExited);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
  JournalEntry entry = ReadEntry(key);
  ASSERT_TRUE(entry.exit.has_value() && entry.exit->ok());  // appended on a line of its own
  EXPECT_EQ(entry.exit->value().outcome.kind, Kind::kLost);
}

TEST_F(LocalExecutorTest, AdoptOfASpawnFailureReportsItAndKeepsItsLog) {
  AttemptKey key{"failed-unwatched", 1};
  ASSERT_TRUE(executor_->Launch(Request(key.job_id, {"no-such-command-for-nightshift"})).ok());
  std::optional<pid_t> supervisor = executor_->supervisor_pid();
  executor_.reset();
  ASSERT_TRUE(PollUntil([&] { return IsDead(*supervisor); }));  // the attempt is over
  NewExecutor();
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kExited);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kSpawnFailed);
  EXPECT_TRUE(LogContains(key, "No such file or directory"));
}

TEST_F(LocalExecutorTest, ASupervisorKilledHardIsReportedLost) {
  AttemptKey key{"supervisor-killed", 1};
  ASSERT_TRUE(
      executor_->Launch(Request(key.job_id, {"sh", "-c", "echo ready; exec sleep 1000"})).ok());
  ASSERT_TRUE(RunUntil([&] { return LogContains(key, "ready"); }));
  std::optional<pid_t> supervisor = executor_->supervisor_pid();
  ASSERT_TRUE(supervisor.has_value());
  ::kill(*supervisor, SIGKILL);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
  EXPECT_NE(outcome->message.find("killed by signal 9"), std::string::npos) << outcome->message;
  std::optional<pid_t> job = ReadEntry(key).job_pid;
  ASSERT_TRUE(job.has_value());
  EXPECT_TRUE(PollUntil([&] { return IsDead(*job); }));
  EXPECT_EQ(ReadExitRecord(key).outcome.kind, Kind::kLost);  // recorded for later Adopts
  // The next launch starts a new supervisor.
  EXPECT_EQ(Run(Request("after-the-crash", {"true"})).kind, Kind::kExited);
  EXPECT_NE(executor_->supervisor_pid(), supervisor);
}

TEST_F(LocalExecutorTest, AnAdoptedAttemptWhoseSupervisorIsKilledIsReportedLost) {
  AttemptKey key{"adopted-supervisor-killed", 1};
  ASSERT_TRUE(
      executor_->Launch(Request(key.job_id, {"sh", "-c", "echo ready; exec sleep 1000"})).ok());
  ASSERT_TRUE(RunUntil([&] { return LogContains(key, "ready"); }));
  std::optional<pid_t> supervisor = executor_->supervisor_pid();
  ASSERT_TRUE(supervisor.has_value());
  NewExecutor();
  ASSERT_EQ(executor_->Adopt(key), AdoptResult::kRunning);
  ::kill(*supervisor, SIGKILL);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
  std::optional<pid_t> job = ReadEntry(key).job_pid;
  ASSERT_TRUE(job.has_value());
  EXPECT_TRUE(PollUntil([&] { return IsDead(*job); }));
  EXPECT_EQ(ReadExitRecord(key).outcome.kind, Kind::kLost);
}

// Regression: with fds 0-2 closed, the server's own files take the lowest fds, and spawning the
// supervisor (dup2 onto 0-3 in order) overwrote its socket with /dev/null. Run in a child process,
// whose closed stdio is all its own.
TEST_F(LocalExecutorTest, AServerWithClosedStdioStillReachesItsSupervisor) {
  const std::string root = dir_.path() + "/closed-stdio";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (int fd = 0; fd < 3; ++fd) ::close(fd);
    boost::asio::io_context io;
    LocalExecutor executor(io, root, NIGHTSHIFT_SUPERVISOR_PATH);
    std::optional<core::AttemptOutcome> outcome;
    executor.SetExitCallback([&](const AttemptKey&, const core::AttemptOutcome& o) { outcome = o; });
    LaunchRequest request;
    request.key = {"closed-stdio", 1};
    request.argv = {"true"};
    if (!executor.Launch(request).ok()) ::_exit(2);
    auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!outcome && std::chrono::steady_clock::now() < deadline) io.run_one_for(10ms);
    ::_exit(outcome && outcome->kind == Kind::kExited && outcome->exit_code == 0 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: launch failed, 3: no clean exit of the job";
}

TEST_F(LocalExecutorTest, ManyConcurrentAttemptsShareOneSupervisor) {
  constexpr int kCount = 64;
  for (int i = 0; i < kCount; ++i) {
    std::string id = "many-" + std::to_string(i);
    ASSERT_TRUE(
        executor_->Launch(Request(id, {"sh", "-c", "echo out-$AWS_BATCH_JOB_ID; exit " +
                                                       std::to_string(i % 7)}))
            .ok());
  }
  ASSERT_TRUE(RunUntil([&] { return exits_.size() == kCount; }));
  for (const auto& [key, outcome] : exits_) {
    int i = std::stoi(key.job_id.substr(5));
    EXPECT_EQ(outcome.kind, Kind::kExited) << key.job_id;
    EXPECT_EQ(outcome.exit_code, i % 7) << key.job_id;
    EXPECT_TRUE(LogContains(key, "out-" + key.job_id)) << key.job_id;
  }
  EXPECT_EQ(JournalFiles().size(), 1u);  // one supervisor, one journal
}

TEST_F(LocalExecutorTest, TheSupervisorExitsOnceItsServerIsGoneAndItsAttemptsAreOver) {
  std::string fifo = dir_.path() + "/go";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  AttemptKey key{"last-one", 1};
  ASSERT_TRUE(executor_->Launch(Request(key.job_id, {"sh", "-c", "read x < " + fifo})).ok());
  std::optional<pid_t> supervisor = executor_->supervisor_pid();
  ASSERT_TRUE(supervisor.has_value());
  executor_.reset();  // the server goes away; the attempt keeps its supervisor alive
  EXPECT_FALSE(IsDead(*supervisor));
  WriteTestFile(fifo, "go\n");
  EXPECT_TRUE(PollUntil([&] { return IsDead(*supervisor); }));
  EXPECT_EQ(ReadExitRecord(key).outcome.exit_code, 0);
}

TEST_F(LocalExecutorTest, TheJournalRotatesAndCommittedSegmentsAreDeletedAcrossARestart) {
  executor_->SetJournalRotation(4);
  std::string fifo = dir_.path() + "/go";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  AttemptKey key{"long", 1};
  ASSERT_TRUE(executor_->Launch(Request(key.job_id, {"sh", "-c", "read x < " + fifo + "; exit 7"})).ok());
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(RunSh("quick-" + std::to_string(i), "exit 0").kind, Kind::kExited);
    executor_->MarkOutcomes();
    executor_->OutcomesCommitted();
  }
  std::vector<std::string> files = JournalFiles();
  EXPECT_LE(files.size(), 3u);
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files.back().find(".1.journal"), std::string::npos) << "not rotated: " << files.back();
  NewExecutor();  // the long job's launch is only in a segment carried over: still adopted
  ASSERT_EQ(executor_->Adopt(key), AdoptResult::kRunning);
  WriteTestFile(fifo, "go\n");
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->exit_code, 7);
}

// An attempt dir of the previous layout: read, never written.
TEST_F(LocalExecutorTest, AnAttemptOfThePreviousLayoutIsAdoptedAndItsLogFound) {
  AttemptKey key{"old", 1};
  std::filesystem::create_directories(Root() + "/old.1");
  WriteTestFile(Root() + "/old.1/state", FormatSupervisorLine(999999) + FormatJobLine(999998) +
                                             FormatFinalRecord(ExitedRecord(6)));
  WriteTestFile(Root() + "/old.1/log", "1700000000000 o from the old layout\n");
  EXPECT_EQ(executor_->Adopt(key), AdoptResult::kExited);
  std::optional<core::AttemptOutcome> outcome = WaitForExit(key);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->exit_code, 6);
  EXPECT_TRUE(LogContains(key, "from the old layout"));
  // A running one (its old supervisor holds the lock) cannot be followed: lost, not restarted.
  std::filesystem::create_directories(Root() + "/old.2");
  WriteTestFile(Root() + "/old.2/state", FormatSupervisorLine(999999) + FormatJobLine(999998));
  int lock = ::open((Root() + "/old.2/state").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(executor_->Adopt({"old", 2}), AdoptResult::kExited);
  outcome = WaitForExit({"old", 2});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, Kind::kLost);
  ::close(lock);
}

}  // namespace
}  // namespace nightshift::exec
