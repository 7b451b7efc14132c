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

// Whether AppendJson hands `value` to the long-string writer (JsonSizeHint counts the same).
bool ByReference(const LongStringWriter* long_strings, std::string_view value) {
  return long_strings != nullptr && value.size() >= long_strings->min_bytes;
}

// Values that are JSON stay JSON; anything else becomes a string.
void AppendJsonArrayOfValues(std::string* out, const std::vector<std::string>& values) {
  json::AppendArray(out, values, [](std::string* o, const std::string& value) {
    json::AppendValueOrString(o, value);
  });
}

// Writes the long strings of a Completion: quoted, or through a LongStringWriter.
class CompletionWriter {
 public:
  explicit CompletionWriter(const LongStringWriter* long_strings) : long_(long_strings) {}

  void WriteCompletion(std::string* out, const Completion& completion) const;

 private:
  // A member that may be long. `same` and `or_same` are earlier long texts it may equal (a
  // block's text and its choice's text or reasoning): then that one is passed, so a reference
  // can be shared.
  void Text(ObjectWriter& o, std::string_view key, std::string_view value,
            std::string_view same = {}, std::string_view or_same = {}) const {
    if (ByReference(long_, value)) {
      long_->Write(o.Key(key), long_->Same(value, same)      ? same
                               : long_->Same(value, or_same) ? or_same
                                                             : value);
    } else {
      o.String(key, value);
    }
  }
  void WriteToolCall(std::string* out, const ToolCall& call) const;
  void WriteBlock(std::string* out, const Block& block, const Choice& choice) const;
  void WriteChoice(std::string* out, const Choice& choice) const;

  const LongStringWriter* long_;
};

void CompletionWriter::WriteToolCall(std::string* out, const ToolCall& call) const {
  ObjectWriter o(out);
  o.Int("index", call.index);
  o.String("id", call.id);
  o.String("type", call.type);
  o.String("kind", ToolKindName(call.kind));
  o.String("name", call.name);
  Text(o, "arguments", call.arguments);
  o.Bool("argumentsValid", call.arguments_valid);
  o.Bool("complete", call.complete);
}

void CompletionWriter::WriteBlock(std::string* out, const Block& block,
                                  const Choice& choice) const {
  ObjectWriter o(out);
  o.Int("index", block.index);
  o.String("type", block.type);
  o.String("id", block.id);
  // A choice's only text or thinking block holds the same text as the choice.
  Text(o, "text", block.text, choice.text, choice.reasoning);
  Text(o, "signature", block.signature);
  Text(o, "data", block.data);
  AppendJsonArrayOfValues(o.Key("citations"), block.citations);
  if (block.tool_call >= 0) {
    o.Int("toolCall", block.tool_call);
  } else {
    o.Null("toolCall");
  }
}

void CompletionWriter::WriteChoice(std::string* out, const Choice& choice) const {
  ObjectWriter o(out);
  o.Int("index", choice.index);
  o.String("role", choice.role);
  Text(o, "text", choice.text);
  Text(o, "reasoning", choice.reasoning);
  Text(o, "reasoningSignature", choice.reasoning_signature);
  Text(o, "refusal", choice.refusal);
  json::AppendArray(o.Key("toolCalls"), choice.tool_calls,
                    [this](std::string* item, const ToolCall& call) { WriteToolCall(item, call); });
  json::AppendArray(
      o.Key("blocks"), choice.blocks,
      [this, &choice](std::string* item, const Block& block) { WriteBlock(item, block, choice); });
  AppendJsonArrayOfValues(o.Key("citations"), choice.citations);
  o.StringOrNull("finishReason", choice.finish_reason);
  o.StringOrNull("rawFinishReason", choice.raw_finish_reason);
  o.StringOrNull("stopSequence", choice.stop_sequence);
  o.Int("logprobTokens", choice.logprob_tokens);
}

}  // namespace

size_t JsonSizeHint(const Completion& completion, const LongStringWriter* long_strings) {
  // The long strings, counted raw (or as the reference their writer says at most):
  // escapes and the small fields are what the margin is for.
  const auto text = [&](std::string_view value) -> size_t {
    return ByReference(long_strings, value) ? long_strings->ReferenceBytes(value) : value.size();
  };
  size_t size = text(completion.text());  // "text" repeats choice 0's text
  if (const Choice* first = completion.FindChoice(0)) size += text(first->reasoning);
  for (const auto& [key, value] : completion.metadata) size += key.size() + value.size() + 16;
  for (const Choice& choice : completion.choices) {
    size += text(choice.text) + text(choice.reasoning) + text(choice.refusal) +
            text(choice.reasoning_signature) + 512;
    for (const ToolCall& call : choice.tool_calls) size += text(call.arguments) + 256;
    for (const Block& block : choice.blocks) {
      size += text(block.text) + text(block.data) + text(block.signature) + block.id.size() + 256;
    }
    for (const std::string& citation : choice.citations) size += citation.size() + 8;
  }
  return size + size / 8 + 4096;
}

void AppendJson(std::string* out, const Completion& completion) {
  CompletionWriter(nullptr).WriteCompletion(out, completion);
}

void AppendJson(std::string* out, const Completion& completion,
                const LongStringWriter& long_strings) {
  CompletionWriter(&long_strings).WriteCompletion(out, completion);
}

namespace {

void CompletionWriter::WriteCompletion(std::string* out, const Completion& completion) const {
  ObjectWriter o(out);
  o.String("id", completion.id);
  o.String("model", completion.model);
  o.String("provider", completion.provider);
  Text(o, "text", completion.text());
  const Choice* first = completion.FindChoice(0);
  Text(o, "reasoning", first ? std::string_view(first->reasoning) : std::string_view());
  o.StringOrNull("finishReason",
                 first ? std::string_view(first->finish_reason) : std::string_view());
  json::AppendArray(o.Key("choices"), completion.choices,
                    [this](std::string* item, const Choice& choice) { WriteChoice(item, choice); });
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
  json::AppendArray(
      o.Key("warnings"), completion.warnings,
      [](std::string* w, const std::string& warning) { json::AppendString(w, warning); });
  if (completion.error) {
    AppendJson(o.Key("error"), completion.error);
  } else {
    o.Null("error");
  }
  o.Bool("finished", completion.finished);
  o.Bool("truncated", completion.truncated);
}

}  // namespace

void AppendJson(std::string* out, const HttpRequest& request) {
  ObjectWriter o(out);
  o.String("method", request.method);
  o.String("url", request.url);
  // [[name, value], ...]: header names may repeat, so not an object.
  json::AppendArray(o.Key("headers"), request.headers, [](std::string* h, const auto& header) {
    const std::string_view pair[] = {header.first, header.second};
    json::AppendArray(h, pair,
                      [](std::string* p, std::string_view part) { json::AppendString(p, part); });
  });
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
  if (event.retry) {
    o.Int("attempt", event.retry->attempt);
    o.Int("delayMs", event.retry->delay_ms);
    o.Bool("continuation", event.retry->continuation);
  }
}

}  // namespace llmstream
