// RunDisplay: what `nightshift run` shows while a pipeline run runs, and the summary after it
// ended. It only formats: it is fed snapshots of the run and the current time, so the same
// display serves a run in this process and a run followed on a server.
//   * on a terminal: one status line redrawn in place, `[3/7] aggregator running 12s` (ended
//     steps / all steps, the running steps, how long they have run), at most ~10 times a second;
//     failed steps are also printed above it as they fail.
//   * otherwise: one plain line per event, `analyzer started`, `analyzer SUCCEEDED in 1.2s`.
// Thread-safety: none; one per run, used from one thread.
#pragma once

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/pipeline.h"
#include "util/clock.h"

namespace nightshift::cli {

class RunDisplay {
 public:
  // `terminal_width` is the terminal's width in columns, or 0 when `out` is not a terminal.
  RunDisplay(std::ostream& out, int terminal_width);

  bool on_terminal() const { return width_ > 0; }

  // A new snapshot of the run. On a terminal the status line is redrawn unless it was drawn
  // less than a tenth of a second ago (then the next Tick draws it); otherwise a line is printed
  // for every step that started or ended since the previous snapshot.
  // `changed_steps`: the indices of the only steps that can have changed since the previous
  // snapshot (null: any; the first snapshot is always read whole).
  void Update(const core::PipelineRun& run, TimeMs now,
              const std::vector<size_t>* changed_steps = nullptr);
  // Called by a timer (about every 100 ms): redraws the status line if its text changed.
  void Tick(TimeMs now);
  // Clears the status line; call before printing anything else.
  void Finish();

 private:
  // What the snapshots so far showed of one step. Steps are matched by their index in
  // PipelineRun::steps: a run's steps keep their (topological) order from snapshot to snapshot.
  struct SeenStep {
    core::StepState state = core::StepState::kPending;
    int starts = 0;  // how often the step was seen starting
  };
  // The facts the status line needs from the latest snapshot. The snapshot itself is not kept:
  // the engine reports a run after every loop turn that changed it, and copying a 10,000-step
  // run each time (with per-step map lookups) made the display cost more than the run itself.
  struct StatusFacts {
    size_t ended = 0;
    size_t total = 0;
    std::string running;       // names of the running steps, ", "-separated, cut at the width
    TimeMs running_since = 0;  // the earliest start among them; 0: unknown
    core::RunState state = core::RunState::kRunning;
    TimeMs created_at = 0;
  };

  void PrintEvents(const core::PipelineRun& run, const std::vector<size_t>* changed_steps);
  void NoteStep(size_t index, const core::StepRun& step, std::vector<std::pair<std::string, bool>>& events);
  void NoteStatusFacts(const core::PipelineRun& run);
  void Draw(TimeMs now);
  std::string StatusLine(TimeMs now) const;

  std::ostream& out_;
  int width_;
  StatusFacts facts_;
  bool have_run_ = false;
  std::vector<SeenStep> seen_;     // by index in PipelineRun::steps
  size_t seen_ended_ = 0;          // steps seen ended
  std::set<size_t> seen_running_;  // indices of the steps seen running
  std::string drawn_;           // the status line on screen
  TimeMs drawn_at_ = 0;
};

// "0.4s", "12.0s", "2m05s", "1h02m".
std::string FormatDuration(TimeMs ms);

// The final summary: a table of the steps (step, state, duration, exit code, log location) and
// the run's state with its reason. `logs` maps a step name to where its log is.
void PrintRunSummary(std::ostream& out, const core::PipelineRun& run,
                     const std::map<std::string, std::string>& logs);

// `nightshift run`'s exit status for an ended run: 0 if it SUCCEEDED, else 1.
int ExitStatusOf(const core::PipelineRun& run);

// The width of the terminal stdout is, or 0 when stdout is not a terminal.
int StdoutTerminalWidth();

}  // namespace nightshift::cli
