// The Prometheus text exposition format, version 0.0.4: "# HELP" and "# TYPE" lines, then one
// line per sample, `name{label="value",...} value`; histograms as cumulative `_bucket` lines
// with an `le` label (the last one "+Inf"), `_sum` and `_count`.
// Pure. Thread-safety: pure functions (RenderText reads the registry: call it on its owner).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"

namespace nightshift::metrics {

inline constexpr char kTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A sample value: integers without a fraction, "+Inf", "-Inf", "NaN", else the shortest text
// that reads back as the same double.
std::string FormatValue(double value);
// In a label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);
// In a HELP text: backslash and newline escaped.
std::string EscapeHelp(std::string_view help);
// `{a="x",b="y"}` (empty when there are no labels); `extra` is appended as one more pair when
// its name is not empty (histograms' `le`).
std::string FormatLabels(const std::vector<std::string>& names, const LabelValues& values,
                         std::string_view extra_name = {}, std::string_view extra_value = {});

// Every family of the registry, in order.
std::string RenderText(const Registry& registry);

}  // namespace nightshift::metrics
