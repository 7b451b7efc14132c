// Token usage and cost, normalised across providers.
//
// Normalisation (so that cost arithmetic is the same for every provider):
//  - input_tokens counts *all* prompt tokens, including cached reads and cache writes
//    (OpenAI `prompt_tokens` semantics). Anthropic reports them apart; its dialect adds
//    input_tokens + cache_read_input_tokens + cache_creation_input_tokens.
//  - cached_input_tokens and cache_write_tokens are subsets of input_tokens.
//  - output_tokens counts all generated tokens, reasoning included; reasoning_tokens is a subset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace llmstream {

struct Usage {
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> total_tokens;  // as reported; else input + output
  std::optional<int64_t> cached_input_tokens;
  std::optional<int64_t> cache_write_tokens;
  std::optional<int64_t> reasoning_tokens;
  // Cost the provider itself reported with the usage (OpenRouter `usage.cost`, in dollars).
  std::optional<double> reported_cost_usd;
  // True when the numbers were estimated locally (the provider never sent usage, e.g. the stream
  // was stopped early) rather than reported by the provider.
  bool estimated = false;

  bool empty() const { return !input_tokens && !output_tokens && !total_tokens; }
  int64_t Total() const {
    return total_tokens ? *total_tokens : input_tokens.value_or(0) + output_tokens.value_or(0);
  }
};

// Where a cost figure came from, in decreasing order of trust.
enum class CostSource : uint8_t {
  kNone = 0,        // unknown model and no provider figure
  kProvider = 1,    // reported by the provider in the stream (OpenRouter usage.cost): wins
  kPriceTable = 2,  // computed from reported usage and the price table
  kEstimated = 3,   // computed from estimated usage
};

// Cost in US dollars (OpenRouter credits are dollars).
struct Cost {
  double total_usd = 0;
  double input_usd = 0;  // uncached input
  double cached_input_usd = 0;
  double cache_write_usd = 0;
  double output_usd = 0;  // includes reasoning unless the model prices it apart
  CostSource source = CostSource::kNone;
  std::string price_date;  // the price table entry's "as of" date (YYYY-MM-DD), if any

  bool known() const { return source != CostSource::kNone; }
};

}  // namespace llmstream
