// libFuzzer target: parses arbitrary bytes as a pipeline file, checking invariants that hold for
// every input:
//   * a spec comes back exactly when there are no problems, and every problem has a message;
//   * every problem's position is unknown (0) or within the text's lines, column 1 or more;
//   * a spec's step names are unique and its steps come dependencies first;
//   * every template of a spec renders once each declared param has a value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "pipeline/spec.h"

namespace nightshift::pipeline {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// Lines as YAML counts them: "\n", "\r\n" and a lone "\r" each end one.
int LineCount(std::string_view text) {
  int lines = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++lines;
    }
  }
  return lines;
}

void CheckSpec(const PipelineSpec& spec) {
  std::set<std::string_view> earlier;
  TemplateContext context;
  for (const ParamSpec& param : spec.params) context.params[param.name] = "value";
  for (const StepSpec& step : spec.steps) {
    for (const StepDependency& dependency : step.depends_on) {
      Check(earlier.count(dependency.step) == 1, "dependencies come before their steps");
    }
    Check(earlier.insert(step.name).second, "step names are unique");
    Check(step.command.empty() != step.definition.empty(), "one of command and definition");
    for (const std::string& arg : step.command) {
      Check(RenderTemplate(arg, context).ok(), "validated command templates render");
    }
    for (const auto& [name, value] : step.env) {
      Check(RenderTemplate(value, context).ok(), "validated env templates render");
    }
  }
}

}  // namespace
}  // namespace nightshift::pipeline

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nightshift::pipeline;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult result = ParsePipeline(text);
  Check(result.spec.has_value() == result.problems.empty(), "spec set iff no problems");
  const int lines = LineCount(text);
  for (const Problem& problem : result.problems) {
    Check(!problem.message.empty(), "problems have a message");
    Check(problem.pos.line >= 0 && problem.pos.line <= lines, "problem line within the text");
    Check(problem.pos.line == 0 || problem.pos.column >= 1, "problem column is 1 or more");
  }
  if (result.spec) CheckSpec(*result.spec);
  return 0;
}
