#include "pipeline/spec.h"

#include <algorithm>

#include "pipeline/draft.h"
#include "pipeline/graph.h"
#include "pipeline/yaml_document.h"
#include "pipeline/yaml_walker.h"

namespace nightshift::pipeline {
namespace {

// Nodes visited per byte of text, beyond which aliases are repeating large parts of the document:
// without aliases a document has fewer nodes than bytes.
constexpr size_t kNodesPerByte = 4;
constexpr size_t kMinNodeBudget = 4096;

// The document's root, or nothing when there is none to read (reported).
const YamlNode* RootOf(const std::variant<YamlStream, YamlError>& parsed, YamlWalker& walker) {
  if (const auto* error = std::get_if<YamlError>(&parsed)) {
    walker.Report(error->pos, error->message);
    return nullptr;
  }
  const std::vector<const YamlNode*>& documents = std::get<YamlStream>(parsed).documents();
  if (documents.empty() || documents[0]->IsNull()) {
    walker.Report(SourcePos{1, 1}, "the file is empty: expected a map with 'name' and 'steps'");
    return nullptr;
  }
  if (documents.size() > 1) {
    walker.Report(PosOf(documents[1]->mark),
                  "a pipeline file holds one YAML document; a second one starts here");
  }
  return documents[0];
}

// Settings a step leaves unset come from `defaults`; env merges, the step's value winning.
void ApplyDefaults(const StepSpec& defaults, StepSpec& step) {
  if (step.queue.empty()) step.queue = defaults.queue.empty() ? "default" : defaults.queue;
  if (!step.retry) step.retry = defaults.retry;
  if (!step.timeout_seconds) step.timeout_seconds = defaults.timeout_seconds;
  if (!step.vcpus) step.vcpus = defaults.vcpus;
  if (!step.memory_mib) step.memory_mib = defaults.memory_mib;
  for (const auto& [name, value] : defaults.env) step.env.emplace(name, value);
}

bool InFileOrder(const Problem& a, const Problem& b) {
  // Problems without a position go last.
  const auto key = [](const Problem& p) {
    return std::pair(p.pos.line == 0 ? INT32_MAX : p.pos.line, p.pos.column);
  };
  return key(a) < key(b);
}

}  // namespace

ParseResult ParsePipeline(std::string_view text) {
  YamlWalker walker(std::max(kMinNodeBudget, text.size() * kNodesPerByte));
  ParseResult result;
  // A second document is a problem; what follows it need not be read.
  const std::variant<YamlStream, YamlError> parsed = ParseYaml(text, 2);
  if (const YamlNode* root = RootOf(parsed, walker)) {
    const SourcePos pos = PosOf(root->mark);
    PipelineDraft draft = ReadPipeline(Field{root, "", pos, pos}, walker);
    const std::optional<std::vector<size_t>> order = CheckGraph(draft.steps, walker);
    result.problems = walker.TakeProblems();
    if (result.problems.empty() && order) {
      for (size_t i : *order) {
        ApplyDefaults(draft.defaults, draft.steps[i].spec);
        draft.spec.steps.push_back(std::move(draft.steps[i].spec));
      }
      result.spec = std::move(draft.spec);
    }
  } else {
    result.problems = walker.TakeProblems();
  }
  std::stable_sort(result.problems.begin(), result.problems.end(), InFileOrder);
  return result;
}

std::string FormatProblems(std::string_view file_name, const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& problem : problems) {
    out += file_name;
    if (problem.pos.line > 0) {
      out += ':';
      out += std::to_string(problem.pos.line);
      out += ':';
      out += std::to_string(problem.pos.column);
    }
    out += ": " + problem.message + "\n";
  }
  return out;
}

}  // namespace nightshift::pipeline
