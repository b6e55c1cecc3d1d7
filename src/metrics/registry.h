// Metrics registry: counters, gauges and histograms (fixed buckets) in labelled families, for
// the Prometheus text exposition at /metrics (prometheus_text.h). No dependency: a small map per
// family from label values to a cell.
// Thread-safety: none. The engine's loop owns the registry, updates it and also serves the
// scrape (the HTTP server runs on that loop), so updates cost a map lookup and an add, no lock.
// Cells never move once made: a caller may keep a reference to one for its hot path.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nightshift::metrics {

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Inc(double by = 1) { value_ += by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Gauge {
 public:
  void Set(double value) { value_ = value; }
  void Add(double by) { value_ += by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending, without +Inf.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations per bucket, not cumulative; one more entry than bounds() (the +Inf bucket).
  const std::vector<uint64_t>& counts() const { return counts_; }
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Latency buckets in seconds, from half a millisecond to a minute.
std::vector<double> LatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends one line per sample in the text format.
  virtual void AppendSamples(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

template <typename Cell>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         Cell prototype)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        prototype_(std::move(prototype)) {}
  // The cell of these label values, made on first use. `values` has one entry per label name.
  Cell& With(const LabelValues& values) {
    auto it = cells_.find(values);
    if (it == cells_.end()) it = cells_.emplace(values, prototype_).first;
    return it->second;
  }
  const std::map<LabelValues, Cell>& cells() const { return cells_; }
  void AppendSamples(std::string& out) const override;

 private:
  Cell prototype_;
  std::map<LabelValues, Cell> cells_;
};

template <>
void Family<Counter>::AppendSamples(std::string& out) const;
template <>
void Family<Gauge>::AppendSamples(std::string& out) const;
template <>
void Family<Histogram>::AppendSamples(std::string& out) const;

class Registry {
 public:
  // Names must be unique and valid Prometheus names; the registry owns the families.
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> label_names, std::vector<double> bounds);
  // In the order they were added.
  const std::vector<std::unique_ptr<FamilyBase>>& families() const { return families_; }

 private:
  template <typename Cell>
  Family<Cell>& Add(std::string name, std::string help, MetricType type,
                    std::vector<std::string> label_names, Cell prototype) {
    auto family = std::make_unique<Family<Cell>>(std::move(name), std::move(help), type,
                                                 std::move(label_names), std::move(prototype));
    Family<Cell>& ref = *family;
    families_.push_back(std::move(family));
    return ref;
  }

  std::vector<std::unique_ptr<FamilyBase>> families_;
};

}  // namespace nightshift::metrics
