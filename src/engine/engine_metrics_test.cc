#include "engine/engine_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace nightshift::engine {
namespace {

using core::JobState;

const metrics::Histogram& DependencyLatency(EngineMetrics& m) {
  for (const auto& family : m.registry().families()) {
    if (family->name() == "nightshift_dependency_latency_seconds") {
      return static_cast<const metrics::Family<metrics::Histogram>&>(*family).cells().at({});
    }
  }
  throw std::logic_error("no dependency latency histogram");
}

void End(EngineMetrics& m, const std::string& id, TimeMs at) {
  core::Job job;
  job.id = id;
  job.queue = "default";
  job.state = JobState::kSucceeded;
  m.OnTransition(job, {id, JobState::kRunning, JobState::kSucceeded, "", at});
}

void BecomeRunnable(EngineMetrics& m, const std::string& id, const std::string& dependency,
                    TimeMs at, std::optional<int> array_index = std::nullopt) {
  core::Job job;
  job.id = id;
  job.queue = "default";
  job.state = JobState::kRunnable;
  job.array_index = array_index;
  job.depends_on = {{dependency}};
  m.OnTransition(job, {id, JobState::kPending, JobState::kRunnable, "", at});
}

TEST(EngineMetricsTest, DependencyLatencyIsMeasuredFromTheEndOfADependencyAmongTheNewestEnded) {
  EngineMetrics m;
  End(m, "a", 1'000);
  BecomeRunnable(m, "b", "a", 3'000);
  EXPECT_EQ(DependencyLatency(m).count(), 1u);
  EXPECT_DOUBLE_EQ(DependencyLatency(m).sum(), 2.0);

  // The newest 65,536 ends are kept: 65,535 more leave "a" the oldest of them.
  for (int i = 0; i < 65'535; ++i) End(m, "filler-" + std::to_string(i), 4'000);
  BecomeRunnable(m, "c", "a", 5'000);
  EXPECT_EQ(DependencyLatency(m).count(), 2u);
  EXPECT_DOUBLE_EQ(DependencyLatency(m).sum(), 6.0);

  End(m, "one-more", 6'000);  // "a" is forgotten
  BecomeRunnable(m, "d", "a", 7'000);
  EXPECT_EQ(DependencyLatency(m).count(), 2u);
}

TEST(EngineMetricsTest, AnArrayChildWaitsForItsPartnerChild) {
  EngineMetrics m;
  End(m, "partner:3", 1'000);
  BecomeRunnable(m, "array:3", "partner", 1'500, 3);
  EXPECT_EQ(DependencyLatency(m).count(), 1u);
  EXPECT_DOUBLE_EQ(DependencyLatency(m).sum(), 0.5);
}

// The store keeps totals; the counters follow them instead of adding them up at each scrape.
TEST(EngineMetricsTest, WalStatsSetTheGaugeAndFollowTheStoresTotals) {
  EngineMetrics m;
  m.OnWalStats({.pages = 120, .background_checkpoints = 2, .writer_checkpoints = 1});
  m.OnWalStats({.pages = 40, .background_checkpoints = 5, .writer_checkpoints = 3,
                .failed_checkpoints = 1});
  std::map<std::string, double> values;
  for (const auto& family : m.registry().families()) {
    const std::string& name = family->name();
    if (name == "nightshift_store_wal_pages") {
      values[name] = static_cast<const metrics::Family<metrics::Gauge>&>(*family).cells().at({}).value();
    } else if (name == "nightshift_store_checkpoints_total" ||
               name == "nightshift_store_checkpoint_failures_total") {
      for (const auto& [labels, cell] :
           static_cast<const metrics::Family<metrics::Counter>&>(*family).cells()) {
        values[labels.empty() ? name : name + "/" + labels[0]] = cell.value();
      }
    }
  }
  EXPECT_EQ(values, (std::map<std::string, double>{
                        {"nightshift_store_wal_pages", 40},
                        {"nightshift_store_checkpoints_total/background", 5},
                        {"nightshift_store_checkpoints_total/writer", 3},
                        {"nightshift_store_checkpoint_failures_total", 1}}));
}

}  // namespace
}  // namespace nightshift::engine
