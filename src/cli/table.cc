#include "cli/table.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace nightshift::cli {
namespace {

// The terminal's width, or 0 when stdout is not a terminal (then nothing is cut).
size_t TerminalWidth() {
  winsize ws{};
  if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

}  // namespace

void PrintTable(std::ostream& out, const Row& header, const std::vector<Row>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  const size_t terminal = TerminalWidth();
  auto print = [&](const Row& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    if (terminal > 0 && line.size() > terminal) line.resize(terminal);
    out << line << "\n";
  };
  print(header);
  for (const Row& row : rows) print(row);
}

}  // namespace nightshift::cli
