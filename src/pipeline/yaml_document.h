// A YAML document as a tree of nodes with their positions, built from yaml-cpp's parser events.
// yaml-cpp's own YAML::Node is not used: building it costs as much again as parsing (a shared
// pointer and a memory set entry per node), and walking it copies reference-counted handles.
// This tree keeps what the pipeline reader needs: kinds, scalars as written, positions of every
// node including keys, and map entries in file order with duplicates kept (yaml-cpp would keep
// them too, silently; the walker reports them). Aliases point at the anchored node, so the tree
// may share nodes (and even contain cycles: "&a [*a]"); readers must not recurse blindly.
// Not thread-safe to build; immutable afterwards.
#pragma once

#include <yaml-cpp/mark.h>

#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipeline/spec.h"

namespace nightshift::pipeline {

struct YamlNode {
  enum class Kind { kNull, kScalar, kList, kMap };
  Kind kind = Kind::kNull;
  YAML::Mark mark;
  std::string scalar;                     // kScalar: the text, quotes and escapes resolved
  std::vector<const YamlNode*> children;  // kList: items; kMap: key, value, key, value, ...

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsList() const { return kind == Kind::kList; }
  bool IsMap() const { return kind == Kind::kMap; }
  // Items of a list, entries of a map, 0 otherwise.
  size_t size() const { return kind == Kind::kMap ? children.size() / 2 : children.size(); }
};

// The documents of one YAML stream; owns every node.
class YamlStream {
 public:
  const std::vector<const YamlNode*>& documents() const { return documents_; }

 private:
  friend class YamlStreamBuilder;
  std::deque<YamlNode> nodes_;  // a deque: adding nodes does not move earlier ones
  std::vector<const YamlNode*> documents_;
};

struct YamlError {
  SourcePos pos;
  std::string message;
};

// Parses the first `max_documents` documents in `text` (the rest is not read). Errors: yaml-cpp's
// syntax errors with their position. Catches yaml-cpp's exceptions: this is the one place they
// can come from.
std::variant<YamlStream, YamlError> ParseYaml(std::string_view text, size_t max_documents);

SourcePos PosOf(const YAML::Mark& mark);

}  // namespace nightshift::pipeline
