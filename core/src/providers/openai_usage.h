// Reads an OpenAI-shaped usage object into the normalized Usage. Accepts both namings:
// Chat Completions (prompt_tokens / completion_tokens / *_tokens_details, plus OpenRouter's
// cost and cache_write_tokens, Groq's x_groq.usage) and Responses (input_tokens / output_tokens /
// input_tokens_details / output_tokens_details). Unknown fields are ignored here; the dialects
// pass the raw object on as metadata.
#pragma once

#include <string_view>

#include "json/arena.h"
#include "llmstream/usage.h"

namespace llmstream {

// False when `json_text` is not a JSON object.
bool ParseOpenAIUsage(std::string_view json_text, json::Arena* arena, Usage* usage);

}  // namespace llmstream
