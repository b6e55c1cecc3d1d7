// Helpers shared by the pipeline module's tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/spec.h"

namespace nightshift::pipeline {

// The spec of a file expected to be valid; the problems go into the failure message otherwise.
inline PipelineSpec ParseValid(std::string_view text) {
  ParseResult result = ParsePipeline(text);
  EXPECT_TRUE(result.problems.empty()) << FormatProblems("pipeline.yaml", result.problems);
  EXPECT_TRUE(result.spec.has_value());
  return result.spec.value_or(PipelineSpec{});
}

// "line:column: message" for each problem of a file expected to be invalid.
inline std::vector<std::string> ProblemsOf(std::string_view text) {
  const ParseResult result = ParsePipeline(text);
  EXPECT_FALSE(result.spec.has_value());
  std::vector<std::string> lines;
  for (const Problem& problem : result.problems) {
    lines.push_back(std::to_string(problem.pos.line) + ":" + std::to_string(problem.pos.column) +
                    ": " + problem.message);
  }
  return lines;
}

}  // namespace nightshift::pipeline
