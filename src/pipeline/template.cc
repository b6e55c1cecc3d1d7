#include "pipeline/template.h"

#include <algorithm>
#include <array>
#include <optional>

#include "pipeline/spec.h"
#include "util/suggest.h"

namespace nightshift::pipeline {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";
constexpr std::string_view kParamPrefix = "params.";
constexpr std::array<std::string_view, 5> kBuiltins = {"ds", "logical_date", "data_interval_start",
                                                       "data_interval_end", "run_id"};
constexpr std::string_view kExpected =
    "ds, logical_date, data_interval_start, data_interval_end, run_id or params.NAME";

bool IsReferenceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

std::string_view Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

TemplatePiece Placeholder(std::string_view raw, size_t offset) {
  const std::string_view name = Trim(raw.substr(kOpen.size(), raw.size() - 2 * kOpen.size()));
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), IsReferenceChar);
  return {valid ? TemplatePiece::Kind::kPlaceholder : TemplatePiece::Kind::kMalformed, raw,
          valid ? name : std::string_view(), offset};
}

std::string Describe(const TemplatePiece& piece) {
  return "placeholder '" + std::string(piece.raw) + "' at offset " + std::to_string(piece.offset);
}

// The param a "params.NAME" placeholder names; nothing for other names.
std::optional<std::string_view> ParamName(std::string_view name) {
  if (!name.starts_with(kParamPrefix)) return std::nullopt;
  return name.substr(kParamPrefix.size());
}

// Problems every caller shares: malformed, unclosed, unknown names. "" if the piece is fine.
std::string ShapeProblem(const TemplatePiece& piece) {
  switch (piece.kind) {
    case TemplatePiece::Kind::kText:
      return "";
    case TemplatePiece::Kind::kUnclosed:
      return "'{{' at offset " + std::to_string(piece.offset) +
             " has no closing '}}' ('{{' always starts a placeholder)";
    case TemplatePiece::Kind::kMalformed:
      return Describe(piece) + ": expected {{ name }} with name " + std::string(kExpected);
    case TemplatePiece::Kind::kPlaceholder:
      break;
  }
  const std::optional<std::string_view> param = ParamName(piece.name);
  if (param && !param->empty() && param->find('.') == std::string_view::npos) return "";
  if (std::find(kBuiltins.begin(), kBuiltins.end(), piece.name) != kBuiltins.end()) return "";
  const std::string suggestion = DidYouMean(piece.name, kBuiltins);
  return Describe(piece) + ": unknown name '" + std::string(piece.name) + "'" +
         (suggestion.empty() ? "; expected " + std::string(kExpected) : suggestion);
}

const std::string* BuiltinValue(std::string_view name, const TemplateContext& context) {
  if (name == "ds") return &context.ds;
  if (name == "logical_date") return &context.logical_date;
  if (name == "data_interval_start") return &context.data_interval_start;
  if (name == "data_interval_end") return &context.data_interval_end;
  if (name == "run_id") return &context.run_id;
  return nullptr;
}

}  // namespace

std::vector<TemplatePiece> SplitTemplate(std::string_view text) {
  std::vector<TemplatePiece> pieces;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find(kOpen, pos);
    if (open != pos) {
      const size_t end = open == std::string_view::npos ? text.size() : open;
      pieces.push_back({TemplatePiece::Kind::kText, text.substr(pos, end - pos), {}, pos});
      pos = end;
      continue;
    }
    const size_t close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) {
      pieces.push_back({TemplatePiece::Kind::kUnclosed, text.substr(open), {}, open});
      break;
    }
    pos = close + kClose.size();
    pieces.push_back(Placeholder(text.substr(open, pos - open), open));
  }
  return pieces;
}

std::vector<std::string> CheckTemplate(std::string_view text,
                                       std::span<const std::string_view> declared_params) {
  std::vector<std::string> problems;
  if (text.find(kOpen) == std::string_view::npos) return problems;  // the common case
  for (const TemplatePiece& piece : SplitTemplate(text)) {
    if (std::string problem = ShapeProblem(piece); !problem.empty()) {
      problems.push_back(std::move(problem));
      continue;
    }
    const std::optional<std::string_view> param =
        piece.kind == TemplatePiece::Kind::kPlaceholder ? ParamName(piece.name) : std::nullopt;
    if (param && !std::binary_search(declared_params.begin(), declared_params.end(), *param)) {
      problems.push_back(Describe(piece) + ": no param '" + std::string(*param) +
                         "' is declared in params" + DidYouMean(*param, declared_params));
    }
  }
  return problems;
}

Result<std::string> RenderTemplate(std::string_view text, const TemplateContext& context) {
  std::string out;
  out.reserve(text.size());
  for (const TemplatePiece& piece : SplitTemplate(text)) {
    if (std::string problem = ShapeProblem(piece); !problem.empty()) {
      return Status::InvalidArgument(std::move(problem));
    }
    if (piece.kind == TemplatePiece::Kind::kText) {
      out += piece.raw;
    } else if (const std::string* value = BuiltinValue(piece.name, context)) {
      out += *value;
    } else {
      const std::string_view param = *ParamName(piece.name);
      const auto it = context.params.find(std::string(param));
      if (it == context.params.end()) {
        return Status::InvalidArgument(Describe(piece) + ": param '" + std::string(param) +
                                       "' has no value");
      }
      out += it->second;
    }
  }
  return out;
}

}  // namespace nightshift::pipeline
