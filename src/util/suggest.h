// "Did you mean ...?" suggestions for misspelt names: keys, step names, placeholders, CLI verbs
// and flags, config keys.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nightshift {

// Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
// characters (optimal string alignment), so "tiemout" is 1 from "timeout".
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo (distance at most
// a third of the word's length, at least 1), the first in `candidates` on ties; else nothing
// (also for words over 128 characters).
// O(candidates) distance computations: call it only after a lookup failed.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" for ClosestMatch's answer, or "" when there is none.
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace nightshift
