// Plain-text tables for the CLI's `--output table`: columns as wide as their widest cell; on a
// terminal the last column is cut to the terminal's width.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nightshift::cli {

using Row = std::vector<std::string>;

void PrintTable(std::ostream& out, const Row& header, const std::vector<Row>& rows);

}  // namespace nightshift::cli
