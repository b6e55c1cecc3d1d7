// FakeExecutor: an Executor for engine tests. Launch records the request (and lets a test observe
// what the store held at that instant); exits happen only when the test calls Exit().
// Thread-safety: none; single-threaded tests.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "exec/executor.h"

namespace nightshift::testing {

class FakeExecutor final : public exec::Executor {
 public:
  void SetExitCallback(ExitCallback callback) override { on_exit_ = std::move(callback); }

  Status Launch(const exec::LaunchRequest& request) override {
    if (before_launch_) before_launch_(request);
    launched_.push_back(request);
    return launch_status_;
  }
  void Terminate(const exec::AttemptKey& key, int64_t grace_ms) override { terminated_.push_back(key); }
  exec::AdoptResult Adopt(const exec::AttemptKey& key) override {
    adopted_.push_back(key);
    auto it = adopt_results_.find(key.job_id);
    return it == adopt_results_.end() ? default_adopt_result_ : it->second;
  }
  std::string LogPath(const exec::AttemptKey& key) const override { return "/nonexistent/" + key.job_id; }
  bool RecordsLaunches() const override { return records_launches_; }
  std::vector<exec::AttemptKey> UnclaimedLaunches() override { return unclaimed_; }
  void Hold(const exec::AttemptKey& key) override { held_.push_back(key); }
  void Disown(const exec::AttemptKey& key) override { disowned_.push_back(key); }

  // Reports the attempt's end, as a real executor would from its event loop.
  void Exit(const exec::AttemptKey& key, int exit_code) {
    core::AttemptOutcome outcome;
    outcome.exit_code = exit_code;
    on_exit_(key, outcome);
  }

  // Called inside Launch, before it returns.
  void set_before_launch(std::function<void(const exec::LaunchRequest&)> f) { before_launch_ = std::move(f); }
  void set_launch_status(Status st) { launch_status_ = std::move(st); }
  void set_adopt_result(const std::string& job_id, exec::AdoptResult r) { adopt_results_[job_id] = r; }
  void set_default_adopt_result(exec::AdoptResult r) { default_adopt_result_ = r; }
  void set_records_launches(bool records) { records_launches_ = records; }
  void set_unclaimed_launches(std::vector<exec::AttemptKey> keys) { unclaimed_ = std::move(keys); }

  const std::vector<exec::LaunchRequest>& launched() const { return launched_; }
  const std::vector<exec::AttemptKey>& terminated() const { return terminated_; }
  const std::vector<exec::AttemptKey>& adopted() const { return adopted_; }
  const std::vector<exec::AttemptKey>& held() const { return held_; }
  const std::vector<exec::AttemptKey>& disowned() const { return disowned_; }

 private:
  ExitCallback on_exit_;
  std::function<void(const exec::LaunchRequest&)> before_launch_;
  Status launch_status_;
  std::map<std::string, exec::AdoptResult> adopt_results_;
  exec::AdoptResult default_adopt_result_ = exec::AdoptResult::kRunning;
  std::vector<exec::LaunchRequest> launched_;
  std::vector<exec::AttemptKey> terminated_;
  std::vector<exec::AttemptKey> adopted_;
  bool records_launches_ = false;
  std::vector<exec::AttemptKey> unclaimed_;
  std::vector<exec::AttemptKey> held_;
  std::vector<exec::AttemptKey> disowned_;
};

}  // namespace nightshift::testing
