// Model prices and cost computation.
//
// Units: every price is US dollars per MILLION tokens, as the providers publish them. A cost is
// tokens * price / 1'000'000, so 1,000,000 input tokens of a $2.50 model cost exactly $2.50 and
// one token costs $0.0000025. (The seed project divided by 1000 for OpenAI and overstated cost
// 1000x: landscape.md 1.4. The unit tests pin this down.)
//
// The built-in table is a snapshot of list prices; each entry carries the date its price was
// believed current. Prices change: users override entries with PriceTable::Set, and a cost the
// provider reports itself (OpenRouter usage.cost) always wins over the table.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/usage.h"

namespace llmstream {

struct ModelPrice {
  double input_per_mtok = 0;   // uncached input
  double output_per_mtok = 0;  // generated tokens, reasoning included
  // Cache reads (OpenAI cached_tokens, Anthropic cache_read_input_tokens). Unset = input price.
  std::optional<double> cached_input_per_mtok{};
  // Cache writes (Anthropic cache_creation_input_tokens, 5-minute TTL). Unset = input price.
  std::optional<double> cache_write_per_mtok{};
  // Reasoning tokens, for models that price them apart. Unset = output price.
  std::optional<double> reasoning_per_mtok{};
  std::string as_of{};  // YYYY-MM-DD: when this price was believed current
};

// Model name -> price. Lookup is forgiving because streams report resolved names that differ
// from the requested one:
//  - dated snapshots map to their family: "gpt-4o-2024-08-06" -> "gpt-4o",
//    "claude-haiku-4-5-20251001" -> "claude-haiku-4-5";
//  - the longest key that is a prefix at a name boundary ('-', ':', '@', '.', '_') wins, so
//    "gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini", never as "gpt-4o", and a more
//    specific snapshot entry ("gpt-4o-2024-05-13") beats its family;
//  - router names with a vendor prefix fall back to the bare name: "openai/gpt-4o" -> "gpt-4o"
//    (a key that itself has the prefix, like Groq's "openai/gpt-oss-120b", matches first);
//  - Bedrock ids lose their lower-case "profile." and "vendor." segments:
//    "us.anthropic.claude-haiku-4-5-20251001-v1:0" -> "claude-haiku-4-5",
//    "amazon.nova-lite-v1:0" -> "nova-lite";
//  - case and version dots are normalized: OpenRouter's "anthropic/claude-3.5-sonnet" finds
//    "claude-3-5-sonnet";
//  - OpenRouter ":free" variants cost nothing.
class PriceTable {
 public:
  PriceTable() = default;  // empty; copy Default() to start from the built-in prices

  // The built-in list prices (see core/src/pricing/prices.inc for the dates and sources).
  static const PriceTable& Default();

  // Adds or replaces the price of `model` (a family name like "gpt-4o" or an exact snapshot).
  void Set(std::string model, ModelPrice price);
  // Removes an entry; returns whether one existed.
  bool Remove(std::string_view model);

  // The price for a model name as sent or as reported by the stream; nullptr when unknown.
  // The pointer stays valid until the table is next modified.
  const ModelPrice* Find(std::string_view model) const;

  // The key Find would use for `model` ("" when unknown): handy to show which entry priced it.
  std::string_view FindKey(std::string_view model) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key;    // normalized (lower case, version dots as '-')
    std::string model;  // as given to Set
    ModelPrice price;
  };
  const Entry* FindEntry(std::string_view model) const;
  const Entry* FindNormalized(std::string_view name) const;

  std::vector<Entry> entries_;
};

// The cost of `usage`.
//  - A provider-reported cost wins (`provider_cost_usd`, else usage.reported_cost_usd):
//    source kProvider, only total_usd is set.
//  - Else, with a price: uncached input = input - cached - cache writes, each part priced at its
//    own rate (falling back to the input price); output at the output price, except reasoning
//    tokens when the model prices them apart. source kPriceTable, or kEstimated when
//    usage.estimated. price_date = the entry's as_of.
//  - Else (unknown model, or no token counts) source kNone and zero amounts.
Cost ComputeCost(const Usage& usage, const ModelPrice* price,
                 std::optional<double> provider_cost_usd = std::nullopt);

}  // namespace llmstream
