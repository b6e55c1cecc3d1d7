// The dependency graph of a pipeline's steps: checked, then put in order. Internal to the
// pipeline module.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "pipeline/draft.h"
#include "pipeline/yaml_walker.h"

namespace nightshift::pipeline {

// Reports each depends_on entry naming an unknown step (with a suggestion), the step itself, or a
// step already named; array steps depending on array steps of another size (N_TO_N pairs
// children by index); and each cycle, once per group of steps that reach each other ("cycle:
// a -> b -> c -> a", where "a -> b" reads "a depends on b", starting from the group's first step
// in the file, at the entry where it names the next one). Returns the steps' indices in a
// topological order, dependencies first and ties in file order, when there is no cycle.
// O(steps + dependencies), plus a suggestion search for each of the first unknown names.
std::optional<std::vector<size_t>> CheckGraph(const std::vector<StepDraft>& steps,
                                              YamlWalker& walker);

}  // namespace nightshift::pipeline
