// Reads a pipeline document into a PipelineDraft. Each Read* function handles one map of the
// format; values that do not fit are reported by the walker and left at their defaults, so
// reading continues and every problem is found in one pass.
#include <algorithm>
#include <array>
#include <cctype>

#include "core/container_check.h"
#include "core/schedule.h"
#include "pipeline/draft.h"
#include "pipeline/template.h"
#include "pipeline/units.h"
#include "schedule/timetable.h"

namespace nightshift::pipeline {
namespace {

constexpr std::array<std::string_view, 6> kTopKeys = {"name",     "description", "params",
                                                      "schedule", "defaults",    "steps"};
constexpr std::array<std::string_view, 10> kScheduleKeys = {
    "expression", "timezone",        "dst_gap", "dst_repeat", "overlap",
    "catch_up",   "catch_up_window", "jitter",  "enabled",    "max_active_runs"};
// The settings `defaults` can give every step; a step's own keys add to them.
constexpr std::array<std::string_view, 6> kDefaultKeys = {"queue", "retry",  "timeout",
                                                          "vcpus", "memory", "env"};
constexpr std::array<std::string_view, 11> kStepKeys = {"command", "definition", "image", "env",
                                                        "vcpus",   "memory",     "timeout", "retry",
                                                        "queue",   "array",      "depends_on"};
constexpr std::array<std::string_view, 3> kRetryKeys = {"attempts", "evaluate_on_exit", "backoff"};
constexpr std::array<std::string_view, 4> kRuleKeys = {"action", "on_exit_code", "on_reason",
                                                       "on_status_reason"};
constexpr std::array<std::string_view, 4> kBackoffKeys = {"delay", "factor", "max", "jitter"};
constexpr std::array<std::string_view, 2> kDependencyKeys = {"step", "condition"};

constexpr size_t kMaxPipelineName = 64;
constexpr size_t kMaxStepName = 100;  // as job names
constexpr size_t kMaxParamName = 64;
constexpr size_t kMaxDefinitionName = 128;
constexpr int kMaxRetryRules = 5;          // AWS's limit for evaluateOnExit
constexpr size_t kMaxPatternLength = 512;  // AWS's limit for each pattern
constexpr int64_t kMinArraySize = 2;
constexpr int64_t kMaxArraySize = 100'000;

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

bool IsName(std::string_view text, size_t max_length) {
  return !text.empty() && text.size() <= max_length &&
         std::all_of(text.begin(), text.end(), IsNameChar);
}

bool IsEnvName(std::string_view text) {
  return !text.empty() && !std::isdigit(static_cast<unsigned char>(text[0])) &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

std::string NameRule(size_t max_length) {
  return "1-" + std::to_string(max_length) + " letters, digits, '-' or '_'";
}

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return out;
}

// "name" or "name:revision" with a revision of 1 or more.
bool IsDefinitionReference(std::string_view text) {
  const size_t colon = text.find(':');
  if (!IsName(text.substr(0, colon), kMaxDefinitionName)) return false;
  if (colon == std::string_view::npos) return true;
  const std::string_view revision = text.substr(colon + 1);
  return !revision.empty() && revision.size() <= 9 && revision[0] != '0' &&
         std::all_of(revision.begin(), revision.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// AWS evaluateOnExit patterns: a '*' may only end the pattern; exit codes are digits.
std::string PatternProblem(std::string_view key, std::string_view pattern) {
  if (pattern.size() > kMaxPatternLength) return "must be at most 512 characters";
  const size_t star = pattern.find('*');
  if (star != std::string_view::npos && star + 1 != pattern.size()) {
    return "'*' may only end a pattern, got " + Quote(pattern);
  }
  if (key == "on_exit_code" &&
      !std::all_of(pattern.begin(), pattern.begin() + std::min(star, pattern.size()),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return "expected digits, optionally ending in '*', got " + Quote(pattern);
  }
  return "";
}

std::optional<StepCondition> ParseCondition(std::string_view text) {
  if (text == "success") return StepCondition::kSuccess;
  if (text == "failure") return StepCondition::kFailure;
  if (text == "completion") return StepCondition::kCompletion;
  return std::nullopt;
}

// A text that may hold placeholders, checked once every param is known.
struct TemplateUse {
  std::string_view text;  // owned by the document, which outlives the reader
  std::string path;
  SourcePos pos;
};

class Reader {
 public:
  explicit Reader(YamlWalker& walker) : w_(walker) {}

  PipelineDraft Read(const Field& root) {
    PipelineDraft draft;
    bool has_name = false, has_steps = false;
    const bool is_map =
        w_.ForEachEntry(root, kTopKeys, "key", [&](std::string_view key, const Field& value) {
          if (key == "name") {
            has_name = true;
            ReadPipelineName(value, draft.spec);
          } else if (key == "description") {
            draft.spec.description = w_.Text(value).value_or("");
          } else if (key == "params") {
            draft.spec.params = ReadParams(value);
          } else if (key == "schedule") {
            draft.spec.schedule = ReadSchedule(value);
          } else if (key == "defaults") {
            draft.defaults = ReadDefaults(value);
          } else if (key == "steps") {
            has_steps = true;
            draft.steps = ReadSteps(value);
          }
        });
    if (is_map && !has_name) w_.ReportMissing(root, "name");
    if (is_map && !has_steps) w_.ReportMissing(root, "steps");
    CheckTemplates(draft.spec.params);
    return draft;
  }

 private:
  void ReadPipelineName(const Field& value, PipelineSpec& spec) {
    const std::optional<std::string> name = w_.Text(value);
    if (!name) return;
    if (!IsName(*name, kMaxPipelineName)) {
      w_.Report(value, "must be " + NameRule(kMaxPipelineName) + ", got " + Quote(*name));
    }
    spec.name = *name;
  }

  std::vector<ParamSpec> ReadParams(const Field& field) {
    std::vector<ParamSpec> params;
    w_.ForEachEntry(field, {}, "param", [&](std::string_view name, const Field& value) {
      if (!IsName(name, kMaxParamName)) {
        w_.Report(value.key_pos, field.path + ": param name " + Quote(name) + " must be " +
                                     NameRule(kMaxParamName));
      }
      ParamSpec param{std::string(name), std::nullopt, value.key_pos};
      if (value.node->IsScalar()) {
        param.default_value = value.node->scalar;
      } else if (!value.node->IsNull()) {
        w_.Report(value,
                  "expected a default value (a string or number) or nothing (a required "
                  "param), got " +
                      YamlWalker::Describe(*value.node));
      }
      params.push_back(std::move(param));
    });
    return params;
  }

  // A policy name checked by its own parser, whose message lists the accepted names.
  template <typename Parse>
  std::string ReadPolicy(const Field& value, Parse parse, std::string fallback) {
    const std::optional<std::string> text = w_.Text(value);
    if (!text) return fallback;
    if (auto parsed = parse(*text); !parsed.ok()) w_.Report(value, parsed.status().message());
    return *text;
  }

  std::optional<ScheduleSpec> ReadSchedule(const Field& field) {
    ScheduleSpec schedule;
    schedule.pos = field.key_pos;
    bool has_expression = false;
    const bool is_map =
        w_.ForEachEntry(field, kScheduleKeys, "key", [&](std::string_view key, const Field& value) {
          if (key == "expression") {
            has_expression = true;
            schedule.expression = ReadPolicy(value, schedule::Expression::Parse, "");
          } else if (key == "timezone") {
            schedule.timezone = ReadPolicy(value, schedule::Zone::Load, schedule.timezone);
          } else if (key == "dst_gap") {
            schedule.dst_gap = ReadPolicy(value, schedule::ParseGapPolicy, schedule.dst_gap);
          } else if (key == "dst_repeat") {
            schedule.dst_repeat =
                ReadPolicy(value, schedule::ParseRepeatPolicy, schedule.dst_repeat);
          } else if (key == "overlap") {
            schedule.overlap = ReadPolicy(value, core::ParseOverlapPolicy, schedule.overlap);
          } else if (key == "catch_up") {
            schedule.catch_up = ReadPolicy(value, core::ParseCatchUpPolicy, schedule.catch_up);
          } else if (key == "catch_up_window") {
            schedule.catch_up_window_seconds = w_.Duration(value, 1);
          } else if (key == "jitter") {
            schedule.jitter_minutes = static_cast<int>(w_.Integer(value, 0, 1440).value_or(0));
          } else if (key == "max_active_runs") {
            schedule.max_active_runs = static_cast<int>(w_.Integer(value, 1, 1000).value_or(1));
          } else if (key == "enabled") {
            schedule.enabled = w_.Bool(value).value_or(true);
          }
        });
    if (is_map && !has_expression) w_.ReportMissing(field, "expression");
    return schedule;
  }

  StepSpec ReadDefaults(const Field& field) {
    StepSpec defaults;
    w_.ForEachEntry(field, kDefaultKeys, "key", [&](std::string_view key, const Field& value) {
      ReadSetting(key, value, defaults);
    });
    return defaults;
  }

  std::vector<StepDraft> ReadSteps(const Field& field) {
    std::vector<StepDraft> steps;
    const bool is_map =
        w_.ForEachEntry(field, {}, "step", [&](std::string_view name, const Field& value) {
          if (!IsName(name, kMaxStepName)) {
            w_.Report(value.key_pos, field.path + ": step name " + Quote(name) + " must be " +
                                         NameRule(kMaxStepName));
          }
          steps.push_back(ReadStep(name, value));
        });
    if (is_map && steps.empty() && field.node->size() == 0) {
      w_.Report(field, "at least one step is required");
    }
    return steps;
  }

  StepDraft ReadStep(std::string_view name, const Field& field) {
    StepDraft step;
    step.spec.name = std::string(name);
    step.spec.pos = field.key_pos;
    step.path = field.path;
    bool has_command = false, has_definition = false;
    const bool is_map =
        w_.ForEachEntry(field, kStepKeys, "key", [&](std::string_view key, const Field& value) {
          if (key == "command") {
            has_command = true;
            step.spec.command = ReadCommand(value);
          } else if (key == "definition") {
            has_definition = true;
            step.spec.definition = ReadDefinition(value);
          } else if (key == "image") {
            step.spec.image = ReadImage(value);
          } else if (key == "array") {
            step.spec.array_size =
                static_cast<int>(w_.Integer(value, kMinArraySize, kMaxArraySize).value_or(0));
          } else if (key == "depends_on") {
            ReadDependencies(value, step);
          } else {
            ReadSetting(key, value, step.spec);
          }
        });
    if (!is_map) return step;
    if (has_definition && !step.spec.image.empty()) {
      w_.Report(field.key_pos, field.path + ": has both 'image' and 'definition'; a definition names its own image");
    }
    if (has_command && has_definition) {
      w_.Report(field.key_pos, field.path + ": has both 'command' and 'definition'; give one");
    } else if (!has_command && !has_definition) {
      w_.Report(field.key_pos, field.path +
                                   ": needs 'command' (what to run) or 'definition' (a "
                                   "registered job definition)");
    }
    return step;
  }

  // A list is argv; a string runs under /bin/sh -c.
  std::vector<std::string> ReadCommand(const Field& field) {
    std::vector<std::string> argv;
    if (field.node->IsScalar()) {
      if (field.node->scalar.empty()) w_.Report(field, "must not be empty");
      NoteTemplate(field);
      return {"/bin/sh", "-c", field.node->scalar};
    }
    if (!field.node->IsList()) {
      w_.Report(field, "expected a list of strings (argv) or a string (run by /bin/sh -c), got " +
                           YamlWalker::Describe(*field.node));
      return argv;
    }
    w_.ForEachItem(field, [&](const Field& item) {
      if (std::optional<std::string> arg = w_.Text(item)) {
        NoteTemplate(item);
        argv.push_back(std::move(*arg));
      }
    });
    if (field.node->size() == 0) w_.Report(field, "must not be empty");
    return argv;
  }

  // A container image the step's command runs in (podman), as containerProperties.image.
  std::string ReadImage(const Field& field) {
    const std::optional<std::string> text = w_.Text(field);
    if (!text) return "";
    if (Status st = core::CheckImageReference(*text, "the image reference"); !st.ok()) {
      w_.Report(field, st.message());
      return "";
    }
    return *text;
  }

  std::string ReadDefinition(const Field& field) {
    const std::optional<std::string> text = w_.Text(field);
    if (!text) return "";
    if (!IsDefinitionReference(*text)) {
      w_.Report(field, "expected a job definition 'name' or 'name:revision', got " + Quote(*text));
    }
    return *text;
  }

  void ReadDependencies(const Field& field, StepDraft& step) {
    size_t index = 0;
    w_.ForEachItem(field, [&](const Field& item) {
      std::optional<StepDependency> dependency = ReadDependency(item);
      if (dependency) {
        step.spec.depends_on.push_back(std::move(*dependency));
        step.dependency_index.push_back(index);
      }
      ++index;
    });
  }

  // "name" or {step: name, condition: success|failure|completion}.
  std::optional<StepDependency> ReadDependency(const Field& item) {
    if (item.node->IsScalar()) return StepDependency{item.node->scalar, {}, item.pos};
    if (!item.node->IsMap()) {
      w_.Report(item,
                "expected a step name or {step: NAME, condition: success|failure|"
                "completion}, got " +
                    YamlWalker::Describe(*item.node));
      return std::nullopt;
    }
    StepDependency dependency{"", StepCondition::kSuccess, item.pos};
    bool has_step = false, valid = true;
    w_.ForEachEntry(item, kDependencyKeys, "key", [&](std::string_view key, const Field& value) {
      if (key == "step") {
        has_step = true;
        const std::optional<std::string> name = w_.Text(value);
        valid &= name.has_value();
        dependency.step = name.value_or("");
        dependency.pos = value.pos;
      } else if (const std::optional<std::string> text = w_.Text(value)) {
        const std::optional<StepCondition> condition = ParseCondition(*text);
        if (!condition) {
          w_.Report(value,
                    "condition " + Quote(*text) + " is not one of success, failure, completion");
        }
        dependency.condition = condition.value_or(StepCondition::kSuccess);
      }
    });
    if (!has_step) w_.ReportMissing(item, "step");
    if (!has_step || !valid) return std::nullopt;
    return dependency;
  }

  // The keys steps and `defaults` share.
  void ReadSetting(std::string_view key, const Field& value, StepSpec& spec) {
    if (key == "queue") {
      spec.queue = w_.Text(value).value_or("");
      if (value.node->IsScalar() && spec.queue.empty()) w_.Report(value, "must not be empty");
    } else if (key == "retry") {
      spec.retry = ReadRetry(value);
    } else if (key == "timeout") {
      spec.timeout_seconds = w_.Duration(value, 1);
    } else if (key == "vcpus") {
      spec.vcpus = w_.Number(value);
      if (spec.vcpus && *spec.vcpus <= 0) {
        w_.Report(value, "must be greater than 0, got " + YamlWalker::Describe(*value.node));
        spec.vcpus.reset();
      }
    } else if (key == "memory") {
      spec.memory_mib = ReadMemory(value);
    } else if (key == "env") {
      spec.env = ReadEnv(value);
    }
  }

  std::optional<int64_t> ReadMemory(const Field& field) {
    const std::optional<std::string> text = w_.Text(field);
    if (!text) return std::nullopt;
    Result<int64_t> mib = ParseMemoryMib(*text);
    if (!mib.ok()) {
      w_.Report(field, mib.status().message());
      return std::nullopt;
    }
    return *mib;
  }

  std::map<std::string, std::string> ReadEnv(const Field& field) {
    std::map<std::string, std::string> env;
    w_.ForEachEntry(field, {}, "env var", [&](std::string_view name, const Field& value) {
      if (!IsEnvName(name)) {
        w_.Report(value.key_pos, field.path + ": env var name " + Quote(name) +
                                     " must be letters, digits and '_', not starting with a "
                                     "digit");
      }
      if (std::optional<std::string> text = w_.Text(value)) {
        NoteTemplate(value);
        env.emplace(name, std::move(*text));
      }
    });
    return env;
  }

  RetrySpec ReadRetry(const Field& field) {
    RetrySpec retry;
    w_.ForEachEntry(field, kRetryKeys, "key", [&](std::string_view key, const Field& value) {
      if (key == "attempts") {
        retry.attempts = static_cast<int>(w_.Integer(value, 1, 10).value_or(1));
      } else if (key == "evaluate_on_exit") {
        retry.evaluate_on_exit = ReadRules(value);
      } else if (key == "backoff") {
        retry.backoff = ReadBackoff(value);
      }
    });
    return retry;
  }

  std::vector<core::RetryRule> ReadRules(const Field& field) {
    std::vector<core::RetryRule> rules;
    const bool is_list = w_.ForEachItem(field, [&](const Field& item) {
      if (std::optional<core::RetryRule> rule = ReadRule(item)) rules.push_back(std::move(*rule));
    });
    if (is_list && field.node->size() > kMaxRetryRules) {
      w_.Report(field, "at most 5 rules, got " + std::to_string(field.node->size()));
    }
    return rules;
  }

  std::optional<core::RetryRule> ReadRule(const Field& field) {
    core::RetryRule rule;
    bool has_action = false;
    const bool is_map =
        w_.ForEachEntry(field, kRuleKeys, "key", [&](std::string_view key, const Field& value) {
          const std::optional<std::string> text = w_.Text(value);
          if (key == "action") has_action = true;
          if (!text) return;
          if (key == "action") {
            const std::string action = Upper(*text);
            if (action != "RETRY" && action != "EXIT") {
              w_.Report(value, "action " + Quote(*text) + " is not one of RETRY, EXIT");
            }
            rule.action = action == "EXIT" ? core::RetryAction::kExit : core::RetryAction::kRetry;
            return;
          }
          if (std::string problem = PatternProblem(key, *text); !problem.empty()) {
            w_.Report(value, problem);
          }
          if (key == "on_exit_code") {
            rule.on_exit_code = *text;
          } else if (key == "on_reason") {
            rule.on_reason = *text;
          } else {
            rule.on_status_reason = *text;
          }
        });
    if (!is_map) return std::nullopt;
    if (!has_action) w_.ReportMissing(field, "action");
    return rule;
  }

  Backoff ReadBackoff(const Field& field) {
    Backoff backoff;
    w_.ForEachEntry(field, kBackoffKeys, "key", [&](std::string_view key, const Field& value) {
      if (key == "delay") {
        backoff.delay_seconds = w_.Duration(value, 0).value_or(0);
      } else if (key == "max") {
        backoff.max_delay_seconds = w_.Duration(value, 0).value_or(0);
      } else if (key == "jitter") {
        backoff.jitter = w_.Bool(value).value_or(false);
      } else if (const std::optional<double> factor = w_.Number(value)) {
        if (*factor < 1) w_.Report(value, "must be at least 1, got " + Quote(value.node->scalar));
        backoff.factor = std::max(1.0, *factor);
      }
    });
    if (backoff.max_delay_seconds != 0 && backoff.max_delay_seconds < backoff.delay_seconds) {
      w_.Report(field, "max (" + std::to_string(backoff.max_delay_seconds) +
                           " s) is less than delay (" + std::to_string(backoff.delay_seconds) +
                           " s)");
    }
    return backoff;
  }

  void NoteTemplate(const Field& field) {
    const std::string& text = field.node->scalar;
    if (text.find("{{") == std::string::npos) return;  // most values hold none
    templates_.push_back({text, field.path, field.pos});
  }

  void CheckTemplates(const std::vector<ParamSpec>& params) {
    if (templates_.empty()) return;
    std::vector<std::string_view> names;
    for (const ParamSpec& param : params) names.push_back(param.name);
    std::sort(names.begin(), names.end());
    for (const TemplateUse& use : templates_) {
      for (const std::string& problem : CheckTemplate(use.text, names)) {
        w_.Report(use.pos, use.path + ": " + problem);
      }
    }
  }

  YamlWalker& w_;
  std::vector<TemplateUse> templates_;
};

}  // namespace

PipelineDraft ReadPipeline(const Field& root, YamlWalker& walker) {
  return Reader(walker).Read(root);
}

}  // namespace nightshift::pipeline
