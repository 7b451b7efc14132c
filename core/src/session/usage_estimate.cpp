#include "session/usage_estimate.h"

#include <algorithm>
#include <optional>
#include <string>

#include "request/request_internal.h"

namespace llmstream::session_internal {
namespace {

std::optional<int64_t> Add(const std::optional<int64_t>& a, const std::optional<int64_t>& b) {
  if (!a && !b) return std::nullopt;
  return a.value_or(0) + b.value_or(0);
}

// The text inside a content_json value: strings under "text" / "content" keys (text blocks,
// tool results) and bare strings; images, documents and other data are not text and are skipped
// (a base64 image would otherwise count as a novel).
int64_t JsonTextChars(const request_internal::Json& value, bool text_position) {
  if (value.is_string()) {
    return text_position ? CountCodePoints(value.get_ref<const std::string&>()) : 0;
  }
  int64_t chars = 0;
  if (value.is_array()) {
    for (const auto& item : value) chars += JsonTextChars(item, text_position);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      chars += JsonTextChars(it.value(), it.key() == "text" || it.key() == "content");
    }
  }
  return chars;
}

int64_t ContentChars(const Message& message) {
  if (message.content_json.empty()) return CountCodePoints(message.content);
  request_internal::Json json;
  if (!request_internal::ParseJson(message.content_json, &json)) {
    return CountCodePoints(message.content_json);
  }
  return JsonTextChars(json, /*text_position=*/true);
}

}  // namespace

int64_t CountCodePoints(std::string_view text) {
  int64_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

int64_t TokensForChars(int64_t chars) { return chars <= 0 ? 0 : (chars + 3) / 4; }

int64_t RequestChars(const CompletionRequest& request) {
  int64_t chars = CountCodePoints(request.system) + CountCodePoints(request.prompt);
  for (const Message& message : request.messages) {
    chars += ContentChars(message);
    for (const ToolCallRequest& call : message.tool_calls) {
      chars += CountCodePoints(call.name) + CountCodePoints(call.arguments);
    }
  }
  for (const ToolDefinition& tool : request.tools) {
    chars += CountCodePoints(tool.name) + CountCodePoints(tool.description) +
             CountCodePoints(tool.parameters_json);
  }
  return chars;
}

int64_t OutputChars(const Completion& completion) {
  int64_t chars = 0;
  for (const Choice& choice : completion.choices) {
    chars += CountCodePoints(choice.text) + CountCodePoints(choice.reasoning) +
             CountCodePoints(choice.refusal);
    for (const ToolCall& call : choice.tool_calls) {
      // Server tools run at the provider; their inputs are generated tokens all the same.
      chars += CountCodePoints(call.name) + CountCodePoints(call.arguments);
    }
  }
  return chars;
}

Usage EstimateUsage(const CompletionRequest& request, const Completion& output,
                    const Usage& reported) {
  Usage usage;
  usage.input_tokens =
      reported.input_tokens ? *reported.input_tokens : TokensForChars(RequestChars(request));
  usage.cached_input_tokens = reported.cached_input_tokens;
  usage.cache_write_tokens = reported.cache_write_tokens;
  usage.output_tokens = TokensForChars(OutputChars(output));
  int64_t reasoning_chars = 0;
  for (const Choice& choice : output.choices) reasoning_chars += CountCodePoints(choice.reasoning);
  if (reasoning_chars > 0) usage.reasoning_tokens = TokensForChars(reasoning_chars);
  usage.total_tokens = *usage.input_tokens + *usage.output_tokens;
  usage.estimated = true;
  return usage;
}

Usage AddUsage(const Usage& a, const Usage& b) {
  Usage sum;
  sum.input_tokens = Add(a.input_tokens, b.input_tokens);
  sum.output_tokens = Add(a.output_tokens, b.output_tokens);
  sum.cached_input_tokens = Add(a.cached_input_tokens, b.cached_input_tokens);
  sum.cache_write_tokens = Add(a.cache_write_tokens, b.cache_write_tokens);
  sum.reasoning_tokens = Add(a.reasoning_tokens, b.reasoning_tokens);
  if (!a.empty() || !b.empty()) sum.total_tokens = a.Total() + b.Total();
  if (a.reported_cost_usd || b.reported_cost_usd) {
    sum.reported_cost_usd = a.reported_cost_usd.value_or(0) + b.reported_cost_usd.value_or(0);
  }
  sum.estimated = a.estimated || b.estimated;
  return sum;
}

Cost AddCost(const Cost& a, const Cost& b) {
  Cost sum;
  sum.total_usd = a.total_usd + b.total_usd;
  sum.input_usd = a.input_usd + b.input_usd;
  sum.cached_input_usd = a.cached_input_usd + b.cached_input_usd;
  sum.cache_write_usd = a.cache_write_usd + b.cache_write_usd;
  sum.output_usd = a.output_usd + b.output_usd;
  // CostSource values grow as trust falls (kNone = 0 is "unknown", not a source).
  sum.source = std::max(a.source, b.source);
  sum.price_date = a.price_date.empty() ? b.price_date : a.price_date;
  return sum;
}

Cost PriceUsage(const Usage& usage, const PriceTable* prices, std::string_view resolved_model,
                std::string_view requested_model) {
  const PriceTable& table = prices ? *prices : PriceTable::Default();
  const ModelPrice* price = resolved_model.empty() ? nullptr : table.Find(resolved_model);
  if (!price) price = table.Find(requested_model);
  return ComputeCost(usage, price, usage.reported_cost_usd);
}

}  // namespace llmstream::session_internal
