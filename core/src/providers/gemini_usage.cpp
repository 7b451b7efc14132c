#include "providers/gemini_usage.h"

#include <cstdint>
#include <optional>

#include "json/reader.h"

namespace llmstream {

bool ReadGeminiUsage(std::string_view raw, json::Arena* arena, Usage* usage) {
  json::Reader reader(raw, arena);
  if (!reader.BeginObject()) return false;
  std::optional<int64_t> prompt, candidates, thoughts, tool_use, cached, total;
  std::string_view key;
  while (reader.NextField(&key)) {
    std::optional<int64_t>* target = key == "promptTokenCount"          ? &prompt
                                     : key == "candidatesTokenCount"    ? &candidates
                                     : key == "thoughtsTokenCount"      ? &thoughts
                                     : key == "toolUsePromptTokenCount" ? &tool_use
                                     : key == "cachedContentTokenCount" ? &cached
                                     : key == "totalTokenCount"         ? &total
                                                                        : nullptr;
    int64_t value = 0;
    if (target && reader.GetInt(&value)) {
      *target = value;
    } else if (!reader.Skip()) {
      return false;
    }
  }
  if (reader.failed()) return false;
  if (!prompt && !candidates && !thoughts && !tool_use && !cached && !total) return false;
  *usage = Usage();
  if (prompt || tool_use) usage->input_tokens = prompt.value_or(0) + tool_use.value_or(0);
  if (candidates || thoughts) usage->output_tokens = candidates.value_or(0) + thoughts.value_or(0);
  usage->total_tokens = total;
  usage->cached_input_tokens = cached;
  usage->reasoning_tokens = thoughts;
  return true;
}

}  // namespace llmstream
