#include "schedule/zone_rules.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "schedule/civil.h"

namespace nightshift::schedule {
namespace {

// A few transitions in order with equal neighbours merged, so every boundary is a real change.
class TransitionList {
 public:
  void Add(int64_t at, int offset) {
    if (size_ > 0 && items_[size_ - 1].at >= at) --size_;  // zero length: the later change wins
    if (size_ > 0 && items_[size_ - 1].offset == offset) return;
    items_[size_++] = {at, offset};
  }

  OffsetInterval IntervalAt(int64_t t) const {
    size_t i = 0;
    while (i + 1 < size_ && items_[i + 1].at <= t) ++i;
    const bool has_next = i + 1 < size_;
    return {items_[i].at, has_next ? items_[i + 1].at : kInfinity, items_[i].offset,
            i == 0 ? items_[i].offset : items_[i - 1].offset,
            has_next ? items_[i + 1].offset : items_[i].offset};
  }

 private:
  std::array<PosixTz::Transition, 8> items_{};
  size_t size_ = 0;
};

}  // namespace

ZoneRules::ZoneRules(std::vector<PosixTz::Transition> transitions, std::optional<PosixTz> footer) {
  for (const auto& [at, offset] : transitions) {
    if (!offsets_.empty() && offsets_.back() == offset) continue;  // e.g. only the name changed
    starts_.push_back(starts_.empty() ? kNegInfinity : at);
    offsets_.push_back(offset);
  }
  // A footer without DST only repeats the last listed offset.
  if (footer && footer->has_dst()) footer_ = std::move(footer);
}

OffsetInterval ZoneRules::Lookup(int64_t t) const {
  const size_t i = std::upper_bound(starts_.begin(), starts_.end(), t) - starts_.begin() - 1;
  const size_t n = starts_.size();
  if (i + 1 == n && footer_) return LookupInFooter(t);
  const bool has_next = i + 1 < n;
  return {starts_[i], has_next ? starts_[i + 1] : kInfinity, offsets_[i],
          i > 0 ? offsets_[i - 1] : offsets_[i], has_next ? offsets_[i + 1] : offsets_[i]};
}

// After the last listed transition: the listed tail, then the footer's transitions in the years
// around `t`, which is enough to know the interval and both neighbours (two changes a year).
OffsetInterval ZoneRules::LookupInFooter(int64_t t) const {
  const size_t n = starts_.size();
  const int64_t cutoff = starts_[n - 1];
  TransitionList list;
  if (n >= 2) list.Add(starts_[n - 2], offsets_[n - 2]);
  list.Add(cutoff, offsets_[n - 1]);
  const int64_t year = civil::CivilFromDays(civil::FloorDiv(t, civil::kSecondsPerDay)).year;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    for (const auto& [at, offset] : footer_->TransitionsIn(y)) {
      if (at > cutoff) list.Add(at, offset);
    }
  }
  return list.IntervalAt(t);
}

}  // namespace nightshift::schedule
