// Pipeline files: a named DAG of steps in one YAML (or JSON) file, parsed and validated here into
// a PipelineSpec. Pure code: no clock, no engine, no files opened (the caller passes the text)
// except the system's time zone database, which schedule::Zone::Load reads once per process to
// check `schedule.timezone`.
//
//   name: nightly-etl
//   params: {region: berlin, day: ~}        # a null default makes a param required
//   schedule: {expression: "0 2 * * *", timezone: Europe/Berlin}
//   defaults: {queue: default, retry: {attempts: 2}, timeout: 6h}
//   steps:
//     analyzer:   {command: ["./analyze.sh", "{{ ds }}", "{{ params.region }}"]}
//     aggregator: {command: "./aggregate.sh {{ ds }}", depends_on: [analyzer]}
//     deployer:   {command: ["./deploy.sh"], depends_on: [{step: aggregator, condition: success}]}
//
// Validation reports every problem at once, each with its line and column.
//
// Values:
//   names      pipeline: 1-64, step: 1-100, param: 1-64 letters, digits, '-' or '_'; env var
//              names: letters, digits and '_', not starting with a digit
//   durations  whole seconds or units from largest to smallest: 90s, 30m, 6h, 1d, 1h30m
//              (timeout and catch_up_window at least 1 s; backoff delay and max may be 0)
//   memory     whole MiB, or 512Mi / 2Gi (binary) or 512M / 2G (decimal bytes, rounded up to
//              whole MiB, as in Kubernetes: 2G is 1908 MiB); 1 MiB to 1 PiB
//   vcpus > 0; array 2..100,000; retry.attempts 1..10; at most 5 evaluate_on_exit rules, action
//   RETRY or EXIT in any case, patterns may end in '*' (exit codes: digits); backoff factor >= 1;
//   schedule.jitter 0..1440 minutes; booleans true or false. Scalars become strings where strings
//   are expected (env: {N: 5} is "5"). Param defaults are plain text, not templates.
// Defaults: a step's own queue, retry (replaced whole, not merged), timeout, vcpus and memory win
// over `defaults`; env maps merge, the step's value winning.
// Dependencies: unknown steps, a step naming itself or the same step twice, and array steps
// depending on array steps of another size (N_TO_N pairs children by index) are problems; a plain
// step may depend on an array step (it waits for every child) and the reverse. A cycle is
// reported once per group of steps that reach each other, as "cycle: a -> b -> a" where "a -> b"
// reads "a depends on b", from the group's first step in the file.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "util/clock.h"
#include "util/status.h"

namespace nightshift::pipeline {

struct SourcePos {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// When a step may run, given how its upstream step ended.
enum class StepCondition {
  kSuccess,     // the upstream step succeeded (default)
  kFailure,     // the upstream step failed
  kCompletion,  // the upstream step ended either way
};

struct StepDependency {
  std::string step;
  StepCondition condition = StepCondition::kSuccess;
  SourcePos pos;
};

struct Backoff {
  int64_t delay_seconds = 0;
  double factor = 2.0;
  int64_t max_delay_seconds = 0;  // 0 = unbounded
  bool jitter = false;
};

struct RetrySpec {
  int attempts = 1;                              // 1..10, as AWS
  std::vector<core::RetryRule> evaluate_on_exit;  // AWS's rules
  std::optional<Backoff> backoff;
};

struct StepSpec {
  std::string name;
  SourcePos pos;
  // Exactly one of `command` and `definition`. A YAML list is argv; a string becomes
  // {"/bin/sh", "-c", string}. Elements may hold templates ({{ ... }}), rendered per run.
  std::vector<std::string> command;
  std::string definition;  // "name" or "name:revision" of a registered job definition
  std::string image;       // with `command`: the container image it runs in (podman); empty: a host process
  std::map<std::string, std::string> env;  // values may hold templates
  std::optional<double> vcpus;
  std::optional<int64_t> memory_mib;
  std::optional<int64_t> timeout_seconds;
  std::optional<RetrySpec> retry;
  std::string queue;   // the step's, else defaults.queue, else "default" (never empty)
  int array_size = 0;  // 0: not an array; else 2..100,000 children
  std::vector<StepDependency> depends_on;
};

struct ScheduleSpec {
  std::string expression;
  std::string timezone = "UTC";
  std::string dst_gap = "shift";      // names as in schedule/timetable.h and core/schedule.h;
  std::string dst_repeat = "first";   // checked by the validator
  std::string overlap = "skip";
  std::string catch_up = "latest";
  std::optional<int64_t> catch_up_window_seconds;
  int jitter_minutes = 0;
  bool enabled = true;
  int max_active_runs = 1;  // runs of the pipeline's schedule active at once (1..1000)
  SourcePos pos;
};

struct ParamSpec {
  std::string name;
  std::optional<std::string> default_value;  // nullopt: required
  SourcePos pos;
};

struct PipelineSpec {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
  std::optional<ScheduleSpec> schedule;
  // After `defaults` were applied to each step (queue, retry, timeout, vcpus, memory, env).
  std::vector<StepSpec> steps;  // in a topological order (dependencies first), ties in file order
};

struct Problem {
  SourcePos pos;
  std::string message;  // "steps.aggregator.depends_on[0]: unknown step 'analyser' (did you mean 'analyzer'?)"
};

struct ParseResult {
  std::optional<PipelineSpec> spec;  // set only when there is no problem
  std::vector<Problem> problems;     // every problem, in file order
};

// Parses and validates a pipeline file (YAML 1.2; JSON is YAML). Problems: syntax errors, unknown
// keys (typos, with a suggestion), wrong types, duplicate keys or step names, unknown steps in
// depends_on, cycles (naming the cycle: "a -> b -> c -> a"), invalid templates, invalid schedule
// expressions or policy names, values out of range, a step with both or neither of command and
// definition.
ParseResult ParsePipeline(std::string_view text);

// "file:3:7: message" lines, one per problem.
std::string FormatProblems(std::string_view file_name, const std::vector<Problem>& problems);

// --- Templates: {{ params.NAME }}, {{ ds }}, {{ logical_date }}, {{ data_interval_start }},
// {{ data_interval_end }}, {{ run_id }}. Nothing else: no expressions, filters or code.
struct TemplateContext {
  std::map<std::string, std::string> params;
  std::string ds;                   // YYYY-MM-DD of the logical date in the pipeline's zone
  std::string logical_date;         // RFC 3339 in the pipeline's zone
  std::string data_interval_start;  // RFC 3339
  std::string data_interval_end;    // RFC 3339
  std::string run_id;
};

// Errors: kInvalidArgument naming the bad placeholder and its offset.
Result<std::string> RenderTemplate(std::string_view text, const TemplateContext& context);

}  // namespace nightshift::pipeline
