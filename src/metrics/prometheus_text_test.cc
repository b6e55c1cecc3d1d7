#include "metrics/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nightshift::metrics {
namespace {

TEST(PrometheusTextTest, ValuesAreIntegersInfinitiesOrShortestDecimals) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(0.0025), "0.0025");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(PrometheusTextTest, LabelValuesAndHelpAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(EscapeHelp("say \"hi\"\\\n"), "say \"hi\"\\\\\\n");
  EXPECT_EQ(FormatLabels({"queue", "state"}, {"q\"1", "RUNNING"}),
            "{queue=\"q\\\"1\",state=\"RUNNING\"}");
  EXPECT_EQ(FormatLabels({}, {}), "");
  EXPECT_EQ(FormatLabels({}, {}, "le", "+Inf"), "{le=\"+Inf\"}");
}

TEST(PrometheusTextTest, CountersAndGaugesRenderWithHelpAndType) {
  Registry registry;
  registry.AddCounter("jobs_total", "Jobs\nsubmitted", {"queue"}).With({"default"}).Inc(3);
  registry.AddGauge("running", "Running now").With({}).Set(2);
  EXPECT_EQ(RenderText(registry),
            "# HELP jobs_total Jobs\\nsubmitted\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{queue=\"default\"} 3\n"
            "# HELP running Running now\n"
            "# TYPE running gauge\n"
            "running 2\n");
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  Histogram& h =
      registry.AddHistogram("latency_seconds", "Latency", {"route"}, {0.1, 1}).With({"/a"});
  h.Observe(0.05);
  h.Observe(0.1);  // on a bound: in that bucket (le is "less or equal")
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(RenderText(registry),
            "# HELP latency_seconds Latency\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/a\"} 7.65\n"
            "latency_seconds_count{route=\"/a\"} 4\n");
}

TEST(PrometheusTextTest, CellsKeepTheirAddress) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("c", "c", {"k"});
  Counter& first = family.With({"a"});
  for (int i = 0; i < 100; ++i) family.With({std::to_string(i)});
  first.Inc();
  EXPECT_EQ(&family.With({"a"}), &first);
  EXPECT_EQ(first.value(), 1);
}

}  // namespace
}  // namespace nightshift::metrics
