#include "cli/table.h"

#include <algorithm>
#include <numeric>

namespace nightshift::cli {

std::vector<size_t> FitColumns(const std::vector<size_t>& natural, const std::vector<size_t>& minimum, size_t width) {
  std::vector<size_t> widths = natural;
  if (widths.empty()) return widths;
  const size_t gaps = kColumnGap * (widths.size() - 1);
  size_t total = std::accumulate(widths.begin(), widths.end(), gaps);
  const size_t last = widths.size() - 1;
  while (total > width) {
    // The last column while it can give up space, then the widest column that still can.
    size_t chosen = widths[last] > minimum[last] ? last : widths.size();
    for (size_t i = 0; i < widths.size() && chosen != last; ++i) {
      if (widths[i] > minimum[i] && (chosen == widths.size() || widths[i] > widths[chosen])) chosen = i;
    }
    if (chosen == widths.size()) break;
    --widths[chosen];
    --total;
  }
  return widths;
}

void PrintTable(std::ostream& out, const Row& header, const std::vector<Row>& rows, const OutputStyle& style) {
  std::vector<size_t> natural(header.size()), minimum(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    natural[i] = DisplayWidth(header[i]);
    minimum[i] = std::min(natural[i], kMinColumnWidth);
  }
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size() && i < natural.size(); ++i) natural[i] = std::max(natural[i], DisplayWidth(row[i]));
  }
  if (!natural.empty()) minimum[0] = natural[0];
  const std::vector<size_t> widths = FitColumns(natural, minimum, style.width);
  auto print = [&](const Row& row, bool is_header) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      const std::string cell = Truncate(row[i], widths[i]);
      const bool last = i + 1 == row.size();
      const std::string padding = last ? "" : std::string(widths[i] - DisplayWidth(cell) + kColumnGap, ' ');
      if (!style.colour) {
        line += cell;
      } else {
        line += is_header ? Bold(cell) : ColourState(cell);
      }
      line += padding;
    }
    out << line << "\n";
  };
  if (std::any_of(header.begin(), header.end(), [](const std::string& h) { return !h.empty(); })) print(header, true);
  for (const Row& row : rows) print(row, false);
}

void PrintTable(std::ostream& out, const Row& header, const std::vector<Row>& rows) {
  PrintTable(out, header, rows, StdoutStyle());
}

}  // namespace nightshift::cli
