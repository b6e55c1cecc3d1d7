#include "metrics/registry.h"

#include <algorithm>

#include "metrics/prometheus_text.h"

namespace nightshift::metrics {
namespace {

void AppendLine(std::string& out, const std::string& name, std::string_view suffix,
                const std::string& labels, double value) {
  out += name;
  out += suffix;
  out += labels;
  out += ' ';
  out += FormatValue(value);
  out += '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

template <>
void Family<Counter>::AppendSamples(std::string& out) const {
  for (const auto& [values, cell] : cells_)
    AppendLine(out, name(), "", FormatLabels(label_names(), values), cell.value());
}

template <>
void Family<Gauge>::AppendSamples(std::string& out) const {
  for (const auto& [values, cell] : cells_)
    AppendLine(out, name(), "", FormatLabels(label_names(), values), cell.value());
}

template <>
void Family<Histogram>::AppendSamples(std::string& out) const {
  for (const auto& [values, cell] : cells_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < cell.counts().size(); ++i) {
      cumulative += cell.counts()[i];
      const std::string le = i < cell.bounds().size() ? FormatValue(cell.bounds()[i]) : "+Inf";
      AppendLine(out, name(), "_bucket", FormatLabels(label_names(), values, "le", le),
                 static_cast<double>(cumulative));
    }
    const std::string labels = FormatLabels(label_names(), values);
    AppendLine(out, name(), "_sum", labels, cell.sum());
    AppendLine(out, name(), "_count", labels, static_cast<double>(cell.count()));
  }
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return Add(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names),
             Counter());
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  return Add(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names), Gauge());
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  return Add(std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names),
             Histogram(std::move(bounds)));
}

}  // namespace nightshift::metrics
