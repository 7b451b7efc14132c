// Gemini `usageMetadata` onto the normalized Usage (llmstream/usage.h). Gemini counts thinking
// apart from the answer and tool-use prompts apart from the prompt, and its totalTokenCount is the
// sum of all four, so input = promptTokenCount + toolUsePromptTokenCount (cached content is part
// of promptTokenCount already) and output = candidatesTokenCount + thoughtsTokenCount.
#pragma once

#include <string_view>

#include "json/arena.h"
#include "llmstream/usage.h"

namespace llmstream {

// Reads one usageMetadata object. False when it is not an object or carries no token count at
// all (Vertex sends {"trafficType": ...} alone on chunks before the last): such a snapshot says
// nothing about tokens and must not replace one that did.
bool ReadGeminiUsage(std::string_view raw, json::Arena* arena, Usage* usage);

}  // namespace llmstream
