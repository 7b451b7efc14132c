#include "providers/openai_usage.h"

#include "json/reader.h"

namespace llmstream {
namespace {

using json::Reader;

void ReadCount(Reader& reader, std::optional<int64_t>* out) {
  int64_t value = 0;
  if (reader.GetInt(&value)) {
    *out = value;
  } else {
    reader.Skip();  // null or a non-integer: unknown rather than wrong
  }
}

// *_tokens_details objects: only the fields that change cost arithmetic matter here.
void ReadDetails(Reader& reader, Usage* usage) {
  if (!reader.BeginObject()) {
    reader.Skip();
    return;
  }
  std::string_view key;
  while (reader.NextField(&key)) {
    if (key == "cached_tokens") {
      ReadCount(reader, &usage->cached_input_tokens);
    } else if (key == "cache_write_tokens") {
      ReadCount(reader, &usage->cache_write_tokens);
    } else if (key == "reasoning_tokens") {
      ReadCount(reader, &usage->reasoning_tokens);
    } else {
      reader.Skip();
    }
  }
}

}  // namespace

bool ParseOpenAIUsage(std::string_view json_text, json::Arena* arena, Usage* usage) {
  Reader reader(json_text, arena);
  if (!reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    if (key == "prompt_tokens" || key == "input_tokens") {
      ReadCount(reader, &usage->input_tokens);
    } else if (key == "completion_tokens" || key == "output_tokens") {
      ReadCount(reader, &usage->output_tokens);
    } else if (key == "total_tokens") {
      ReadCount(reader, &usage->total_tokens);
    } else if (key.ends_with("_tokens_details")) {
      ReadDetails(reader, usage);
    } else if (key == "cost") {
      double cost = 0;
      if (reader.GetDouble(&cost)) {
        usage->reported_cost_usd = cost;
      } else {
        reader.Skip();
      }
    } else {
      reader.Skip();
    }
  }
  return reader.Finish();
}

}  // namespace llmstream
