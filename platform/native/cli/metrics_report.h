// The human --metrics summary (stderr): a few aligned lines, one figure per line, stable labels
// that scripts can grep ("time to first token", "tokens/s", "inter-token", "usage", "cost",
// "attempts").
#pragma once

#include <string>

#include "llmstream/metrics.h"

namespace llmstream::cli {

// `title`: what ran, e.g. "local-echo via local (chat_completions)".
std::string FormatMetricsReport(const MetricsSummary& summary, const std::string& title);

}  // namespace llmstream::cli
