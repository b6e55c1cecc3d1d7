#include "cli/run_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace nightshift::cli {
namespace {

constexpr TimeMs kMinRedrawMs = 100;  // at most ~10 redraws a second

bool Ended(const core::StepRun& step) { return core::IsTerminal(step.state); }

// Whole seconds for the status line, so it changes at most once a second by itself.
std::string Elapsed(TimeMs ms) {
  const int64_t s = std::max<TimeMs>(ms, 0) / 1000;
  char text[32];
  if (s < 60) {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  }
  return text;
}

std::string StepDuration(const core::StepRun& step) {
  if (step.started_at <= 0 || step.stopped_at < step.started_at) return "-";
  return FormatDuration(step.stopped_at - step.started_at);
}

// "analyzer SUCCEEDED in 1.2s", "aggregator FAILED in 0.1s (exit 3)", "deployer SKIPPED: ...".
std::string EndLine(const core::StepRun& step) {
  std::string line = step.name + " " + std::string(core::Name(step.state));
  const std::string duration = StepDuration(step);
  if (duration != "-") line += " in " + duration;
  if (step.state == core::StepState::kFailed && step.exit_code) {
    line += " (exit " + std::to_string(*step.exit_code) + ")";
  } else if (step.state != core::StepState::kSucceeded && !step.reason.empty()) {
    line += ": " + step.reason;
  }
  return line;
}

// Columns as wide as their widest cell; unlike PrintTable nothing is cut, so log paths stay
// whole for copying.
void PrintAligned(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

}  // namespace

RunDisplay::RunDisplay(std::ostream& out, int terminal_width) : out_(out), width_(terminal_width) {}

void RunDisplay::Update(const core::PipelineRun& run, TimeMs now, const std::vector<size_t>* changed_steps) {
  PrintEvents(run, changed_steps);
  if (on_terminal()) NoteStatusFacts(run);
  have_run_ = true;
  if (on_terminal() && now - drawn_at_ >= kMinRedrawMs) Draw(now);
}

void RunDisplay::Tick(TimeMs now) {
  if (on_terminal() && have_run_) Draw(now);
}

void RunDisplay::Finish() {
  if (on_terminal() && !drawn_.empty()) out_ << "\r\033[K" << std::flush;
  drawn_.clear();
}

// Only steps whose state changed since the previous snapshot can have news, so the common case
// is one comparison per step, or per changed step when the caller knows them.
void RunDisplay::PrintEvents(const core::PipelineRun& run,
                             const std::vector<size_t>* changed_steps) {
  std::vector<std::pair<std::string, bool>> events;  // line, is a failure
  if (seen_.size() != run.steps.size()) {
    seen_.assign(run.steps.size(), SeenStep{});
    seen_ended_ = 0;
    seen_running_.clear();
    changed_steps = nullptr;
  }
  if (changed_steps) {
    for (size_t i : *changed_steps) {
      if (i < run.steps.size()) NoteStep(i, run.steps[i], events);
    }
  } else {
    for (size_t i = 0; i < run.steps.size(); ++i) NoteStep(i, run.steps[i], events);
  }
  for (const auto& [line, failure] : events) {
    if (on_terminal() && !failure) continue;  // on a terminal only failures stay, as in ninja
    Finish();
    out_ << line << "\n";
  }
  if (!events.empty()) out_ << std::flush;
}

void RunDisplay::NoteStep(size_t index, const core::StepRun& step,
                          std::vector<std::pair<std::string, bool>>& events) {
  SeenStep& seen = seen_[index];
  if (step.state == seen.state) return;
  const core::StepState before = std::exchange(seen.state, step.state);
  seen_ended_ += Ended(step) ? 1 : 0;
  seen_ended_ -= core::IsTerminal(before) ? 1 : 0;
  if (before == core::StepState::kRunning) seen_running_.erase(index);
  if (step.state == core::StepState::kRunning) seen_running_.insert(index);
  const bool starts = step.state == core::StepState::kRunning;
  // A step that started and ended between two snapshots still gets its "started" line.
  const bool started_unseen =
      Ended(step) && step.started_at > 0 && seen.starts == 0 && before != core::StepState::kRunning;
  if (starts || started_unseen)
    events.emplace_back(step.name + (seen.starts++ == 0 ? " started" : " started again"), false);
  if (Ended(step) && !core::IsTerminal(before))
    events.emplace_back(EndLine(step), step.state == core::StepState::kFailed);
}

void RunDisplay::NoteStatusFacts(const core::PipelineRun& run) {
  StatusFacts facts;
  facts.total = run.steps.size();
  facts.state = run.state;
  facts.created_at = run.created_at;
  facts.ended = seen_ended_;  // PrintEvents has just seen this snapshot
  for (size_t i : seen_running_) {
    const core::StepRun& step = run.steps[i];
    if (facts.running.size() < static_cast<size_t>(width_)) {  // Draw cuts the line there anyway
      if (!facts.running.empty()) facts.running += ", ";
      facts.running += step.name;
    }
    if (step.started_at > 0 && (facts.running_since == 0 || step.started_at < facts.running_since)) {
      facts.running_since = step.started_at;
    }
  }
  facts_ = std::move(facts);
}

void RunDisplay::Draw(TimeMs now) {
  std::string line = StatusLine(now);
  if (line.size() >= static_cast<size_t>(width_))
    line.resize(width_ > 1 ? width_ - 1 : 0);  // no wrap
  if (line == drawn_) return;
  out_ << "\r" << line << "\033[K" << std::flush;
  drawn_ = std::move(line);
  drawn_at_ = now;
}

std::string RunDisplay::StatusLine(TimeMs now) const {
  std::string line = "[";  // built by appends: GCC 12 warns falsely on "[" + std::string
  line += std::to_string(facts_.ended) + "/" + std::to_string(facts_.total) + "] ";
  if (!facts_.running.empty()) {
    const TimeMs since = facts_.running_since > 0 ? std::min(now, facts_.running_since) : now;
    return line + facts_.running + " running " + Elapsed(now - since);
  }
  if (facts_.state != core::RunState::kRunning) return line + std::string(core::Name(facts_.state));
  return line + "waiting " + Elapsed(now - facts_.created_at);
}

std::string FormatDuration(TimeMs ms) {
  if (ms < 60'000) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs",
                  static_cast<double>(std::max<TimeMs>(ms, 0)) / 1000.0);
    return text;
  }
  return Elapsed(ms);
}

void PrintRunSummary(std::ostream& out, const core::PipelineRun& run,
                     const std::map<std::string, std::string>& logs) {
  std::vector<std::vector<std::string>> rows = {{"STEP", "STATE", "DURATION", "EXIT", "LOG"}};
  for (const core::StepRun& step : run.steps) {
    auto log = logs.find(step.name);
    rows.push_back({step.name, std::string(core::Name(step.state)), StepDuration(step),
                    step.exit_code ? std::to_string(*step.exit_code) : "-",
                    log == logs.end() || log->second.empty() ? "-" : log->second});
  }
  PrintAligned(out, rows);
  for (const core::StepRun& step : run.steps) {
    if (step.state != core::StepState::kSucceeded && !step.reason.empty()) {
      out << "  " << step.name << ": " << step.reason << "\n";
    }
  }
  out << "run " << run.id << " of " << run.pipeline << " " << core::Name(run.state);
  if (run.stopped_at >= run.created_at && run.stopped_at > 0)
    out << " in " << FormatDuration(run.stopped_at - run.created_at);
  if (!run.reason.empty()) out << ": " << run.reason;
  out << "\n";
}

int ExitStatusOf(const core::PipelineRun& run) {
  return run.state == core::RunState::kSucceeded ? 0 : 1;
}

int StdoutTerminalWidth() {
  winsize ws{};
  if (!isatty(STDOUT_FILENO)) return 0;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return 80;
  return ws.ws_col;
}

}  // namespace nightshift::cli
