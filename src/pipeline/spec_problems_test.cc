// Every kind of problem ParsePipeline reports, with its exact position and message.
#include <gtest/gtest.h>

#include "pipeline/layered_pipeline_text.h"
#include "pipeline/pipeline_test_util.h"
#include "pipeline/spec.h"

namespace nightshift::pipeline {
namespace {

using Lines = std::vector<std::string>;

TEST(PipelineProblemsTest, SyntaxErrorsCarryYamlCppsPosition) {
  EXPECT_EQ(ProblemsOf("name: x\nsteps:\n  a: {command: [x]\n  b: {command: [y]}\n"),
            (Lines{"4:3: YAML syntax error: end of map flow not found"}));
  // yaml-cpp 0.7 itself would loop forever on a ',' outside a flow collection.
  EXPECT_EQ(ProblemsOf(",a: b\n"), (Lines{"1:1: YAML syntax error: unexpected ','"}));
  EXPECT_EQ(ProblemsOf("# x\n\n  ,"), (Lines{"3:3: YAML syntax error: unexpected ','"}));
  EXPECT_EQ(ProblemsOf("name: x\nsteps: {a: *nowhere}\n"),
            (Lines{"2:12: YAML syntax error: the referenced anchor is not defined"}));
}

TEST(PipelineProblemsTest, TheFileMustBeOneMapWithNameAndSteps) {
  EXPECT_EQ(ProblemsOf(""),
            (Lines{"1:1: the file is empty: expected a map with 'name' and 'steps'"}));
  EXPECT_EQ(ProblemsOf("# only a comment\n"),
            (Lines{"1:1: the file is empty: expected a map with 'name' and 'steps'"}));
  EXPECT_EQ(ProblemsOf("[1, 2]"), (Lines{"1:1: expected a map, got a list"}));
  EXPECT_EQ(ProblemsOf("description: no name\n"),
            (Lines{"1:1: missing required key 'name'", "1:1: missing required key 'steps'"}));
  EXPECT_EQ(ProblemsOf("name: a\nsteps: {a: {command: x}}\n---\nname: b\n"),
            (Lines{"4:1: a pipeline file holds one YAML document; a second one starts here"}));
}

TEST(PipelineProblemsTest, UnknownKeysAtEveryLevelSuggestTheClosestKnownKey) {
  EXPECT_EQ(ProblemsOf(R"(nmae: x
name: x
schedule: {expresion: "@daily", expression: "@daily"}
defaults: {queue: q, timout: 5}
steps:
  a:
    comand: [x]
    command: [x]
    retry: {attempt: 2, evaluate_on_exit: [{action: exit, on_exitcode: "1"}], backof: {}}
    depends_on: [{step: b, condtion: failure}]
    frobnicate: 1
  b: {command: x}
)"),
            (Lines{
                "1:1: unknown key 'nmae' (did you mean 'name'?)",
                "3:12: schedule: unknown key 'expresion' (did you mean 'expression'?)",
                "4:22: defaults: unknown key 'timout' (did you mean 'timeout'?)",
                "7:5: steps.a: unknown key 'comand' (did you mean 'command'?)",
                "9:13: steps.a.retry: unknown key 'attempt' (did you mean 'attempts'?)",
                "9:59: steps.a.retry.evaluate_on_exit[0]: unknown key 'on_exitcode' (did you "
                "mean 'on_exit_code'?)",
                "9:79: steps.a.retry: unknown key 'backof' (did you mean 'backoff'?)",
                "10:28: steps.a.depends_on[0]: unknown key 'condtion' (did you mean "
                "'condition'?)",
                "11:5: steps.a: unknown key 'frobnicate'",
            }));
}

TEST(PipelineProblemsTest, WrongTypesNameWhatWasExpectedAndFound) {
  EXPECT_EQ(ProblemsOf(R"(name: [x]
params: {day: [1]}
schedule: "@daily"
steps:
  a: {command: {x: 1}, env: [A], vcpus: many, timeout: [1], depends_on: b}
  b: "echo b"
  c:
  d: {command: [x, [y], ~], queue: {}, retry: {evaluate_on_exit: {action: exit}}}
)"),
            (Lines{
                "1:7: name: expected a string, got a list",
                "2:15: params.day: expected a default value (a string or number) or nothing (a "
                "required param), got a list",
                "3:11: schedule: expected a map, got '@daily'",
                "5:16: steps.a.command: expected a list of strings (argv) or a string (run by "
                "/bin/sh -c), got a map",
                "5:29: steps.a.env: expected a map, got a list",
                "5:41: steps.a.vcpus: expected a number, got 'many'",
                "5:56: steps.a.timeout: expected a duration (seconds, or like 90s, 30m, 6h, 1d, "
                "1h30m), got a list",
                "5:73: steps.a.depends_on: expected a list, got 'b'",
                "6:6: steps.b: expected a map, got 'echo b'",
                "7:3: steps.c: expected a map, got nothing",
                "8:16: steps.d.command[2]: expected a string, got nothing",  // at its list
                "8:20: steps.d.command[1]: expected a string, got a list",
                "8:36: steps.d.queue: expected a string, got a map",
                "8:66: steps.d.retry.evaluate_on_exit: expected a list, got a map",
            }));
}

TEST(PipelineProblemsTest, DuplicateKeysAndStepNamesAtEveryLevel) {
  EXPECT_EQ(ProblemsOf(R"(name: x
name: y
params: {p: 1, p: 2}
steps:
  a: {command: x, env: {A: 1, A: 2}, command: y}
  a: {command: z}
  ? [k]
  : {command: x}
)"),
            (Lines{
                "2:1: duplicate key 'name' (first at line 1, column 1)",
                "3:16: params: duplicate param 'p' (first at line 3, column 10)",
                "5:31: steps.a.env: duplicate env var 'A' (first at line 5, column 25)",
                "5:38: steps.a: duplicate key 'command' (first at line 5, column 7)",
                "6:3: steps: duplicate step 'a' (first at line 5, column 3)",
                "7:5: steps: keys must be text, got a list",
            }));
}

TEST(PipelineProblemsTest, UnknownStepsInDependsOnSuggestTheClosestStep) {
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  analyzer: {command: x}
  aggregator:
    command: x
    depends_on: [analyser, {step: nothing-like-it}]
)"),
            (Lines{
                "6:18: steps.aggregator.depends_on[0]: unknown step 'analyser' (did you mean "
                "'analyzer'?)",
                "6:35: steps.aggregator.depends_on[1]: unknown step 'nothing-like-it'",
            }));
}

TEST(PipelineProblemsTest, AStepDependingOnItselfOrTwiceOnTheSameStep) {
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  a: {command: x, depends_on: [a, b, {step: b, condition: failure}]}
  b: {command: x}
)"),
            (Lines{
                "3:32: steps.a.depends_on[0]: step 'a' depends on itself",
                "3:45: steps.a.depends_on[2]: step 'b' is named twice",
            }));
}

TEST(PipelineProblemsTest, CyclesAreNamedInOrderOncePerCycle) {
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  z: {command: x}
  a: {command: x, depends_on: [z, b]}
  b: {command: x, depends_on: [a]}
  c: {command: x, depends_on: [e]}
  d: {command: x, depends_on: [c]}
  e: {command: x, depends_on: [d, z]}
)"),
            (Lines{
                "4:35: steps.a.depends_on[1]: cycle: a -> b -> a",
                "6:32: steps.c.depends_on[0]: cycle: c -> e -> d -> c",
            }));
}

TEST(PipelineProblemsTest, CyclesSharingStepsAreReportedOnce) {
  // Two cycles sharing steps form one knot: reported once, by its shortest cycle through the
  // knot's first step.
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  a: {command: x, depends_on: [b]}
  b: {command: x, depends_on: [c, a]}
  c: {command: x, depends_on: [a]}
)"),
            (Lines{"3:32: steps.a.depends_on[0]: cycle: a -> b -> a"}));
}

TEST(PipelineProblemsTest, ArrayStepsDependingOnArraysOfAnotherSize) {
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  split: {command: x, array: 3}
  each:  {command: x, array: 4, depends_on: [split]}
  same:  {command: x, array: 3, depends_on: [split]}
  join:  {command: x, depends_on: [split, each]}
  again: {command: x, array: 5, depends_on: [join]}
)"),
            (Lines{"4:46: steps.each.depends_on[0]: array step 'each' (array: 4) depends on array "
                   "step 'split' (array: 3); N_TO_N pairs children by index and needs equal "
                   "sizes"}));
}

TEST(PipelineProblemsTest, CommandAndDefinitionExactlyOne) {
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  both: {command: x, definition: d}
  neither: {queue: q}
  empty_list: {command: []}
  empty_text: {command: ""}
  bad_definition: {definition: "d:latest"}
)"),
            (Lines{
                "3:3: steps.both: has both 'command' and 'definition'; give one",
                "4:3: steps.neither: needs 'command' (what to run) or 'definition' (a registered "
                "job definition)",
                "5:25: steps.empty_list.command: must not be empty",
                "6:25: steps.empty_text.command: must not be empty",
                "7:32: steps.bad_definition.definition: expected a job definition 'name' or "
                "'name:revision', got 'd:latest'",
            }));
}

TEST(PipelineProblemsTest, AnImageGoesWithACommandAndIsAValidReference) {
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  both: {image: "busybox", definition: d}
  bad: {image: "bad image", command: [true]}
  empty: {image: "", command: [true]}
)"),
            (Lines{
                "3:3: steps.both: has both 'image' and 'definition'; a definition names its own image",
                "4:16: steps.bad.image: the image reference: invalid character ' ' in image reference (allowed: "
                "letters, digits, - _ : . / # @)",
                "5:18: steps.empty.image: the image reference must not be empty",
            }));
}

TEST(PipelineProblemsTest, ValuesOutOfRange) {
  EXPECT_EQ(ProblemsOf(R"(name: "nightly etl"
schedule: {expression: "@daily", jitter: 1441, catch_up_window: 0}
steps:
  a b: {command: x, vcpus: 0, memory: 0, timeout: 0s, array: 1}
  c:
    command: x
    memory: 2TB
    array: 100001
    env: {1X: y}
    retry:
      attempts: 11
      evaluate_on_exit: [{action: maybe, on_exit_code: "1*2", on_reason: "x*y"}]
      backoff: {delay: 1h, max: 1m, factor: 0.5}
)"),
            (Lines{
                "1:7: name: must be 1-64 letters, digits, '-' or '_', got 'nightly etl'",
                "2:42: schedule.jitter: expected an integer from 0 to 1440, got '1441'",
                "2:65: schedule.catch_up_window: must be at least 1 second, got '0'",
                "4:3: steps: step name 'a b' must be 1-100 letters, digits, '-' or '_'",
                "4:28: steps.a b.vcpus: must be greater than 0, got '0'",
                "4:39: steps.a b.memory: memory '0' must be at least 1 MiB",
                "4:51: steps.a b.timeout: must be at least 1 second, got '0s'",
                "4:62: steps.a b.array: expected an integer from 2 to 100000, got '1'",
                "7:13: steps.c.memory: '2TB' is not a memory size: expected whole MiB or a number "
                "with a unit Mi, Gi, M, G as in 512Mi, 2Gi, 512M, 2G",
                "8:12: steps.c.array: expected an integer from 2 to 100000, got '100001'",
                "9:11: steps.c.env: env var name '1X' must be letters, digits and '_', not "
                "starting with a digit",
                "11:17: steps.c.retry.attempts: expected an integer from 1 to 10, got '11'",
                "12:35: steps.c.retry.evaluate_on_exit[0].action: action 'maybe' is not one of "
                "RETRY, EXIT",
                "12:56: steps.c.retry.evaluate_on_exit[0].on_exit_code: '*' may only end a "
                "pattern, got '1*2'",
                "12:74: steps.c.retry.evaluate_on_exit[0].on_reason: '*' may only end a pattern, "
                "got 'x*y'",
                "13:16: steps.c.retry.backoff: max (60 s) is less than delay (3600 s)",
                "13:45: steps.c.retry.backoff.factor: must be at least 1, got '0.5'",
            }));
}

TEST(PipelineProblemsTest, ScheduleExpressionsZonesAndPolicies) {
  EXPECT_EQ(ProblemsOf(R"(name: x
schedule:
  expression: "0 2 32 * *"
  timezone: Europe/Berlinn
  dst_gap: later
  dst_repeat: twice
  overlap: skp
  catch_up: some
  enabled: yes
steps: {a: {command: x}}
)"),
            (Lines{
                "3:15: schedule.expression: day-of-month '32' at column 5: must be 1-31",
                "4:13: schedule.timezone: unknown time zone 'Europe/Berlinn'",
                "5:12: schedule.dst_gap: DST gap policy 'later': must be shift or skip",
                "6:15: schedule.dst_repeat: DST repeat policy 'twice': must be first, last or "
                "both",
                "7:12: schedule.overlap: overlap policy 'skp' is not one of skip, buffer_one, "
                "buffer_all, cancel_other, terminate_other, allow_all",
                "8:13: schedule.catch_up: catch-up policy 'some' is not one of none, latest, all",
                "9:12: schedule.enabled: expected true or false, got 'yes'",
            }));
  EXPECT_EQ(ProblemsOf("name: x\nschedule: {timezone: UTC}\nsteps: {a: {command: x}}\n"),
            (Lines{"2:1: schedule: missing required key 'expression'"}));
}

TEST(PipelineProblemsTest, TemplatesInCommandsAndEnvAreChecked) {
  EXPECT_EQ(ProblemsOf(R"(name: x
params: {region: berlin}
defaults: {env: {WHEN: "{{ logical_dat }}"}}
steps:
  a:
    command: ["./a.sh", "{{ dss }}", "{{ params.regoin }}", "{{ ds"]
    env: {OK: "{{ params.region }}", BAD: "{{ ds }} {{ a b }}"}
  b: {command: "run {{ params.region }} {{ whatever }}"}
)"),
            (Lines{
                "3:24: defaults.env.WHEN: placeholder '{{ logical_dat }}' at offset 0: unknown "
                "name 'logical_dat' (did you mean 'logical_date'?)",
                "6:25: steps.a.command[1]: placeholder '{{ dss }}' at offset 0: unknown name "
                "'dss' (did you mean 'ds'?)",
                "6:38: steps.a.command[2]: placeholder '{{ params.regoin }}' at offset 0: no "
                "param 'regoin' is declared in params (did you mean 'region'?)",
                "6:61: steps.a.command[3]: '{{' at offset 0 has no closing '}}' ('{{' always "
                "starts a placeholder)",
                "7:43: steps.a.env.BAD: placeholder '{{ a b }}' at offset 9: expected {{ name }} "
                "with name ds, logical_date, data_interval_start, data_interval_end, run_id or "
                "params.NAME",
                "8:16: steps.b.command: placeholder '{{ whatever }}' at offset 24: unknown name "
                "'whatever'; expected ds, logical_date, data_interval_start, data_interval_end, "
                "run_id or params.NAME",
            }));
}

TEST(PipelineProblemsTest, ParamDefaultsAreNotTemplates) {
  const PipelineSpec spec = ParseValid(R"(name: x
params: {pattern: "{{ not checked"}
steps: {a: {command: [x, "{{ params.pattern }}"]}}
)");
  EXPECT_EQ(spec.params[0].default_value, "{{ not checked");
}

TEST(PipelineProblemsTest, EveryProblemIsReportedTogetherInFileOrder) {
  // Problems found by different passes (reading, templates, graph) come out sorted by position.
  EXPECT_EQ(ProblemsOf(R"(name: x
steps:
  c: {command: x, depends_on: [d]}
  a: {command: "{{ nope }}", depends_on: [missing]}
  d: {command: x, depends_on: [c], timeout: soon}
nmae: typo
)"),
            (Lines{
                "3:32: steps.c.depends_on[0]: cycle: c -> d -> c",
                "4:16: steps.a.command: placeholder '{{ nope }}' at offset 0: unknown name "
                "'nope'; expected ds, logical_date, data_interval_start, data_interval_end, "
                "run_id or params.NAME",
                "4:43: steps.a.depends_on[0]: unknown step 'missing'",
                "5:45: steps.d.timeout: 'soon' is not a duration: expected whole seconds or "
                "numbers with units d, h, m, s as in 90s, 30m, 6h, 1d, 1h30m",
                "6:1: unknown key 'nmae' (did you mean 'name'?)",
            }));
}

TEST(PipelineProblemsTest, AliasesRepeatingLargeNodesTooOftenAreRefused) {
  // Each alias costs the walker the aliased node's size: 300 steps x a 300-item command is
  // 90,000 nodes from a file of a few kilobytes.
  std::string text = "name: x\nsteps:\n  s0: &big {command: [";
  for (int i = 0; i < 300; ++i) text += i ? ", x" : "x";
  text += "]}\n";
  for (int i = 1; i < 300; ++i) text += "  s" + std::to_string(i) + ": *big\n";
  const Lines problems = ProblemsOf(text);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("too many nodes to check"), std::string::npos) << problems[0];
}

TEST(PipelineProblemsTest, OnlyTheFirstHundredUnknownStepsGetSuggestions) {
  std::string text = LayeredPipelineText(20, 100);
  // Every dependency of layer 4 on layer 3 names a step that does not exist ("x3_7" for "s3_7").
  for (const std::string from : {"[s3_", ", s3_"}) {
    const std::string to = from.substr(0, from.size() - 3) + "x3_";
    for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos;) {
      text.replace(pos, from.size(), to);
    }
  }
  const ParseResult result = ParsePipeline(text);
  EXPECT_FALSE(result.spec.has_value());
  ASSERT_GT(result.problems.size(), 150u);
  EXPECT_NE(result.problems[99].message.find("(did you mean 's3_"), std::string::npos);
  EXPECT_EQ(result.problems[100].message.find("did you mean"), std::string::npos);
}

}  // namespace
}  // namespace nightshift::pipeline
