// Page tokens: the opaque nextToken strings of keyset-paginated listings (ListJobs, ListFires,
// ListRuns).
// A token is the hex text of the listing's cursor, so that it survives any transport unescaped
// and a client is not tempted to build one.
// Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nightshift::store {

// The error for a nextToken that no listing could have made.
Status InvalidPageToken();

std::string HexEncode(std::string_view bytes);
// nullopt unless `hex` is an even number of hex digits.
std::optional<std::string> HexDecode(std::string_view hex);

// Parses all of `text` as a decimal integer of type T: nullopt when it is empty, out of T's
// range or followed by anything else.
template <typename T>
std::optional<T> ParseDecimal(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace nightshift::store
