// Throughput: how many jobs ended in each of the last kMinutes minutes, succeeded and failed
// apart — the web UI's throughput chart. A ring of per-minute buckets; times come in as
// arguments. It counts what this process saw end, so it starts empty at every server start.
// Thread-safety: none; the engine's loop owns it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "util/clock.h"

namespace nightshift::metrics {

class Throughput {
 public:
  static constexpr int kMinutes = 60;

  struct Minute {
    TimeMs start = 0;  // the minute's first millisecond
    int succeeded = 0;
    int failed = 0;
  };

  // A job ended at `at`. An end older than the window is dropped.
  void Note(TimeMs at, bool succeeded);
  // The kMinutes minutes up to and including the one holding `now`, oldest first; minutes with
  // nothing ended have zero counts.
  std::vector<Minute> Recent(TimeMs now) const;

 private:
  struct Bucket {
    int64_t minute = -1;  // minutes since the epoch this bucket counts; -1: never used
    int succeeded = 0;
    int failed = 0;
  };
  std::array<Bucket, kMinutes> buckets_{};
  int64_t newest_minute_ = -1;
};

}  // namespace nightshift::metrics
