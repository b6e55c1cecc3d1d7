// The layered DAG the tests and the benchmark parse: a generator of pipeline text, not part of
// the pipeline format. Header-only so the benchmark needs nothing from the test code.
#pragma once

#include <cstdint>
#include <string>

namespace nightshift::pipeline {

// A layered DAG: `layers` x `width` steps; each step after the first layer depends on 1-3 steps
// of the layer before, picked by a fixed linear congruential generator (the same file every
// time, on every platform).
inline std::string LayeredPipelineText(int layers, int width) {
  std::string text = "name: layered\nsteps:\n";
  uint64_t state = 42;
  const auto next = [&state](int bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<uint64_t>(bound));
  };
  for (int layer = 0; layer < layers; ++layer) {
    for (int i = 0; i < width; ++i) {
      text += "  s" + std::to_string(layer) + "_" + std::to_string(i) +
              ": {command: [\"./work.sh\", \"{{ ds }}\", \"" + std::to_string(i) + "\"]";
      if (layer > 0) {
        text += ", depends_on: [";
        const int count = 1 + next(3);
        const int first = next(width);
        for (int d = 0; d < count; ++d) {  // 0, 37 and 74 apart: distinct for width >= 75
          text += (d ? ", s" : "s") + std::to_string(layer - 1) + "_" +
                  std::to_string((first + d * 37) % width);
        }
        text += "]";
      }
      text += "}\n";
    }
  }
  return text;
}

}  // namespace nightshift::pipeline
