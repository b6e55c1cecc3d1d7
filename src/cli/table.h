// Plain-text tables for the CLI's `--output table`: columns as wide as their widest cell, shrunk
// to fit the output's width (cells that do not fit end in "…"); state words coloured when the
// output style allows it (cli/terminal.h).
// Thread-safety: plain functions.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/terminal.h"

namespace nightshift::cli {

using Row = std::vector<std::string>;

inline constexpr size_t kColumnGap = 2;
inline constexpr size_t kMinColumnWidth = 6;

// Widths for columns of natural widths `natural` so that the columns and the gaps between them
// fit `width`. The last column (a reason, an ARN) gives up space first, then the widest column,
// one at a time, until the table fits or every column is at its `minimum` (then the table is
// wider than `width`: a table is never made unreadable to fit).
std::vector<size_t> FitColumns(const std::vector<size_t>& natural, const std::vector<size_t>& minimum, size_t width);

// Prints header and rows in `style` (default: stdout's). The first column (the name or ID that
// identifies a row) is never cut; others keep at least their header's width or kMinColumnWidth,
// whichever is smaller. An all-empty header is not printed (a list of facts).
void PrintTable(std::ostream& out, const Row& header, const std::vector<Row>& rows, const OutputStyle& style);
void PrintTable(std::ostream& out, const Row& header, const std::vector<Row>& rows);

}  // namespace nightshift::cli
