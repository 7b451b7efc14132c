#include "cli/event_json.h"

#include <cstdio>

#include "llmstream/metrics.h"

namespace llmstream::cli {
namespace {

void AppendString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
          out->append(buffer);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendField(std::string_view name, std::string_view value, std::string* out) {
  out->append(",\"");
  out->append(name);
  out->append("\":");
  AppendString(value, out);
}

void AppendNumber(std::string_view name, double value, std::string* out) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), ",\"%.*s\":%.10g", static_cast<int>(name.size()),
                name.data(), value);
  out->append(buffer);
}

}  // namespace

void AppendEventJson(const Event& event, std::string* out) {
  if (event.kind == EventKind::kRaw) {  // the provider's own SSE event: data and event type
    out->append("{\"type\":\"raw\"");
    AppendField("event", event.name, out);
    AppendField("data", event.text, out);
    out->push_back('}');
    return;
  }
  out->append("{\"type\":");
  AppendString(EventKindName(event.kind), out);
  AppendNumber("choice", event.choice, out);
  AppendNumber("block", event.block, out);
  if (!event.text.empty()) AppendField("text", event.text, out);
  if (!event.id.empty()) AppendField("id", event.id, out);
  if (!event.name.empty()) AppendField("name", event.name, out);
  if (event.usage) {
    const Usage& usage = *event.usage;
    if (usage.input_tokens) AppendNumber("inputTokens", double(*usage.input_tokens), out);
    if (usage.output_tokens) AppendNumber("outputTokens", double(*usage.output_tokens), out);
    AppendNumber("totalTokens", double(usage.Total()), out);
    if (usage.cached_input_tokens) {
      AppendNumber("cachedTokens", double(*usage.cached_input_tokens), out);
    }
    if (usage.reasoning_tokens) {
      AppendNumber("reasoningTokens", double(*usage.reasoning_tokens), out);
    }
  }
  if (event.usage && event.usage->estimated) out->append(",\"estimated\":true");
  if (event.cost) {
    AppendNumber("costUsd", event.cost->total_usd, out);
    AppendField("costSource", CostSourceName(event.cost->source), out);
  }
  if (event.kind == EventKind::kRetry) {
    AppendNumber("attempt", event.choice, out);
    AppendNumber("delayMs", event.block, out);
  }
  if (event.error) {
    AppendField("code", ErrorCodeName(event.error->code), out);
    AppendField("message", event.error->message, out);
    if (event.error->http_status != 0) AppendNumber("httpStatus", event.error->http_status, out);
    if (event.error->retry_after_ms) {
      AppendNumber("retryAfterMs", double(*event.error->retry_after_ms), out);
    }
  }
  out->push_back('}');
}

}  // namespace llmstream::cli
