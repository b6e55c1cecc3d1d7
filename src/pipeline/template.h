// Templates in pipeline files: "{{ name }}" placeholders in command elements and env values,
// filled in per run (RenderTemplate in spec.h). Names: ds, logical_date, data_interval_start,
// data_interval_end, run_id and params.NAME; spaces or tabs may pad the name inside the braces.
// Nothing else: no expressions, filters, escapes or code. "{{" always starts a placeholder, so a
// text cannot contain a literal "{{"; a "}}" outside a placeholder is plain text.
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nightshift::pipeline {

struct TemplatePiece {
  enum class Kind {
    kText,         // literal text
    kPlaceholder,  // "{{ name }}": `name` is set
    kMalformed,    // "{{ ... }}" whose inside is not a name
    kUnclosed,     // "{{" with no "}}" after it: the piece runs to the end of the text
  };
  Kind kind = Kind::kText;
  std::string_view raw;   // the piece as written, braces included
  std::string_view name;  // kPlaceholder: the name without padding
  size_t offset = 0;      // of `raw` in the template, 0-based
};

// The pieces of `text` in order; concatenating their `raw` gives `text` back.
std::vector<TemplatePiece> SplitTemplate(std::string_view text);

// What is wrong with one template, one message per bad placeholder in order: malformed or
// unclosed placeholders, unknown names, params not in `declared_params` (sorted). Empty if the
// template is fine. Messages name the placeholder and its offset.
std::vector<std::string> CheckTemplate(std::string_view text,
                                       std::span<const std::string_view> declared_params);

}  // namespace nightshift::pipeline
