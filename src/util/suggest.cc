#include "util/suggest.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace nightshift {
namespace {

constexpr size_t kMaxSuggestedLength = 128;

}  // namespace

int EditDistance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table: the swap looks two rows back.
  const size_t n = b.size();
  std::vector<int> before(n + 1), previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    for (size_t j = 1; j <= n; ++j) {
      const int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  // Long words are no typos of our short names, and would make each comparison expensive.
  if (word.size() > kMaxSuggestedLength) return std::nullopt;
  const int limit = std::max<int>(1, static_cast<int>(word.size()) / 3);
  std::optional<std::string_view> best;
  int best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    // The distance is at least the difference in length: skip the table for hopeless ones.
    const int length_gap = static_cast<int>(candidate.size()) - static_cast<int>(word.size());
    if (std::abs(length_gap) >= best_distance) continue;
    const int distance = EditDistance(word, candidate);
    if (distance < best_distance && distance < static_cast<int>(candidate.size())) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  const std::optional<std::string_view> match = ClosestMatch(word, candidates);
  return match ? " (did you mean '" + std::string(*match) + "'?)" : "";
}

}  // namespace nightshift
