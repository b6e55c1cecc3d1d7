// Page tokens: the opaque nextToken strings of keyset-paginated listings (ListJobs, ListFires).
// A token is the hex text of the listing's cursor, so that it survives any transport unescaped
// and a client is not tempted to build one.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nightshift::store {

std::string HexEncode(std::string_view bytes);
// nullopt unless `hex` is an even number of hex digits.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace nightshift::store
