#include <string>
#include <string_view>
#include <vector>

#include "json/writer.h"
#include "llmstream/relay.h"
#include "llmstream/to_json.h"
#include "relay/js_json.h"

namespace llmstream {
namespace {

uint64_t Key(uint32_t choice, uint32_t block) { return (uint64_t{choice} << 32) | block; }

// The package's names for the values it has no name for: the first of each table.
std::string_view PartName(uint8_t part) {
  const std::string_view name = ReasoningPartName(static_cast<ReasoningPart>(part));
  return name == "unknown" ? ReasoningPartName(ReasoningPart::kText) : name;
}
std::string_view KindName(ToolKind kind) {
  const std::string_view name = ToolKindName(kind);
  return name == "unknown" ? ToolKindName(ToolKind::kFunction) : name;
}

// Member writers: `,"key":` (or `"key":` first) is the caller's ObjectWriter::Key.
void Str(json::ObjectWriter& o, std::string_view key, std::string_view value) {
  json::AppendString(o.Key(key), value);
}
void Num(json::ObjectWriter& o, std::string_view key, double value) {
  relay::AppendJsNumber(o.Key(key), value);
}
// A choice, block or tool call index as the package reads it from the wasm boundary's int32
// records (dialects keep their indexes within int32: Cohere's tool plan block is INT32_MAX).
void Index(json::ObjectWriter& o, std::string_view key, uint32_t value) {
  json::AppendInt(o.Key(key), static_cast<int32_t>(value));
}

// The error as the package's LLMStreamError carries it (docs/relay-protocol.md, "error").
void AppendRelayError(std::string* out, const Error& error) {
  json::ObjectWriter o(out);
  Str(o, "code", ErrorCodeName(error.code));
  Str(o, "message", error.message);
  o.Bool("retryable", IsRetryable(error.code));
  if (error.retry_after_ms && *error.retry_after_ms >= 0) {
    Num(o, "retryAfterMs", static_cast<double>(*error.retry_after_ms));
  }
  if (error.http_status != 0) Num(o, "status", error.http_status);
  if (!error.provider_type.empty()) Str(o, "providerType", error.provider_type);
}

// The index of the chunk each kPartialObject of the batch goes on (the package's decoder: the
// last text chunk of its choice, or delta of its tool call, before the batch's first partial
// object), or -1.
std::vector<int> PartialTargets(std::span<const Event> batch) {
  std::vector<int> target_of;
  std::unordered_map<uint64_t, int> last_text;
  std::unordered_map<uint64_t, int> last_delta;
  bool built = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Event& e = batch[i];
    if (e.kind != EventKind::kPartialObject) continue;
    if (target_of.empty()) target_of.assign(batch.size(), -1);
    if (!built) {
      built = true;
      for (size_t j = 0; j < i; ++j) {
        if (batch[j].kind == EventKind::kText) last_text[batch[j].choice] = static_cast<int>(j);
        if (batch[j].kind == EventKind::kToolCallDelta) {
          last_delta[Key(batch[j].choice, batch[j].block)] = static_cast<int>(j);
        }
      }
    }
    const auto& map = e.partial_source() == PartialSource::kText ? last_text : last_delta;
    const auto it = map.find(e.partial_source() == PartialSource::kText ? uint64_t{e.choice}
                                                                        : Key(e.choice, e.block));
    if (it != map.end()) target_of[i] = it->second;
  }
  return target_of;
}

}  // namespace

RelayEncoder::RelayEncoder(std::string_view stream_id, std::string_view model)
    : stream_id_(stream_id), model_(model) {}

void RelayEncoder::BeginEvent(std::string* out, std::string_view name) {
  out->append("id: ");
  out->append(std::to_string(next_id_++));
  out->append("\nevent: ");
  out->append(name);
  out->append("\ndata: ");
}

void RelayEncoder::WriteStart(std::string* out) {
  out->append("retry: ");
  out->append(std::to_string(kRelayRetryMs));
  out->append("\n\n");
  BeginEvent(out, kRelayStartEvent);
  {
    json::ObjectWriter o(out);
    Num(o, "version", kRelayVersion);
    Str(o, "stream", stream_id_);
    Str(o, "model", model_);
  }
  out->append("\n\n");
}

void RelayEncoder::WriteKeepAlive(std::string* out) {
  out->append(": ");
  out->append(kRelayKeepAliveComment);
  out->append("\n\n");
}

void RelayEncoder::WriteBatch(std::span<const Event> batch, std::string* out,
                              std::string_view completion_json) {
  const std::vector<int> targets = PartialTargets(batch);
  // The partial object each chunk carries (the last one aimed at it), by chunk index.
  std::vector<std::string_view> partial;
  if (!targets.empty()) {
    partial.assign(batch.size(), {});
    for (size_t i = 0; i < batch.size(); ++i) {
      if (targets[i] >= 0) partial[static_cast<size_t>(targets[i])] = batch[i].text;
    }
  }
  for (size_t i = 0; i < batch.size() && !ended_; ++i) {
    const Event& e = batch[i];
    const Event* cost = nullptr;
    if (e.kind == EventKind::kUsage && i + 1 < batch.size() &&
        batch[i + 1].kind == EventKind::kCost) {
      cost = &batch[++i];
    } else if (e.kind == EventKind::kRetry) {
      remembered_.clear();  // another attempt: its calls and blocks start afresh
    }
    if (!IsRelayed(e.kind)) continue;
    WriteEvent(e, cost, partial.empty() ? std::string_view() : partial[i], completion_json, out);
  }
}

void RelayEncoder::WriteEvent(const Event& e, const Event* cost_event,
                              std::string_view partial_object, std::string_view completion_json,
                              std::string* out) {
  // Validated (and canonical) before its key is written: one the package cannot parse is left
  // off, as its decoder does.
  std::string partial;
  if (!partial_object.empty() && !relay::AppendCanonicalJson(&partial, partial_object)) {
    partial.clear();
  }
  BeginEvent(out, EventKindName(e.kind));
  {
    json::ObjectWriter o(out);
    switch (e.kind) {
      case EventKind::kText:
        Str(o, "text", e.text);
        Index(o, "index", e.choice);
        Index(o, "block", e.block);
        break;
      case EventKind::kReasoning:
        Str(o, "reasoning", e.text);
        Index(o, "index", e.choice);
        Str(o, "part", PartName(e.part));
        break;
      case EventKind::kRefusal:
        Str(o, "refusal", e.text);
        Index(o, "index", e.choice);
        break;
      case EventKind::kToolCallStart: {
        remembered_[Key(e.choice, e.block)].tool_kind = e.tool_kind();
        Index(o, "index", e.choice);
        json::ObjectWriter call(o.Key("toolCall"));
        Index(call, "index", e.block);
        Str(call, "id", e.id);
        Str(call, "name", e.name);
        Str(call, "kind", KindName(e.tool_kind()));
        break;
      }
      case EventKind::kToolCallDelta: {
        Index(o, "index", e.choice);
        json::ObjectWriter call(o.Key("toolCall"));
        Index(call, "index", e.block);
        Str(call, "argumentsDelta", e.text);
        break;
      }
      case EventKind::kToolCallEnd: {
        const auto it = remembered_.find(Key(e.choice, e.block));
        Index(o, "index", e.choice);
        json::ObjectWriter call(o.Key("toolCall"));
        Index(call, "index", e.block);
        Str(call, "id", e.id);
        Str(call, "name", e.name);
        Str(call, "arguments", e.text);
        call.Bool("argumentsValid", e.arguments_valid());
        Str(call, "kind",
            KindName(it == remembered_.end() ? ToolKind::kFunction : it->second.tool_kind));
        break;
      }
      case EventKind::kCitation:
        Index(o, "index", e.choice);
        relay::AppendCanonicalValueOrString(o.Key("citation"), e.text);
        break;
      case EventKind::kMetadata: {
        json::ObjectWriter metadata(o.Key("metadata"));
        if (e.metadata_format() == MetadataFormat::kJson) {
          relay::AppendCanonicalValueOrString(metadata.AnyKey(e.name), e.text);
        } else {
          json::AppendString(metadata.AnyKey(e.name), e.text);
        }
        break;
      }
      case EventKind::kUsage: {
        // The package's one usage chunk for the pair: the usage, the cost of it in dollars (0
        // when unknown) with its details (null when unknown), and whether it was estimated.
        const Cost* cost = cost_event != nullptr ? cost_event->cost : nullptr;
        const bool known = cost != nullptr && cost->known();
        scratch_.clear();
        if (e.usage != nullptr) {
          AppendJson(&scratch_, *e.usage);
        } else {
          scratch_ = "null";
        }
        relay::AppendCanonicalJson(o.Key("usage"), scratch_);
        Num(o, "cost", known ? cost->total_usd : 0.0);
        if (known) {
          scratch_.clear();
          AppendJson(&scratch_, *cost);
          relay::AppendCanonicalJson(o.Key("costDetails"), scratch_);
        } else {
          o.Null("costDetails");
        }
        o.Bool("costEstimated", known ? cost->source == CostSource::kEstimated
                                      : e.usage != nullptr && e.usage->estimated);
        break;
      }
      case EventKind::kWarning:
        Str(o, "message", e.text);
        break;
      case EventKind::kError:
        if (e.error != nullptr) {
          AppendRelayError(o.Key("error"), *e.error);
        } else {
          AppendRelayError(o.Key("error"), Error{ErrorCode::kInternal, "unknown error", {}, 0, {}});
        }
        // What was assembled before the failure: the client's result and its error's partial.
        if (!completion_json.empty())
          relay::AppendCanonicalValueOrString(o.Key("completion"), completion_json);
        ended_ = true;
        break;
      case EventKind::kRetry:
        Index(o, "attempt", e.retry != nullptr ? e.retry->attempt : 0);
        Num(o, "delayMs", e.retry != nullptr ? e.retry->delay_ms : 0);
        Str(o, "reason", e.text);
        o.Bool("continuation", e.retry != nullptr && e.retry->continuation);
        if (e.error != nullptr) AppendRelayError(o.Key("cause"), *e.error);
        break;
      case EventKind::kFinish:
        Index(o, "index", e.choice);
        o.StringOrNull("finishReason", e.text);
        break;
      case EventKind::kDone:
        o.Bool("done", true);
        o.StringOrNull("finishReason", e.text);
        if (!completion_json.empty())
          relay::AppendCanonicalValueOrString(o.Key("completion"), completion_json);
        ended_ = true;
        break;
      case EventKind::kBlockStart:
      case EventKind::kBlockEnd: {
        std::string_view type = e.name;
        Remembered& block = remembered_[Key(e.choice, e.block)];
        if (e.kind == EventKind::kBlockStart) {
          block.block_type = std::string(e.name);
        } else if (type.empty()) {
          type = block.block_type;  // the package looks it up in the completion
        }
        Index(o, "index", e.choice);
        Index(o, "block", e.block);
        Str(o, "blockType", type);
        if (e.kind == EventKind::kBlockStart && !e.text.empty()) {
          relay::AppendCanonicalValueOrString(o.Key("data"), e.text);
        }
        break;
      }
      default:
        break;
    }
    if (!partial.empty()) o.Key("partialObject")->append(partial);
  }
  out->append("\n\n");
}

}  // namespace llmstream
