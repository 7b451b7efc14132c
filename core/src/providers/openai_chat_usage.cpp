#include "providers/openai_chat_usage.h"

#include <cstdint>
#include <optional>

#include "json/reader.h"

namespace llmstream {
namespace {

using json::Reader;

void ReadCount(Reader& reader, std::optional<int64_t>* out) {
  int64_t value = 0;
  if (reader.GetInt(&value)) {
    *out = value;
  } else {
    reader.Skip();
  }
}

}  // namespace

void ApplyChatUsageVariants(std::string_view json_text, json::Arena* arena, Usage* usage) {
  Reader reader(json_text, arena);
  if (!reader.BeginObject()) return;
  std::optional<int64_t> cache_hit, ticks;
  std::string_view key;
  while (reader.NextField(&key)) {
    if (key == "prompt_cache_hit_tokens" || key == "num_cached_tokens") {
      ReadCount(reader, &cache_hit);
    } else if (key == "cost_in_usd_ticks") {
      ReadCount(reader, &ticks);
    } else if (key == "prompt_token_details" && reader.BeginObject()) {  // sic (Mistral)
      while (reader.NextField(&key)) {
        if (key == "cached_tokens") {
          ReadCount(reader, &cache_hit);
        } else {
          reader.Skip();
        }
      }
    } else {
      reader.Skip();
    }
  }
  if (!usage->cached_input_tokens) usage->cached_input_tokens = cache_hit;
  if (!usage->reported_cost_usd && ticks) usage->reported_cost_usd = *ticks * 1e-10;

  const int64_t input = usage->input_tokens.value_or(0);
  const int64_t output = usage->output_tokens.value_or(0);
  const int64_t reasoning = usage->reasoning_tokens.value_or(0);
  // Reasoning left out of completion_tokens shows in the total (xAI: 12 + 2 + 340 = 354).
  if (usage->output_tokens && reasoning > 0 && usage->total_tokens &&
      *usage->total_tokens == input + output + reasoning) {
    usage->output_tokens = output + reasoning;
  }
  // Cached tokens left out of prompt_tokens: more cached than prompt tokens (some xAI models).
  if (usage->input_tokens && usage->cached_input_tokens && *usage->cached_input_tokens > input) {
    usage->input_tokens = input + *usage->cached_input_tokens;
  }
}

}  // namespace llmstream
