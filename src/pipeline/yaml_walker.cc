#include "pipeline/yaml_walker.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "util/suggest.h"
#include "pipeline/units.h"

namespace nightshift::pipeline {
namespace {

// Maps up to this size are checked for duplicate keys by a linear scan; larger ones (steps,
// typically) through a hash map, so a 10,000-step file stays linear.
constexpr size_t kLinearScanLimit = 16;

std::string RangeText(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max()) {
    return "an integer of at least " + std::to_string(min);
  }
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string Where(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// The keys of one map seen so far, to find repeated ones.
class SeenKeys {
 public:
  // The position of an earlier occurrence of `key`, or nothing (and `key` is remembered).
  std::optional<YAML::Mark> Insert(std::string_view key, const YAML::Mark& mark) {
    if (!index_.empty() || list_.size() >= kLinearScanLimit) {
      if (index_.empty()) index_.insert(list_.begin(), list_.end());
      const auto [it, inserted] = index_.emplace(key, mark);
      return inserted ? std::nullopt : std::optional(it->second);
    }
    for (const auto& [seen, seen_mark] : list_) {
      if (seen == key) return seen_mark;
    }
    list_.emplace_back(key, mark);
    return std::nullopt;
  }

 private:
  std::vector<std::pair<std::string_view, YAML::Mark>> list_;
  std::unordered_map<std::string_view, YAML::Mark> index_;
};

}  // namespace

std::string Quote(std::string_view text) {
  // Long values are cut: the position already says where the whole value is.
  constexpr size_t kMaxQuoted = 60;
  std::string out = "'";
  out += text.substr(0, kMaxQuoted);
  out += text.size() <= kMaxQuoted ? "'" : "...'";
  return out;
}

Field Child(const Field& parent, std::string_view key, const YamlNode& key_node,
            const YamlNode& value) {
  std::string path = parent.path.empty() ? std::string(key) : parent.path + "." + std::string(key);
  // yaml-cpp marks an empty value at whatever follows it (often the next line): use the key.
  const SourcePos key_pos = PosOf(key_node.mark);
  const SourcePos pos = value.IsNull() ? key_pos : PosOf(value.mark);
  return {&value, std::move(path), pos, key_pos};
}

void YamlWalker::Report(const Field& field, std::string_view message) {
  Report(field.pos,
         field.path.empty() ? std::string(message) : field.path + ": " + std::string(message));
}

void YamlWalker::Report(SourcePos pos, std::string message) {
  problems_.push_back({pos, std::move(message)});
}

void YamlWalker::ReportMissing(const Field& map, std::string_view key) {
  std::string message = "missing required key '" + std::string(key) + "'";
  Report(map.key_pos, map.path.empty() ? message : map.path + ": " + message);
}

bool YamlWalker::Spend(const Field& field) {
  if (over_budget_) return false;
  if (budget_ > 0) {
    --budget_;
    return true;
  }
  over_budget_ = true;
  Report(field, "too many nodes to check: aliases repeat large parts of the document too often");
  return false;
}

std::string YamlWalker::Describe(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kList:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a map";
    case YamlNode::Kind::kScalar:
      return Quote(node.scalar);
    case YamlNode::Kind::kNull:
      break;
  }
  return "nothing";
}

bool YamlWalker::ForEachEntry(const Field& field, std::span<const std::string_view> known,
                              std::string_view noun, const EntryVisitor& visit) {
  if (!field.node->IsMap()) {
    Report(field, "expected a map, got " + Describe(*field.node));
    return false;
  }
  SeenKeys seen;
  const std::vector<const YamlNode*>& children = field.node->children;
  for (size_t i = 0; i + 1 < children.size(); i += 2) {
    const YamlNode& key_node = *children[i];
    const SourcePos key_pos = PosOf(key_node.mark);
    if (!key_node.IsScalar()) {
      Report({&key_node, field.path, key_pos, key_pos},
             "keys must be text, got " + Describe(key_node));
      continue;
    }
    const std::string_view key = key_node.scalar;
    if (std::optional<YAML::Mark> first = seen.Insert(key, key_node.mark)) {
      Report({&key_node, field.path, key_pos, key_pos}, "duplicate " + std::string(noun) + " '" +
                                                            std::string(key) + "' (first at " +
                                                            Where(*first) + ")");
      continue;
    }
    if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
      Report({&key_node, field.path, key_pos, key_pos},
             "unknown key '" + std::string(key) + "'" + DidYouMean(key, known));
      continue;
    }
    const Field child = Child(field, key, key_node, *children[i + 1]);
    if (!Spend(child)) return true;
    visit(key, child);
  }
  return true;
}

bool YamlWalker::ForEachItem(const Field& field,
                             const std::function<void(const Field& item)>& visit) {
  if (!field.node->IsList()) {
    Report(field, "expected a list, got " + Describe(*field.node));
    return false;
  }
  size_t index = 0;
  for (const YamlNode* item : field.node->children) {
    // An empty item ("- " alone) has no useful mark of its own: point at the list.
    const SourcePos pos = item->IsNull() ? field.pos : PosOf(item->mark);
    const Field child{item, field.path + "[" + std::to_string(index++) + "]", pos, pos};
    if (!Spend(child)) return true;
    visit(child);
  }
  return true;
}

std::optional<std::string> YamlWalker::Text(const Field& field) {
  if (!field.node->IsScalar()) {
    Report(field, "expected a string, got " + Describe(*field.node));
    return std::nullopt;
  }
  return field.node->scalar;
}

std::optional<int64_t> YamlWalker::Integer(const Field& field, int64_t min, int64_t max) {
  const std::string& text = field.node->IsScalar() ? field.node->scalar : "";
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!field.node->IsScalar() || error != std::errc() || end != text.data() + text.size() ||
      value < min || value > max) {
    Report(field, "expected " + RangeText(min, max) + ", got " + Describe(*field.node));
    return std::nullopt;
  }
  return value;
}

std::optional<double> YamlWalker::Number(const Field& field) {
  const std::string& text = field.node->IsScalar() ? field.node->scalar : "";
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!field.node->IsScalar() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    Report(field, "expected a number, got " + Describe(*field.node));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlWalker::Bool(const Field& field) {
  if (field.node->IsScalar()) {
    std::string text = field.node->scalar;
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (text == "true") return true;
    if (text == "false") return false;
  }
  Report(field, "expected true or false, got " + Describe(*field.node));
  return std::nullopt;
}

std::optional<int64_t> YamlWalker::Duration(const Field& field, int64_t min_seconds) {
  if (!field.node->IsScalar()) {
    Report(field, "expected a duration (seconds, or like 90s, 30m, 6h, 1d, 1h30m), got " +
                      Describe(*field.node));
    return std::nullopt;
  }
  Result<int64_t> seconds = ParseDurationSeconds(field.node->scalar);
  if (!seconds.ok()) {
    Report(field, seconds.status().message());
    return std::nullopt;
  }
  if (*seconds < min_seconds) {
    Report(field, "must be at least " + std::to_string(min_seconds) + " second" +
                      (min_seconds == 1 ? "" : "s") + ", got " + Describe(*field.node));
    return std::nullopt;
  }
  return *seconds;
}

}  // namespace nightshift::pipeline
