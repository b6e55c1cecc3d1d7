// Parse + validate time of a 10,000-step pipeline: 100 layers x 100 steps, each depending on
// 1-3 steps of the layer before (a fixed generator, so every run parses the same text). The
// issue's goal is apply + validate within 1 s. Prints the median of several runs. A benchmark,
// not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "pipeline/layered_pipeline_text.h"
#include "pipeline/spec.h"

namespace {

constexpr int kLayers = 100;
constexpr int kWidth = 100;
constexpr int kRuns = 7;

}  // namespace

int main() {
  using nightshift::pipeline::ParsePipeline;
  const std::string text = nightshift::pipeline::LayeredPipelineText(kLayers, kWidth);
  std::vector<double> seconds;
  for (int run = 0; run < kRuns; ++run) {
    const auto begin = std::chrono::steady_clock::now();
    const nightshift::pipeline::ParseResult result = ParsePipeline(text);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
    if (!result.spec || result.spec->steps.size() != kLayers * kWidth) {
      std::fprintf(stderr, "the generated pipeline did not parse\n");
      return 1;
    }
    seconds.push_back(elapsed.count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + kRuns / 2, seconds.end());
  const double median = seconds[kRuns / 2];
  std::printf("%d steps, %zu bytes: parse + validate median %.1f ms (%d runs), %.0f steps/s\n",
              kLayers * kWidth, text.size(), median * 1e3, kRuns, kLayers * kWidth / median);
  return 0;
}
