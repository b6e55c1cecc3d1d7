// Small helpers for the line-oriented text nightshift reads: records, command output.
#pragma once

#include <string_view>

namespace nightshift {

// Removes the first line of `text`, with its '\n', and returns it without the '\n' (the last line
// may lack one). Precondition: !text.empty().
inline std::string_view TakeLine(std::string_view& text) {
  const size_t eol = text.find('\n');
  const std::string_view line = text.substr(0, eol);
  text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
  return line;
}

}  // namespace nightshift
