// Reading a parsed YAML document (yaml_document.h) while collecting problems. Every read names the
// value's path ("steps.a.command[1]") and position; a value of the wrong type or out of range is
// reported and read as nothing, so one pass finds every problem. Duplicate and unknown keys are
// caught here because yaml-cpp accepts duplicates silently. Internal to the pipeline module. Not
// thread-safe (one per parse).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/spec.h"
#include "pipeline/yaml_document.h"

namespace nightshift::pipeline {

// A value in the document and where problems with it are reported.
struct Field {
  const YamlNode* node;  // never null
  std::string path;      // "steps.a.command[1]"; "" for the document itself
  SourcePos pos;         // the value's position, or its key's when the value is empty (null)
  SourcePos key_pos;     // the key's position (a list item's own), for "missing key" and the like
};

// 'text' in quotes for messages; cut after 60 characters.
std::string Quote(std::string_view text);

class YamlWalker {
 public:
  // `node_budget` bounds the nodes visited, so aliases that repeat a big node many times cannot
  // make a small file expensive to check.
  explicit YamlWalker(size_t node_budget) : budget_(node_budget) {}

  // "path: message" at `field.pos` (just the message for the document itself).
  void Report(const Field& field, std::string_view message);
  void Report(SourcePos pos, std::string message);
  // "path: missing required key 'key'" at the key of the map that lacks it.
  void ReportMissing(const Field& map, std::string_view key);

  // Calls `visit` for each entry of a map, in file order. Reports (and skips) non-maps, keys that
  // are not scalars, keys repeated (the later ones) and keys not in `known` (unless `known` is
  // empty: any key). `noun` names the keys in messages ("key", "step"). False if `field` is not a
  // map.
  using EntryVisitor = std::function<void(std::string_view key, const Field& value)>;
  bool ForEachEntry(const Field& field, std::span<const std::string_view> known,
                    std::string_view noun, const EntryVisitor& visit);
  // Calls `visit` for each item of a list. False (reported) if `field` is not a list.
  bool ForEachItem(const Field& field, const std::function<void(const Field& item)>& visit);

  // Typed reads: nothing (reported "path: expected ...") when the value does not fit.
  std::optional<std::string> Text(const Field& field);  // any scalar, as written
  std::optional<int64_t> Integer(const Field& field, int64_t min, int64_t max);
  std::optional<double> Number(const Field& field);  // finite
  std::optional<bool> Bool(const Field& field);      // true or false, any case
  // Whole seconds or "1h30m" (units.h), at least `min_seconds`.
  std::optional<int64_t> Duration(const Field& field, int64_t min_seconds);

  // "a list", "a map", "null" or "'text'": what was found instead.
  static std::string Describe(const YamlNode& node);

  std::vector<Problem> TakeProblems() { return std::move(problems_); }

 private:
  bool Spend(const Field& field);

  std::vector<Problem> problems_;
  size_t budget_;
  bool over_budget_ = false;
};

// The field for map entry `key` of `parent`.
Field Child(const Field& parent, std::string_view key, const YamlNode& key_node,
            const YamlNode& value);

}  // namespace nightshift::pipeline
