// A pipeline file as read, before its dependency graph was checked and its defaults applied.
// Internal to the pipeline module: ReadPipeline (spec_reader.cc) produces it, CheckGraph
// (graph.h) and ParsePipeline (spec.cc) finish it.
#pragma once

#include <string>
#include <vector>

#include "pipeline/spec.h"
#include "pipeline/yaml_walker.h"

namespace nightshift::pipeline {

struct StepDraft {
  StepSpec spec;
  std::string path;  // "steps.NAME", for messages
  // The index of each of spec.depends_on in the file's depends_on list (entries that could not
  // be read are left out of spec.depends_on, so the two can differ).
  std::vector<size_t> dependency_index;
};

struct PipelineDraft {
  PipelineSpec spec;             // everything but steps
  StepSpec defaults;             // only the settings `defaults` may hold
  std::vector<StepDraft> steps;  // in file order; duplicates left out
};

// Reads the document's root, reporting every problem the graph checks do not cover: syntax of
// each value, unknown, missing and duplicate keys, templates.
PipelineDraft ReadPipeline(const Field& root, YamlWalker& walker);

}  // namespace nightshift::pipeline
