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
  void Update(const core::PipelineRun& run, TimeMs now);
  // Called by a timer (about every 100 ms): redraws the status line if its text changed.
  void Tick(TimeMs now);
  // Clears the status line; call before printing anything else.
  void Finish();

 private:
  void PrintEvents(const core::PipelineRun& run);
  void Draw(TimeMs now);
  std::string StatusLine(TimeMs now) const;

  std::ostream& out_;
  int width_;
  core::PipelineRun run_;
  bool have_run_ = false;
  std::map<std::string, core::StepState> seen_;  // step -> state at the previous snapshot
  std::map<std::string, int> starts_;            // step -> how often it was seen starting
  std::string drawn_;                            // the status line on screen
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
