#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

namespace nightshift::cli {
namespace {

constexpr char kReset[] = "\033[0m";

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

OutputStyle ChooseStyle(bool is_terminal, size_t ioctl_columns, const char* columns_env, const char* no_color_env) {
  OutputStyle style;
  if (ioctl_columns > 0) {
    style.width = ioctl_columns;
  } else if (columns_env != nullptr) {
    char* end = nullptr;
    const unsigned long columns = std::strtoul(columns_env, &end, 10);
    if (*columns_env != '\0' && *end == '\0' && columns > 0) style.width = columns;
  }
  style.colour = is_terminal && no_color_env == nullptr;
  return style;
}

OutputStyle StdoutStyle() {
  const bool is_terminal = isatty(STDOUT_FILENO) == 1;
  winsize ws{};
  const size_t columns = is_terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
  return ChooseStyle(is_terminal, columns, std::getenv("COLUMNS"), std::getenv("NO_COLOR"));
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (char c : text) width += IsContinuationByte(c) ? 0 : 1;
  return width;
}

std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  // Keep width - 1 code points, then the ellipsis.
  size_t kept = 0;
  size_t end = 0;
  while (end < text.size()) {
    if (!IsContinuationByte(text[end])) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  return std::string(text.substr(0, end)) + "…";
}

std::string ColourState(const std::string& text) {
  static const std::map<std::string, const char*> kColours = {
      {"SUCCEEDED", "\033[32m"}, {"ENABLED", "\033[32m"},   {"VALID", "\033[32m"},     {"ACTIVE", "\033[32m"},
      {"FAILED", "\033[31m"},    {"DISABLED", "\033[31m"},  {"CANCELLED", "\033[31m"}, {"INACTIVE", "\033[31m"},
      {"STARTING", "\033[36m"},  {"RUNNING", "\033[36m"},   {"SUBMITTED", "\033[33m"}, {"PENDING", "\033[33m"},
      {"RUNNABLE", "\033[33m"},  {"SKIPPED", "\033[33m"}};
  auto it = kColours.find(text);
  return it == kColours.end() ? text : it->second + text + kReset;
}

std::string Bold(const std::string& text) { return "\033[1m" + text + kReset; }

}  // namespace nightshift::cli
