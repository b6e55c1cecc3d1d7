#include "slurm/slurm_executor.h"

#include <utility>  // before asio (Boost 1.74 with GCC 12)

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "exec/exit_record.h"
#include "exec/job_environment.h"
#include "util/clock.h"
#include "util/ids.h"

namespace nightshift::slurm {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr char kJobNamePrefix[] = "ns.";
constexpr milliseconds kFirstRetry{1000}, kMaxRetry{30'000};
constexpr milliseconds kAfterCancel{1000};
constexpr int64_t kAdoptLockWaitMs = 10'000;
// sbatch calls at once; launches made while they run wait and go together in the next ones, so a
// stream of single submissions becomes a few arrays (as a group commit does for fsyncs).
constexpr int kMaxSubmissionsInFlight = 2;

// The same sbatch options: launches that may share one submission.
std::string GroupKey(const Submission& s) {
  std::string key = s.settings.partition + '\0' + s.settings.account + '\0' + s.settings.qos + '\0';
  for (const std::string& arg : s.settings.sbatch_args) key += arg + '\0';
  key += std::to_string(s.resources.vcpus) + '\0' + std::to_string(s.resources.memory_mib) + '\0' +
         (s.timeout_seconds ? std::to_string(*s.timeout_seconds) : "-");
  return key;
}

// Writes `text` to path via a temporary name: a reader sees all of it or nothing.
Status WriteWhole(const std::string& path, std::string_view text, int mode) {
  const std::string tmp = path + ".tmp";
  Result<exec::UniqueFd> fd = exec::OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (!fd.ok()) return fd.status();
  NS_RETURN_IF_ERROR(exec::WriteAll(fd->get(), text));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return exec::ErrnoStatus("rename " + tmp);
  return Status::Ok();
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// How Slurm names element `index` of a submission of `size` (a single task is a plain job).
std::string ElementName(const std::string& job_id, int index, size_t size) {
  return size == 1 ? job_id : job_id + "_" + std::to_string(index);
}

}  // namespace

struct SlurmExecutor::Tracked {
  exec::AttemptKey key;
  std::string task;
  std::string batch;  // empty until its launch is flushed into a batch
  int index = 0;
  Submission submission;  // its sbatch options
  bool started = false;
  std::string slurm_job_id;  // Slurm's raw id of its element, from the start record
  bool ended = false;
  bool kill_requested = false;
  int64_t grace_ms = 0;
  std::string reason;  // the last waiting reason reported
};

struct SlurmExecutor::Batch {
  enum class State { kSubmitting, kWaitingRetry, kSubmitted, kUnknown, kNeverSubmitted };
  std::string id;
  std::vector<std::string> tasks;
  Submission submission;
  State state = State::kSubmitting;
  std::string array_id;
  exec::UniqueFd lock;  // flock held while sbatch runs
  uint64_t submitted_seq = 0;
  milliseconds backoff = kFirstRetry;
  std::unique_ptr<boost::asio::steady_timer> retry;
  int live = 0;  // its tasks still tracked or on disk
};

struct SlurmExecutor::Watch {
  Watch(boost::asio::io_context& io, int fd) : stream(io, fd), reconcile(io) {}
  boost::asio::posix::stream_descriptor stream;
  boost::asio::steady_timer reconcile;
  bool reconcile_armed = false;
  IdGenerator ids;
};

SlurmExecutor::SlurmExecutor(boost::asio::io_context& io, SlurmExecutorOptions options)
    : io_(io),
      options_(std::move(options)),
      layout_{options_.shared_dir},
      runner_(io, options_.slurm_conf, options_.command_time_limit) {}

SlurmExecutor::~SlurmExecutor() { *alive_ = false; }

Status SlurmExecutor::Start() {
  if (options_.rest.url.empty()) {
    client_ = MakeCommandClient(runner_, options_.bin_dir);
  } else {
    Result<std::unique_ptr<SlurmClient>> rest = MakeRestClient(runner_, options_.rest, options_.command_time_limit);
    if (!rest.ok()) return rest.status();
    client_ = std::move(*rest);
  }
  std::error_code ec;
  for (const char* sub : {"tasks", "batches", "status", "logs", "work"}) {
    fs::create_directories(fs::path(layout_.dir) / sub, ec);
    if (ec) return Status::Unavailable("cannot create " + layout_.dir + "/" + sub + ": " + ec.message());
  }
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return exec::ErrnoStatus("inotify_init1");
  watch_ = std::make_unique<Watch>(io_, fd);
  if (::inotify_add_watch(fd, layout_.StatusDir().c_str(), IN_MOVED_TO) < 0) {
    return exec::ErrnoStatus("inotify_add_watch " + layout_.StatusDir());
  }
  WatchStatusDir();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Launching

Status SlurmExecutor::Launch(const exec::LaunchRequest& r) {
  if (!watch_) return Status::Unavailable("the Slurm executor is not started");
  if (!r.run_as.empty()) {
    return Status::InvalidArgument("run-as user " + r.run_as +
                                   ": Slurm compute environments run jobs as the server's own user");
  }
  const std::string task = TaskName(r.key.job_id, r.key.attempt);
  TaskSpec spec;
  spec.job_id = r.key.job_id;
  spec.attempt = r.key.attempt;
  spec.argv = r.argv;
  std::map<std::string, std::string> env;
  for (core::EnvVar& var : exec::JobBaseEnvironment()) {
    if (var.name != "TMPDIR") env[var.name] = std::move(var.value);  // the node has its own
  }
  for (const core::EnvVar& var : r.environment) env[var.name] = var.value;
  for (auto& [name, value] : env) spec.environment.push_back({name, value});
  spec.secrets = r.secrets;
  spec.secrets_dir = options_.secrets_dir;
  spec.working_dir = r.working_dir;
  NS_RETURN_IF_ERROR(WriteWhole(layout_.TaskPath(task), EncodeTaskSpec(spec), 0600));

  auto t = std::make_unique<Tracked>();
  t->key = r.key;
  t->task = task;
  t->submission.settings = r.slurm;
  t->submission.resources = r.resources;
  t->submission.timeout_seconds = r.timeout_seconds;
  t->submission.output_dir = options_.shared_dir + "/logs";
  t->submission.wrapper = options_.wrapper;
  tracked_[task] = std::move(t);
  to_flush_.push_back(task);
  if (to_flush_.size() == 1) {
    boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (!alive.expired()) FlushLaunches();
    });
  }
  return Status::Ok();
}

// Every launch waiting, grouped by sbatch options, in launch order: one submission each. While
// kMaxSubmissionsInFlight sbatch calls run, launches wait for one of them to end.
void SlurmExecutor::FlushLaunches() {
  if (submissions_in_flight_ >= kMaxSubmissionsInFlight) return;
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<std::string> order;
  for (const std::string& task : std::exchange(to_flush_, {})) {
    auto it = tracked_.find(task);
    if (it == tracked_.end() || it->second->ended) continue;
    std::string key = GroupKey(it->second->submission);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(task);
  }
  for (const std::string& key : order) {
    auto b = std::make_unique<Batch>();
    b->id = watch_->ids.NewTimeOrderedUuid(SystemClock().NowMs());
    b->tasks = groups[key];
    std::string lines;
    for (size_t i = 0; i < b->tasks.size(); ++i) {
      Tracked& t = *tracked_.at(b->tasks[i]);
      t.batch = b->id;
      t.index = static_cast<int>(i);
      lines += b->tasks[i] + "\n";
    }
    b->submission = tracked_.at(b->tasks[0])->submission;
    b->submission.size = static_cast<int>(b->tasks.size());
    b->submission.job_name = kJobNamePrefix + b->id;
    b->submission.batch_path = layout_.BatchPath(b->id);
    b->live = static_cast<int>(b->tasks.size());
    Status written = WriteWhole(b->submission.batch_path, lines, 0644);
    const std::string id = b->id;
    batches_[id] = std::move(b);
    if (!written.ok()) {
      for (const std::string& task : batches_[id]->tasks) {
        core::AttemptOutcome failed;
        failed.kind = core::AttemptOutcome::Kind::kSpawnFailed;
        failed.message = "cannot write the Slurm batch file: " + written.message();
        Deliver(*tracked_.at(task), failed);
      }
      continue;
    }
    Submit(id);
  }
}

void SlurmExecutor::Submit(const std::string& batch_id) {
  Batch& b = *batches_.at(batch_id);
  b.state = Batch::State::kSubmitting;
  ++submissions_in_flight_;
  if (!b.lock.valid()) {
    // Held by sbatch (inherited) while it runs: a restarted server waits for it (Adopt).
    Result<exec::UniqueFd> fd = exec::OpenFile(b.submission.batch_path, O_RDONLY);
    if (fd.ok() && ::flock(fd->get(), LOCK_EX | LOCK_NB) == 0) b.lock = std::move(*fd);
  }
  client_->Submit(b.submission, b.lock.get(),
                  [this, batch_id](CommandResult result) { OnSubmitted(batch_id, result); });
}

void SlurmExecutor::OnSubmitted(const std::string& batch_id, const CommandResult& result) {
  --submissions_in_flight_;
  if (!to_flush_.empty()) FlushLaunches();
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return;
  Batch& b = *it->second;
  Result<std::string> array_id = result.ok() ? ParseSbatchOutput(result.out) : Status::Unavailable(result.ErrorText());
  if (!array_id.ok() && result.started.ok() && IsTransientSlurmError(result.ErrorText())) {
    RetrySubmitLater(batch_id, result.ErrorText());
    return;
  }
  b.lock.reset();
  if (!array_id.ok()) {
    b.state = Batch::State::kNeverSubmitted;  // its files go with its last task
    for (const std::string& task : b.tasks) {
      auto t = tracked_.find(task);
      if (t == tracked_.end()) continue;
      core::AttemptOutcome failed;
      failed.kind = core::AttemptOutcome::Kind::kSpawnFailed;
      failed.message = client_->SubmitterName() + ": " + array_id.status().message();
      Deliver(*t->second, failed);
    }
    return;
  }
  b.array_id = *array_id;
  b.state = Batch::State::kSubmitted;
  b.submitted_seq = ++submissions_;
  (void)WriteWhole(layout_.SubmittedPath(batch_id), b.array_id + "\n", 0644);  // Adopt falls back on squeue
  for (const std::string& task : b.tasks) {
    auto t = tracked_.find(task);
    if (t == tracked_.end() || t->second->ended) continue;
    Progress(*t->second, "Submitted to Slurm as job " + ElementName(b.array_id, t->second->index, b.tasks.size()));
    if (t->second->kill_requested) Cancel(task, false);
  }
  ArmReconcile(options_.poll_interval);
}

void SlurmExecutor::RetrySubmitLater(const std::string& batch_id, const std::string& why) {
  Batch& b = *batches_.at(batch_id);
  b.state = Batch::State::kWaitingRetry;
  const milliseconds wait = b.backoff;
  b.backoff = std::min(b.backoff * 2, kMaxRetry);
  for (const std::string& task : b.tasks) {
    auto t = tracked_.find(task);
    if (t == tracked_.end()) continue;
    Progress(*t->second, "Waiting to submit to Slurm (next try in " + std::to_string(wait.count() / 1000) +
                             " s): " + why);
  }
  if (!b.retry) b.retry = std::make_unique<boost::asio::steady_timer>(io_);
  b.retry->expires_after(wait);
  b.retry->async_wait([this, batch_id, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    auto it = batches_.find(batch_id);
    if (it != batches_.end() && it->second->state == Batch::State::kWaitingRetry) Submit(batch_id);
  });
}

// ---------------------------------------------------------------------------------------------
// Stopping

void SlurmExecutor::Terminate(const exec::AttemptKey& key, int64_t grace_ms) {
  auto it = tracked_.find(TaskName(key.job_id, key.attempt));
  if (it == tracked_.end() || it->second->ended) return;
  Tracked& t = *it->second;
  t.kill_requested = true;
  t.grace_ms = grace_ms;
  auto b = batches_.find(t.batch);
  const bool submitted = b != batches_.end() && b->second->state == Batch::State::kSubmitted;
  const bool in_flight = b != batches_.end() && (b->second->state == Batch::State::kSubmitting ||
                                                 b->second->state == Batch::State::kUnknown);
  if (submitted) {
    Cancel(t.task, false);
  } else if (!in_flight) {  // not handed to Slurm yet: it never will be
    ::unlink(layout_.TaskPath(t.task).c_str());
    core::AttemptOutcome stopped;
    stopped.kind = core::AttemptOutcome::Kind::kSignaled;
    stopped.signal = SIGTERM;
    stopped.reason = "Terminated before it was submitted to Slurm";
    Deliver(t, stopped);
  }  // in flight: OnSubmitted cancels it
}

// scancel of one element. A started one gets SIGTERM (every process of the job; the wrapper
// forwards it to the command's group), then after the grace a full scancel (Slurm's SIGKILL after
// KillWait); one not started yet is simply cancelled.
void SlurmExecutor::Cancel(const std::string& task, bool kill) {
  auto it = tracked_.find(task);
  if (it == tracked_.end() || it->second->ended) return;
  Tracked& t = *it->second;
  const Batch& b = *batches_.at(t.batch);
  const std::string element = ElementName(b.array_id, t.index, b.tasks.size());
  const bool term = t.started && !kill;
  if (term) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, milliseconds(t.grace_ms));
    timer->async_wait([this, task, timer, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
      if (!ec && !alive.expired()) Cancel(task, true);
    });
  }
  client_->Cancel(element, term, [this](CommandResult) { ArmReconcile(kAfterCancel); });
}

// ---------------------------------------------------------------------------------------------
// Observing

void SlurmExecutor::WatchStatusDir() {
  watch_->stream.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                            [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
                              if (ec || alive.expired()) return;
                              alignas(inotify_event) char buf[16 * 1024];
                              ssize_t n;
                              while ((n = ::read(watch_->stream.native_handle(), buf, sizeof buf)) > 0) {
                                for (char* p = buf; p < buf + n;) {
                                  auto* ev = reinterpret_cast<inotify_event*>(p);
                                  if (ev->len > 0) OnStatusFile(ev->name);
                                  p += sizeof(inotify_event) + ev->len;
                                }
                              }
                              WatchStatusDir();
                            });
}

void SlurmExecutor::OnStatusFile(const std::string& name) {
  auto strip = [&](std::string_view suffix) -> std::optional<std::string> {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return std::nullopt;
    }
    return name.substr(0, name.size() - suffix.size());
  };
  if (auto task = strip(".start")) {
    if (auto it = tracked_.find(*task); it != tracked_.end()) ReadStartRecord(*it->second);
  } else if (auto task2 = strip(".exit")) {
    if (auto it = tracked_.find(*task2); it != tracked_.end()) ReadExitRecord(*it->second);
  }
}

void SlurmExecutor::ReadStartRecord(Tracked& t) {
  if (t.started || t.ended) return;
  Result<std::string> text = exec::ReadSmallFile(layout_.StartPath(t.task));
  if (!text.ok()) return;
  Result<StartRecord> record = ParseStartRecord(*text);
  if (!record.ok()) return;
  t.started = true;
  t.slurm_job_id = record->slurm_job_id;
  boost::asio::post(io_, [this, key = t.key, at = record->started_at, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired() && on_start_) on_start_(key, {at, ""});
  });
}

bool SlurmExecutor::ReadExitRecord(Tracked& t) {
  if (t.ended) return true;
  Result<std::string> text = exec::ReadSmallFile(layout_.ExitPath(t.task));
  if (!text.ok()) return false;
  Result<exec::ExitRecord> record = exec::ParseExitRecord(*text);
  if (!record.ok()) return false;
  Deliver(t, record->outcome);
  return true;
}

void SlurmExecutor::Deliver(Tracked& t, const core::AttemptOutcome& outcome) {
  if (t.ended) return;
  t.ended = true;
  // Listed as delivered when the engine has it, not before: a commit in between does not hold it.
  boost::asio::post(io_, [this, key = t.key, task = t.task, outcome, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    delivered_.push_back(task);
    if (on_exit_) on_exit_(key, outcome);
  });
}

void SlurmExecutor::Progress(Tracked& t, const std::string& reason) {
  if (t.started || t.ended || t.reason == reason) return;
  t.reason = reason;
  boost::asio::post(io_, [this, key = t.key, reason, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired() && on_start_) on_start_(key, {std::nullopt, reason});
  });
}

void SlurmExecutor::ArmReconcile(milliseconds after) {
  auto when = std::chrono::steady_clock::now() + after;
  if (watch_->reconcile_armed && watch_->reconcile.expiry() <= when) return;
  watch_->reconcile_armed = true;
  watch_->reconcile.expires_at(when);
  watch_->reconcile.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    watch_->reconcile_armed = false;
    Reconcile();
  });
}

void SlurmExecutor::Reconcile() {
  bool waiting = false;
  for (const auto& [task, t] : tracked_) waiting = waiting || !t->ended;
  if (!waiting) return;
  if (reconcile_running_) {
    ArmReconcile(options_.poll_interval);
    return;
  }
  reconcile_running_ = true;
  const uint64_t generation = submissions_;
  client_->Queue([this, generation](CommandResult result) { OnSqueue(generation, result); });
}

void SlurmExecutor::OnSqueue(uint64_t generation, const CommandResult& result) {
  reconcile_running_ = false;
  Result<std::vector<NamedElements>> elements =
      result.ok() ? ParseSqueueJson(result.out, kJobNamePrefix) : Status::Unavailable(result.ErrorText());
  if (!elements.ok()) {
    for (auto& [task, t] : tracked_) {
      auto b = batches_.find(t->batch);
      if (t->ended || b == batches_.end() || b->second->state != Batch::State::kSubmitted) continue;
      Progress(*t, "Slurm controller unreachable (squeue: " + elements.status().message() +
                       "); nightshift keeps the job and asks again");
    }
    ArmReconcile(options_.poll_interval);
    return;
  }
  std::map<std::pair<std::string, int>, const ElementState*> by_element;  // (job name, index)
  std::set<std::string> names;
  for (const NamedElements& e : *elements) {
    by_element[{e.job_name, e.element.task}] = &e.element;
    names.insert(e.job_name);
  }
  for (auto& [id, b] : batches_) {
    if (b->state != Batch::State::kUnknown) continue;
    const std::string name = kJobNamePrefix + id;
    if (!names.count(name)) {
      Submit(id);  // Slurm does not know it: the sbatch of the previous server never happened
      continue;
    }
    for (const NamedElements& e : *elements) {
      if (e.job_name == name) b->array_id = e.element.array_job_id;
    }
    b->state = Batch::State::kSubmitted;
    (void)WriteWhole(layout_.SubmittedPath(id), b->array_id + "\n", 0644);
  }
  std::vector<std::string> unknown;  // to Slurm's queue, and without an exit record
  for (auto& [task, tp] : tracked_) {
    Tracked& t = *tp;
    auto b = batches_.find(t.batch);
    if (t.ended || b == batches_.end() || b->second->state != Batch::State::kSubmitted ||
        b->second->submitted_seq > generation) {
      continue;
    }
    if (ReadExitRecord(t)) continue;
    if (!t.started && Exists(layout_.StartPath(t.task))) ReadStartRecord(t);
    const std::string element = ElementName(b->second->array_id, t.index, b->second->tasks.size());
    auto e = by_element.find({kJobNamePrefix + t.batch, t.index});
    if (e == by_element.end()) {
      unknown.push_back(task);
    } else if (IsTerminalSlurmState(e->second->state)) {
      Deliver(t, OutcomeFromSlurm(*e->second, element));
    } else if (e->second->state == "PENDING" || e->second->state == "SUSPENDED") {
      Progress(t, "Slurm job " + element + " " + e->second->state + ": " + e->second->reason);
    }
  }
  if (!unknown.empty()) {
    AskAccounting(std::move(unknown), /*completion_log=*/false);  // re-arms the reconciliation
    return;
  }
  ArmReconcile(options_.poll_interval);
}

// Jobs that ended while no server watched have left squeue after MinJobAge: Slurm's accounting
// still knows how they ended. slurmdbd is asked by array id; a cluster without it keeps only the
// job completion log (`sacct -c`), which knows elements by their raw ids (from the start
// records; a single task's is its submission's).
void SlurmExecutor::AskAccounting(std::vector<std::string> tasks, bool completion_log) {
  std::set<std::string> ids;
  for (const std::string& task : tasks) {
    auto t = tracked_.find(task);
    auto b = t == tracked_.end() ? batches_.end() : batches_.find(t->second->batch);
    if (b == batches_.end()) continue;
    if (!completion_log || b->second->tasks.size() == 1) {
      ids.insert(b->second->array_id);
    } else if (!t->second->slurm_job_id.empty()) {
      ids.insert(t->second->slurm_job_id);
    }
  }
  if (ids.empty()) {
    CommandResult none;
    none.started = Status::NotFound("no Slurm job id of theirs is known to ask it about");
    OnAccounting(tasks, completion_log, none);
    return;
  }
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ",") + id;
  reconcile_running_ = true;
  client_->Accounting(list, completion_log, [this, tasks = std::move(tasks), completion_log](CommandResult result) {
    OnAccounting(tasks, completion_log, result);
  });
}

void SlurmExecutor::OnAccounting(const std::vector<std::string>& tasks, bool completion_log,
                                 const CommandResult& result) {
  reconcile_running_ = false;
  if (!completion_log && !result.ok() && IsAccountingDisabled(result.out + result.ErrorText())) {
    AskAccounting(tasks, /*completion_log=*/true);
    return;
  }
  const std::vector<AccountedJob> accounted = result.ok() ? ParseSacct(result.out) : std::vector<AccountedJob>{};
  for (const std::string& task : tasks) {
    auto tp = tracked_.find(task);
    if (tp == tracked_.end()) continue;
    Tracked& t = *tp->second;
    auto b = batches_.find(t.batch);
    if (b == batches_.end() || ReadExitRecord(t)) continue;
    const std::string element = ElementName(b->second->array_id, t.index, b->second->tasks.size());
    const AccountedJob* found = nullptr;
    for (const AccountedJob& job : accounted) {
      if (job.job_name != kJobNamePrefix + t.batch) continue;  // -c: a raw id can be reused after a cold start
      if (job.job_id == element || (!t.slurm_job_id.empty() && job.raw_id == t.slurm_job_id)) found = &job;
    }
    if (found && IsTerminalSlurmState(found->element.state)) {
      core::AttemptOutcome outcome = OutcomeFromSlurm(found->element, element);
      outcome.reason += " (from Slurm's accounting: it had left squeue)";
      Deliver(t, outcome);
      continue;
    }
    if (found) continue;  // accounting says it is still going: squeue is asked again
    core::AttemptOutcome lost;
    lost.kind = core::AttemptOutcome::Kind::kLost;
    lost.message = "Slurm no longer knows job " + element + " and it left no exit record";
    if (!result.ok()) lost.message += " (Slurm's accounting: " + result.ErrorText() + ")";
    lost.reason = lost.message;
    Deliver(t, lost);
  }
  ArmReconcile(options_.poll_interval);
}

// ---------------------------------------------------------------------------------------------
// Restarts

// Reads every batch file left by earlier servers, waits for sbatch calls they left running, and
// asks squeue once which submissions Slurm knows.
void SlurmExecutor::LoadBatchesForAdoption() {
  adoption_loaded_ = true;
  std::error_code ec;
  const int64_t deadline = SystemClock().NowMs() + kAdoptLockWaitMs;
  for (const auto& entry : fs::directory_iterator(layout_.dir + "/batches", ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= 6 || file.compare(file.size() - 6, 6, ".batch") != 0) continue;
    auto b = std::make_unique<Batch>();
    b->id = file.substr(0, file.size() - 6);
    Result<std::string> text = exec::ReadSmallFile(entry.path().string(), 64 * 1024 * 1024);
    if (!text.ok()) continue;
    for (size_t start = 0; start < text->size();) {
      size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      if (end > start) b->tasks.push_back(text->substr(start, end - start));
      start = end + 1;
    }
    b->submission.batch_path = entry.path().string();
    b->submission.job_name = kJobNamePrefix + b->id;
    b->submission.size = static_cast<int>(b->tasks.size());
    if (Result<std::string> submitted = exec::ReadSmallFile(layout_.SubmittedPath(b->id)); submitted.ok()) {
      b->array_id = submitted->substr(0, submitted->find('\n'));
      b->state = Batch::State::kSubmitted;
    } else {
      b->state = Batch::State::kUnknown;
      // An sbatch of the previous server may still be running: it holds the lock until it ends.
      Result<exec::UniqueFd> fd = exec::OpenFile(b->submission.batch_path, O_RDONLY);
      while (fd.ok() && ::flock(fd->get(), LOCK_EX | LOCK_NB) != 0 && SystemClock().NowMs() < deadline) {
        std::this_thread::sleep_for(milliseconds(20));  // bounded by kAdoptLockWaitMs, at start-up only
      }
    }
    for (const std::string& task : b->tasks) b->live += Exists(layout_.TaskPath(task)) ? 1 : 0;
    const std::string id = b->id;
    batches_[id] = std::move(b);
  }
  CommandResult squeue = client_->QueueNow();
  Result<std::vector<NamedElements>> elements =
      squeue.ok() ? ParseSqueueJson(squeue.out, kJobNamePrefix) : Status::Unavailable(squeue.ErrorText());
  if (!elements.ok()) return;  // kUnknown batches are settled by the first Reconcile that works
  for (auto& [id, b] : batches_) {
    if (b->state != Batch::State::kUnknown) continue;
    b->state = Batch::State::kNeverSubmitted;
    for (const NamedElements& e : *elements) {
      if (e.job_name != kJobNamePrefix + id) continue;
      b->array_id = e.element.array_job_id;
      b->state = Batch::State::kSubmitted;
    }
    if (b->state == Batch::State::kSubmitted) {
      (void)WriteWhole(layout_.SubmittedPath(id), b->array_id + "\n", 0644);
    }
  }
}

exec::AdoptResult SlurmExecutor::Adopt(const exec::AttemptKey& key) {
  if (!adoption_loaded_) LoadBatchesForAdoption();
  const std::string task = TaskName(key.job_id, key.attempt);
  auto t = std::make_unique<Tracked>();
  t->key = key;
  t->task = task;
  for (const auto& [id, b] : batches_) {
    for (size_t i = 0; i < b->tasks.size(); ++i) {
      if (b->tasks[i] != task) continue;
      t->batch = id;
      t->index = static_cast<int>(i);
    }
  }
  Tracked& tracked = *t;
  tracked_[task] = std::move(t);
  if (ReadExitRecord(tracked)) return exec::AdoptResult::kExited;
  auto b = batches_.find(tracked.batch);
  if (!Exists(layout_.TaskPath(task)) || b == batches_.end() ||
      b->second->state == Batch::State::kNeverSubmitted) {
    ForgetTask(task);
    return exec::AdoptResult::kNeverStarted;
  }
  ReadStartRecord(tracked);
  ArmReconcile(milliseconds(0));
  return exec::AdoptResult::kRunning;
}

void SlurmExecutor::ForgetTask(const std::string& task) {
  auto it = tracked_.find(task);
  std::string batch_id = it == tracked_.end() ? std::string() : it->second->batch;
  if (it != tracked_.end()) tracked_.erase(it);
  for (const std::string& path : {layout_.TaskPath(task), layout_.StartPath(task), layout_.ExitPath(task)}) {
    ::unlink(path.c_str());
  }
  auto b = batches_.find(batch_id);
  if (b == batches_.end() || --b->second->live > 0) return;
  if (b->second->state == Batch::State::kSubmitting || b->second->state == Batch::State::kWaitingRetry) return;
  ::unlink(layout_.BatchPath(batch_id).c_str());
  ::unlink(layout_.SubmittedPath(batch_id).c_str());
  batches_.erase(b);
}

void SlurmExecutor::MarkOutcomes() { marked_ = delivered_.size(); }

void SlurmExecutor::OutcomesCommitted() {
  const auto end = delivered_.begin() + static_cast<std::ptrdiff_t>(std::min(marked_, delivered_.size()));
  for (auto it = delivered_.begin(); it != end; ++it) ForgetTask(*it);
  delivered_.erase(delivered_.begin(), end);
  marked_ = 0;
}

std::string SlurmExecutor::LogPath(const exec::AttemptKey& key) const {
  return layout_.LogPath(TaskName(key.job_id, key.attempt));
}

std::string SlurmTaskBesideThisProgram() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (ec ? fs::path("nightshift-slurm-task") : self.parent_path() / "nightshift-slurm-task").string();
}

}  // namespace nightshift::slurm
