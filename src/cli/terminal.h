// Terminal: what the CLI needs to know about where its output goes — how wide a table may be and
// whether to colour it — and the colours themselves.
// Thread-safety: the functions read the environment and stdout's state; call them from one thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nightshift::cli {

inline constexpr size_t kDefaultColumns = 100;

// Where a table is printed: its width in columns and whether it may be coloured.
struct OutputStyle {
  size_t width = kDefaultColumns;
  bool colour = false;
};

// stdout's width: the terminal's (TIOCGWINSZ), else $COLUMNS, else kDefaultColumns. Colour only
// when stdout is a terminal and NO_COLOR is unset (https://no-color.org).
OutputStyle StdoutStyle();

// The pure rule behind StdoutStyle: `ioctl_columns` is 0 when stdout is not a terminal (or the
// call failed), `columns_env` and `no_color_env` are null when unset.
OutputStyle ChooseStyle(bool is_terminal, size_t ioctl_columns, const char* columns_env, const char* no_color_env);

// Columns a UTF-8 string takes on a terminal (one per code point: nightshift's own text is narrow).
size_t DisplayWidth(std::string_view text);

// `text` cut to at most `width` columns, ending in "…" when it was cut.
std::string Truncate(std::string_view text, size_t width);

// `text` in the colour nightshift uses for a state word (green SUCCEEDED/ENABLED/VALID, red
// FAILED/DISABLED/CANCELLED, cyan STARTING/RUNNING, yellow for the waiting states); other text is
// returned as is.
std::string ColourState(const std::string& text);
std::string Bold(const std::string& text);

}  // namespace nightshift::cli
