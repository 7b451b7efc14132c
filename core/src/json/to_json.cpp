#include "llmstream/to_json.h"

#include <string_view>
#include <vector>

#include "json/writer.h"
#include "llmstream/metrics.h"

namespace llmstream {

using json::ObjectWriter;

void AppendJson(std::string* out, const Error& error) {
  ObjectWriter o(out);
  o.String("code", ErrorCodeName(error.code));
  o.String("message", error.message);
  if (error.http_status != 0) {
    o.Int("status", error.http_status);
  } else {
    o.Null("status");
  }
  o.StringOrNull("providerType", error.provider_type);
  o.OptionalInt("retryAfterMs", error.retry_after_ms);
}

void AppendJson(std::string* out, const Usage& usage) {
  ObjectWriter o(out);
  o.OptionalInt("promptTokens", usage.input_tokens);
  o.OptionalInt("completionTokens", usage.output_tokens);
  o.Int("totalTokens", usage.Total());
  o.OptionalInt("cachedTokens", usage.cached_input_tokens);
  o.OptionalInt("cacheWriteTokens", usage.cache_write_tokens);
  o.OptionalInt("reasoningTokens", usage.reasoning_tokens);
  o.Bool("estimated", usage.estimated);
}

void AppendJson(std::string* out, const Cost& cost) {
  ObjectWriter o(out);
  o.Number("totalUsd", cost.total_usd);
  o.Number("inputUsd", cost.input_usd);
  o.Number("cachedInputUsd", cost.cached_input_usd);
  o.Number("cacheWriteUsd", cost.cache_write_usd);
  o.Number("outputUsd", cost.output_usd);
  o.String("source", CostSourceName(cost.source));
  o.Bool("estimated", cost.source == CostSource::kEstimated);
  o.StringOrNull("priceDate", cost.price_date);
}

namespace {

std::string_view ToolKindName(ToolKind kind) {
  return kind == ToolKind::kServer ? "server" : "function";
}

void AppendJsonArrayOfValues(std::string* out, const std::vector<std::string>& values) {
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out->push_back(',');
    json::AppendValueOrString(out, values[i]);
  }
  out->push_back(']');
}

void AppendToolCallJson(std::string* out, const ToolCall& call) {
  ObjectWriter o(out);
  o.Int("index", call.index);
  o.String("id", call.id);
  o.String("type", call.type);
  o.String("kind", ToolKindName(call.kind));
  o.String("name", call.name);
  o.String("arguments", call.arguments);
  o.Bool("argumentsValid", call.arguments_valid);
  o.Bool("complete", call.complete);
}

void AppendBlockJson(std::string* out, const Block& block) {
  ObjectWriter o(out);
  o.Int("index", block.index);
  o.String("type", block.type);
  o.String("text", block.text);
  o.String("signature", block.signature);
  o.String("data", block.data);
  AppendJsonArrayOfValues(o.Key("citations"), block.citations);
  if (block.tool_call >= 0) {
    o.Int("toolCall", block.tool_call);
  } else {
    o.Null("toolCall");
  }
}

void AppendChoiceJson(std::string* out, const Choice& choice) {
  ObjectWriter o(out);
  o.Int("index", choice.index);
  o.String("role", choice.role);
  o.String("text", choice.text);
  o.String("reasoning", choice.reasoning);
  o.String("reasoningSignature", choice.reasoning_signature);
  o.String("refusal", choice.refusal);
  std::string* calls = o.Key("toolCalls");
  calls->push_back('[');
  for (size_t i = 0; i < choice.tool_calls.size(); ++i) {
    if (i) calls->push_back(',');
    AppendToolCallJson(calls, choice.tool_calls[i]);
  }
  calls->push_back(']');
  std::string* blocks = o.Key("blocks");
  blocks->push_back('[');
  for (size_t i = 0; i < choice.blocks.size(); ++i) {
    if (i) blocks->push_back(',');
    AppendBlockJson(blocks, choice.blocks[i]);
  }
  blocks->push_back(']');
  AppendJsonArrayOfValues(o.Key("citations"), choice.citations);
  o.StringOrNull("finishReason", choice.finish_reason);
  o.StringOrNull("rawFinishReason", choice.raw_finish_reason);
  o.StringOrNull("stopSequence", choice.stop_sequence);
  o.Int("logprobTokens", choice.logprob_tokens);
}

}  // namespace

void AppendJson(std::string* out, const Completion& completion) {
  ObjectWriter o(out);
  o.String("id", completion.id);
  o.String("model", completion.model);
  o.String("provider", completion.provider);
  o.String("text", completion.text());
  const Choice* first = completion.FindChoice(0);
  o.String("reasoning", first ? std::string_view(first->reasoning) : std::string_view());
  o.StringOrNull("finishReason",
                 first ? std::string_view(first->finish_reason) : std::string_view());
  std::string* choices = o.Key("choices");
  choices->push_back('[');
  for (size_t i = 0; i < completion.choices.size(); ++i) {
    if (i) choices->push_back(',');
    AppendChoiceJson(choices, completion.choices[i]);
  }
  choices->push_back(']');
  if (completion.usage.empty()) {
    o.Null("usage");
  } else {
    AppendJson(o.Key("usage"), completion.usage);
  }
  if (completion.cost.known()) {
    AppendJson(o.Key("cost"), completion.cost);
  } else {
    o.Null("cost");
  }
  // Metadata values the stream sent as JSON stay JSON; plain strings stay strings.
  std::string* metadata = o.Key("metadata");
  {
    ObjectWriter m(metadata);
    for (const auto& [key, value] : completion.metadata) {
      json::AppendValueOrString(m.AnyKey(key), value);
    }
  }
  std::string* warnings = o.Key("warnings");
  warnings->push_back('[');
  for (size_t i = 0; i < completion.warnings.size(); ++i) {
    if (i) warnings->push_back(',');
    json::AppendString(warnings, completion.warnings[i]);
  }
  warnings->push_back(']');
  if (completion.error) {
    AppendJson(o.Key("error"), completion.error);
  } else {
    o.Null("error");
  }
  o.Bool("finished", completion.finished);
  o.Bool("truncated", completion.truncated);
}

void AppendJson(std::string* out, const HttpRequest& request) {
  ObjectWriter o(out);
  o.String("method", request.method);
  o.String("url", request.url);
  std::string* headers = o.Key("headers");
  headers->push_back('[');
  for (size_t i = 0; i < request.headers.size(); ++i) {
    if (i) headers->push_back(',');
    headers->push_back('[');
    json::AppendString(headers, request.headers[i].first);
    headers->push_back(',');
    json::AppendString(headers, request.headers[i].second);
    headers->push_back(']');
  }
  headers->push_back(']');
  o.String("body", request.body);
}

void AppendJson(std::string* out, const Event& event) {
  ObjectWriter o(out);
  if (event.kind == EventKind::kRaw) {  // the provider's own SSE event: its type and data
    o.String("type", "raw");
    o.String("event", event.name);
    o.String("data", event.text);
    return;
  }
  o.String("type", EventKindName(event.kind));
  o.Int("choice", event.choice);
  o.Int("block", event.block);
  if (!event.text.empty()) o.String("text", event.text);
  if (!event.id.empty()) o.String("id", event.id);
  if (!event.name.empty()) o.String("name", event.name);
  if (event.usage) AppendJson(o.Key("usage"), *event.usage);
  if (event.cost) AppendJson(o.Key("cost"), *event.cost);
  if (event.error) AppendJson(o.Key("error"), *event.error);
  if (event.kind == EventKind::kRetry) {  // the retry's fields ride in choice / block
    o.Int("attempt", event.choice);
    o.Int("delayMs", event.block);
  }
}

}  // namespace llmstream
