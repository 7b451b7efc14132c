// The usage fields OpenAI-compatible servers add to or spell differently in the Chat Completions
// usage object (wire-formats.md, "OpenAI-compatible variants"), applied on top of what
// ParseOpenAIUsage read, so the normalized Usage means the same for every server.
#pragma once

#include <string_view>

#include "json/arena.h"
#include "llmstream/usage.h"

namespace llmstream {

// Reads `json_text` (a usage object ParseOpenAIUsage accepted) again for:
//  - cached prompt tokens under other names, when prompt_tokens_details.cached_tokens is absent:
//    DeepSeek's prompt_cache_hit_tokens, Mistral's num_cached_tokens and prompt_token_details;
//  - servers whose counts leave something out: completion_tokens without the reasoning tokens
//    (xAI: total_tokens = prompt + completion + reasoning) and prompt_tokens without the cached
//    ones (cached_tokens > prompt_tokens), made inclusive as Usage requires;
//  - xAI's cost_in_usd_ticks (1e-10 USD each) as the provider's cost, unless `cost` was sent.
void ApplyChatUsageVariants(std::string_view json_text, json::Arena* arena, Usage* usage);

}  // namespace llmstream
