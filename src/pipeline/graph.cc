#include "pipeline/graph.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <queue>
#include <string_view>
#include <unordered_map>

#include "util/suggest.h"

namespace nightshift::pipeline {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();
// A file with thousands of misspelt names gets suggestions for the first ones only: each search
// compares against every step name.
constexpr int kMaxSuggestions = 100;

// "a depends on b": an edge from a to its upstream step b, made by a's depends_on[entry].
struct Edge {
  size_t upstream;
  size_t entry;
};

using Edges = std::vector<std::vector<Edge>>;

std::string EntryPath(const StepDraft& step, size_t entry) {
  return step.path + ".depends_on[" + std::to_string(step.dependency_index[entry]) + "]";
}

class GraphChecker {
 public:
  GraphChecker(const std::vector<StepDraft>& steps, YamlWalker& walker)
      : steps_(steps), w_(walker), edges_(steps.size()) {}

  std::optional<std::vector<size_t>> Check() {
    for (size_t i = 0; i < steps_.size(); ++i) index_.emplace(steps_[i].spec.name, i);
    std::vector<size_t> last_named_by(steps_.size(), kNone);
    for (size_t i = 0; i < steps_.size(); ++i) ResolveDependencies(i, last_named_by);
    if (ReportCycles()) return std::nullopt;
    return TopologicalOrder();
  }

 private:
  void Report(size_t step, size_t entry, std::string message) {
    w_.Report(steps_[step].spec.depends_on[entry].pos,
              EntryPath(steps_[step], entry) + ": " + std::move(message));
  }

  // `last_named_by[j] == i` once step i named step j: finds repeats without a set per step.
  void ResolveDependencies(size_t i, std::vector<size_t>& last_named_by) {
    const StepSpec& step = steps_[i].spec;
    for (size_t entry = 0; entry < step.depends_on.size(); ++entry) {
      const std::string& name = step.depends_on[entry].step;
      const auto it = index_.find(name);
      if (it == index_.end()) {
        Report(i, entry, "unknown step " + Quote(name) + Suggestion(name));
      } else if (it->second == i) {
        Report(i, entry, "step " + Quote(name) + " depends on itself");
      } else if (last_named_by[it->second] == i) {
        Report(i, entry, "step " + Quote(name) + " is named twice");
      } else {
        last_named_by[it->second] = i;
        CheckArraySizes(i, entry, it->second);
        edges_[i].push_back({it->second, entry});
      }
    }
  }

  std::string Suggestion(std::string_view name) {
    if (suggestions_left_ == 0) return "";
    --suggestions_left_;
    if (names_.empty()) {
      for (const StepDraft& step : steps_) names_.push_back(step.spec.name);
    }
    return DidYouMean(name, names_);
  }

  // N_TO_N: child k of an array step waits for child k of its upstream array step. A plain step
  // may depend on an array (it waits for every child) and an array on a plain step.
  void CheckArraySizes(size_t i, size_t entry, size_t upstream) {
    const int size = steps_[i].spec.array_size, upstream_size = steps_[upstream].spec.array_size;
    if (size == 0 || upstream_size == 0 || size == upstream_size) return;
    Report(i, entry,
           "array step " + Quote(steps_[i].spec.name) + " (array: " + std::to_string(size) +
               ") depends on array step " + Quote(steps_[upstream].spec.name) +
               " (array: " + std::to_string(upstream_size) +
               "); N_TO_N pairs children by index and needs equal sizes");
  }

  // Tarjan's strongly connected components, iteratively (a 10,000-step chain would overflow the
  // stack if recursive). Returns each step's component; components come out in reverse
  // topological order, which does not matter here.
  std::vector<size_t> Components() {
    const size_t n = steps_.size();
    std::vector<size_t> order(n, kNone), low(n, 0), component(n, kNone), stack;
    std::vector<std::pair<size_t, size_t>> calls;  // (step, next edge to follow)
    size_t counter = 0, components = 0;
    for (size_t root = 0; root < n; ++root) {
      if (order[root] != kNone) continue;
      calls.push_back({root, 0});
      order[root] = low[root] = counter++;
      stack.push_back(root);
      while (!calls.empty()) {
        auto& [v, next] = calls.back();
        if (next < edges_[v].size()) {
          const size_t w = edges_[v][next++].upstream;
          if (order[w] == kNone) {
            order[w] = low[w] = counter++;
            stack.push_back(w);
            calls.push_back({w, 0});
          } else if (component[w] == kNone) {
            low[v] = std::min(low[v], order[w]);
          }
          continue;
        }
        const size_t done = v;
        calls.pop_back();
        if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[done]);
        if (low[done] != order[done]) continue;
        size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          component[w] = components;
        } while (w != done);
        ++components;
      }
    }
    return component;
  }

  // Reports one cycle per component of two or more steps: the shortest through its first step
  // in the file. True if there was any.
  bool ReportCycles() {
    const std::vector<size_t> component = Components();
    std::vector<size_t> size(steps_.size(), 0);
    for (size_t c : component) ++size[c];
    std::vector<bool> reported(steps_.size(), false);
    std::vector<std::pair<size_t, size_t>> via(steps_.size(), {kNone, kNone});  // (step, entry)
    bool any = false;
    for (size_t i = 0; i < steps_.size(); ++i) {  // file order: i is its component's first step
      const size_t c = component[i];
      if (size[c] < 2 || reported[c]) continue;
      reported[c] = true;
      any = true;
      ReportCycleThrough(i, component, via);
    }
    return any;
  }

  // Breadth-first from `start` along edges within its component until an edge leads back.
  // `via` records how each step was reached; components are disjoint, so it is shared.
  void ReportCycleThrough(size_t start, const std::vector<size_t>& component,
                          std::vector<std::pair<size_t, size_t>>& via) {
    std::queue<size_t> queue;
    queue.push(start);
    via[start] = {start, kNone};
    while (!queue.empty()) {
      const size_t v = queue.front();
      queue.pop();
      for (const Edge& edge : edges_[v]) {
        if (component[edge.upstream] != component[start]) continue;
        if (edge.upstream == start) return ReportCycle(start, v, via);
        if (via[edge.upstream].first != kNone) continue;
        via[edge.upstream] = {v, edge.entry};
        queue.push(edge.upstream);
      }
    }
  }

  void ReportCycle(size_t start, size_t last, const std::vector<std::pair<size_t, size_t>>& via) {
    std::vector<size_t> path;  // last, ..., second: walking back towards start
    for (size_t v = last; v != start; v = via[v].first) path.push_back(v);
    std::string text = steps_[start].spec.name;
    for (auto it = path.rbegin(); it != path.rend(); ++it) text += " -> " + steps_[*it].spec.name;
    text += " -> " + steps_[start].spec.name;
    // Self-dependencies are no edges, so the cycle has a second step, reached from start.
    const size_t entry = via[path.back()].second;
    Report(start, entry, "cycle: " + text);
  }

  // Kahn's algorithm with the ready steps in a min-heap of file positions.
  std::vector<size_t> TopologicalOrder() {
    const size_t n = steps_.size();
    std::vector<size_t> waiting_for(n);
    std::vector<std::vector<size_t>> downstream(n);
    for (size_t i = 0; i < n; ++i) {
      waiting_for[i] = edges_[i].size();
      for (const Edge& edge : edges_[i]) downstream[edge.upstream].push_back(i);
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    for (size_t i = 0; i < n; ++i) {
      if (waiting_for[i] == 0) ready.push(i);
    }
    std::vector<size_t> order;
    order.reserve(n);
    while (!ready.empty()) {
      const size_t i = ready.top();
      ready.pop();
      order.push_back(i);
      for (size_t d : downstream[i]) {
        if (--waiting_for[d] == 0) ready.push(d);
      }
    }
    return order;
  }

  const std::vector<StepDraft>& steps_;
  YamlWalker& w_;
  Edges edges_;
  std::unordered_map<std::string_view, size_t> index_;
  std::vector<std::string_view> names_;  // for suggestions, filled at the first unknown name
  int suggestions_left_ = kMaxSuggestions;
};

}  // namespace

std::optional<std::vector<size_t>> CheckGraph(const std::vector<StepDraft>& steps,
                                              YamlWalker& walker) {
  return GraphChecker(steps, walker).Check();
}

}  // namespace nightshift::pipeline
