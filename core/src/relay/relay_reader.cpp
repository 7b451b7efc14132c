// RelayReader (relay_reader.h): one relay event at a time, into the core's Events.
#include "relay/relay_reader.h"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "json/arena.h"
#include "json/reader.h"
#include "llmstream/metrics.h"
#include "llmstream/relay.h"

namespace llmstream {
namespace {

// A name of one of the core's tables back to its value (the tables are small: a walk of them).
template <typename T, typename NameOf>
std::optional<T> FromName(std::string_view name, NameOf name_of, int max_value) {
  for (int v = 0; v <= max_value; ++v) {
    if (name_of(static_cast<T>(v)) == name) return static_cast<T>(v);
  }
  return std::nullopt;
}

// The relay events' kinds by name, looked up once per event.
std::optional<EventKind> KindNamed(std::string_view name) {
  static const auto* const kinds = [] {
    auto* map = new std::unordered_map<std::string_view, EventKind>();
    for (int v = 0; v < 256; ++v) {
      const auto kind = static_cast<EventKind>(v);
      if (IsRelayed(kind)) map->emplace(EventKindName(kind), kind);
    }
    return map;
  }();
  const auto it = kinds->find(name);
  if (it == kinds->end()) return std::nullopt;
  return it->second;
}

// "0", "1", ... without sign or leading zero.
std::optional<uint64_t> ParseId(std::string_view text) {
  uint64_t value = 0;
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The members of one event's data, read once. Every value the decoder needs is a string, a
// number, a bool, or a JSON value kept as its text.
class Fields {
 public:
  Fields(std::string_view data, json::Arena* arena) : reader_(data, arena) {}

  // Visits every member: on(key, reader) must consume the value. False when data is no object.
  template <typename On>
  bool Each(On on) {
    if (!reader_.BeginObject()) return false;
    std::string_view key;
    while (reader_.NextField(&key)) {
      if (!on(key, reader_)) return false;
    }
    return reader_.Finish();
  }

 private:
  json::Reader reader_;
};

// An index or count: the package writes the core's uint32 as the int32 its records hold (-1 for
// UINT32_MAX), so both read back.
bool ReadUint(json::Reader& r, uint32_t* out) {
  int64_t v = 0;
  if (!r.GetInt(&v) || v < INT32_MIN || v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ReadOptionalInt(json::Reader& r, std::optional<int64_t>* out) {
  if (r.GetNull()) {
    out->reset();
    return true;
  }
  int64_t v = 0;
  if (!r.GetInt(&v)) return false;
  *out = v;
  return true;
}

bool ReadUsage(json::Reader& r, Usage* usage) {
  if (!r.BeginObject()) return false;
  std::string_view key;
  while (r.NextField(&key)) {
    bool ok = true;
    if (key == "promptTokens") {
      ok = ReadOptionalInt(r, &usage->input_tokens);
    } else if (key == "completionTokens") {
      ok = ReadOptionalInt(r, &usage->output_tokens);
    } else if (key == "totalTokens") {
      ok = ReadOptionalInt(r, &usage->total_tokens);
    } else if (key == "cachedTokens") {
      ok = ReadOptionalInt(r, &usage->cached_input_tokens);
    } else if (key == "cacheWriteTokens") {
      ok = ReadOptionalInt(r, &usage->cache_write_tokens);
    } else if (key == "reasoningTokens") {
      ok = ReadOptionalInt(r, &usage->reasoning_tokens);
    } else if (key == "estimated") {
      ok = r.GetBool(&usage->estimated);
    } else {
      ok = r.Skip();
    }
    if (!ok) return false;
  }
  return !r.failed();
}

bool ReadCost(json::Reader& r, Cost* cost) {
  if (!r.BeginObject()) return false;
  std::string_view key;
  while (r.NextField(&key)) {
    bool ok = true;
    std::string_view s;
    if (key == "totalUsd") {
      ok = r.GetDouble(&cost->total_usd);
    } else if (key == "inputUsd") {
      ok = r.GetDouble(&cost->input_usd);
    } else if (key == "cachedInputUsd") {
      ok = r.GetDouble(&cost->cached_input_usd);
    } else if (key == "cacheWriteUsd") {
      ok = r.GetDouble(&cost->cache_write_usd);
    } else if (key == "outputUsd") {
      ok = r.GetDouble(&cost->output_usd);
    } else if (key == "source" && r.GetString(&s)) {
      cost->source = FromName<CostSource>(s, CostSourceName, 3).value_or(CostSource::kNone);
    } else if (key == "priceDate" && r.GetString(&s)) {
      cost->price_date = std::string(s);
    } else {
      ok = r.Skip();
    }
    if (!ok) return false;
  }
  return !r.failed();
}

bool ReadError(json::Reader& r, Error* error) {
  if (!r.BeginObject()) return false;
  std::string_view key;
  std::string_view s;
  bool has_code = false;
  while (r.NextField(&key)) {
    bool ok = true;
    double number = 0;
    if (key == "code" && r.GetString(&s)) {
      // A code newer than this client: still an error.
      error->code = FromName<ErrorCode>(s, ErrorCodeName, 1023).value_or(ErrorCode::kInternal);
      has_code = error->code != ErrorCode::kNone;
    } else if (key == "message" && r.GetString(&s)) {
      error->message = std::string(s);
    } else if (key == "status" && r.GetDouble(&number)) {
      // Range-checked before the cast: a relay's 1e300 must not be undefined behaviour.
      if (number >= 100 && number <= 999) error->http_status = static_cast<int>(number);
    } else if (key == "retryAfterMs" && r.GetDouble(&number)) {
      if (number >= 0 && number <= 1e15) error->retry_after_ms = static_cast<int64_t>(number);
    } else if (key == "providerType" && r.GetString(&s)) {
      error->provider_type = std::string(s);
    } else {
      ok = r.Skip();  // retryable (the code says it), platformCode, newer fields
    }
    if (!ok) return false;
  }
  return !r.failed() && has_code;
}

}  // namespace

bool ReadRelayErrorBody(std::string_view body, Error* error) {
  json::Arena arena;
  Fields fields(body, &arena);
  bool found = false;
  const bool ok = fields.Each([&](std::string_view key, json::Reader& r) {
    if (key != "error") return r.Skip();
    found = ReadError(r, error);
    return found;
  });
  return ok && found;
}

void RelayReader::Break(ErrorCode code, std::string message, Emitter& out) {
  cursor_.error = Error{code, std::move(message), {}, 0, {}};
  cursor_.end = RelayEnd::kBroken;
  out.EmitError(cursor_.error);
}

void RelayReader::OnEvent(const SseEvent& event, Emitter& out) {
  if (cursor_.end != RelayEnd::kOpen) return;
  // Every event has the next id: 0 (start) or, in a resume, the one after Last-Event-ID. The
  // parser's id sticks to an event without one, which then reads as a duplicate.
  const uint64_t expected = cursor_.last_id        ? *cursor_.last_id + 1
                            : cursor_.resume_after ? *cursor_.resume_after + 1
                                                   : 0;
  const std::optional<uint64_t> id = ParseId(event.id);
  if (!id || *id != expected) {
    const std::string what = !id ? "an event without a valid id (\"" + std::string(event.id) + "\")"
                             : *id < expected ? "a duplicate of event " + std::to_string(*id)
                                              : "event " + std::to_string(*id) + " (a gap)";
    Break(ErrorCode::kBadFrame,
          "relay stream: " + what + " where event " + std::to_string(expected) + " was due", out);
    return;
  }
  cursor_.last_id = id;
  const bool first = !cursor_.resume_after && *id == 0;
  if (first != (event.type == kRelayStartEvent)) {
    Break(ErrorCode::kBadFrame,
          first ? "relay stream: the first event is not start"
                : "relay stream: start after the first event",
          out);
    return;
  }
  if (first) {
    DecodeStart(event.data, out);
    return;
  }
  DecodeChunk(event.type, event.data, out);
}

void RelayReader::DecodeStart(std::string_view data, Emitter& out) {
  {
    json::Arena arena;
    Fields fields(data, &arena);
    std::optional<int64_t> version;
    const bool ok = fields.Each([&](std::string_view key, json::Reader& r) {
      std::string_view s;
      int64_t v = 0;
      if (key == "version" && r.GetInt(&v)) {
        version = v;
      } else if (key == "stream" && r.GetString(&s)) {
        cursor_.stream_id = std::string(s);
      } else if (key == "model" && r.GetString(&s)) {
        cursor_.model = std::string(s);
      } else {
        return r.Skip();
      }
      return true;
    });
    if (!ok || !version) {
      Break(ErrorCode::kBadJson,
            "relay stream: the start event's data is not {version, stream, model}", out);
    } else if (*version != kRelayVersion) {
      Break(ErrorCode::kInvalidRequest,
            "relay protocol version " + std::to_string(*version) +
                " is not supported (this client speaks " + std::to_string(kRelayVersion) + ")",
            out);
    }
  }
}

void RelayReader::DecodeChunk(std::string_view type, std::string_view data, Emitter& out) {
  const std::optional<EventKind> kind = KindNamed(type);
  if (!kind) return;  // a chunk type newer than this client: ignored, as the spec allows
  json::Arena arena;
  Fields fields(data, &arena);
  Event e;
  e.kind = *kind;
  // The event's strings outlive the SSE event: kept until the next Feed.
  auto keep = [&](std::string_view s) { return out.Copy(s); };
  std::optional<std::string_view> partial;  // a chunk's partialObject: a kPartialObject after it
  std::optional<Usage> usage;
  std::optional<Cost> cost;
  std::optional<Error> error;
  std::optional<RetryInfo> retry;
  auto read_call = [&](json::Reader& r) {
    if (!r.BeginObject()) return false;
    std::string_view key;
    std::string_view s;
    while (r.NextField(&key)) {
      bool valid = false;
      if (key == "index") {
        if (!ReadUint(r, &e.block)) return false;
        continue;
      }
      if (key == "argumentsValid") {
        if (!r.GetBool(&valid)) return false;
        e.part =
            static_cast<uint8_t>(valid ? ToolArguments::kValidJson : ToolArguments::kInvalidJson);
        continue;
      }
      const bool is_string = key == "id" || key == "name" || key == "argumentsDelta" ||
                             key == "arguments" || key == "kind";
      if (!is_string) {
        if (!r.Skip()) return false;
        continue;
      }
      if (!r.GetString(&s)) return false;
      if (key == "id") {
        e.id = keep(s);
      } else if (key == "name") {
        e.name = keep(s);
      } else if (key == "kind") {
        // A call's kind is its start's part (an end's part is its arguments' validity).
        if (e.kind != EventKind::kToolCallStart) continue;
        e.part = static_cast<uint8_t>(
            FromName<ToolKind>(s, ToolKindName, 1).value_or(ToolKind::kFunction));
      } else {
        e.text = keep(s);
      }
    }
    return !r.failed();
  };
  const bool ok = fields.Each([&](std::string_view key, json::Reader& r) {
    std::string_view s;
    std::string_view raw;
    bool flag = false;
    if (key == "index" && e.kind != EventKind::kUsage) return ReadUint(r, &e.choice);
    if (key == "block" && (e.kind == EventKind::kText || e.kind == EventKind::kBlockStart ||
                           e.kind == EventKind::kBlockEnd)) {
      return ReadUint(r, &e.block);
    }
    if (key == "text" || key == "reasoning" || key == "refusal" || key == "message" ||
        key == "reason" || key == "finishReason") {
      if (key == "finishReason" && r.GetNull()) return true;
      if (!r.GetString(&s)) return false;
      e.text = keep(s);
      return true;
    }
    if (key == "part") {
      if (!r.GetString(&s)) return false;
      e.part = static_cast<uint8_t>(
          FromName<ReasoningPart>(s, ReasoningPartName, 3).value_or(ReasoningPart::kText));
      return true;
    }
    if (key == "toolCall") return read_call(r);
    if (key == "blockType") {
      if (!r.GetString(&s)) return false;
      e.name = keep(s);
      return true;
    }
    if (key == "citation" || key == "data") {
      // A string stands for itself; any other value for its JSON text.
      if (r.GetString(&s)) {
        e.text = keep(s);
        return true;
      }
      if (!r.SkipRaw(&raw)) return false;
      e.text = keep(raw);
      return true;
    }
    if (key == "metadata") {
      if (!r.BeginObject() || !r.NextField(&s)) return false;
      e.name = keep(s);
      std::string_view value;
      if (r.GetString(&value)) {
        e.text = keep(value);
        e.part = static_cast<uint8_t>(MetadataFormat::kString);
      } else {
        if (!r.SkipRaw(&raw)) return false;
        e.text = keep(raw);
        e.part = static_cast<uint8_t>(MetadataFormat::kJson);
      }
      return !r.NextField(&s) && !r.failed();  // one key per metadata chunk
    }
    if (key == "partialObject") {
      if (!r.SkipRaw(&raw)) return false;
      partial = keep(raw);
      return true;
    }
    if (key == "usage") {
      if (r.GetNull()) return true;
      return ReadUsage(r, &usage.emplace());
    }
    if (key == "costDetails") {
      if (r.GetNull()) return true;
      return ReadCost(r, &cost.emplace());
    }
    if (key == "error" || key == "cause") {
      return ReadError(r, &error.emplace());
    }
    if (e.kind == EventKind::kRetry &&
        (key == "attempt" || key == "delayMs" || key == "continuation")) {
      if (!retry) retry.emplace();
      if (key == "continuation") {
        if (!r.GetBool(&flag)) return false;
        retry->continuation = flag;
        return true;
      }
      return ReadUint(r, key == "attempt" ? &retry->attempt : &retry->delay_ms);
    }
    if (key == "completion" && (e.kind == EventKind::kDone || e.kind == EventKind::kError)) {
      if (!r.SkipRaw(&raw)) return false;
      cursor_.completion = std::string(raw);
      return true;
    }
    return r.Skip();  // cost (costDetails says it), costEstimated, done, fields newer than this
  });
  if (!ok) {
    Break(ErrorCode::kBadJson,
          "relay stream: the data of a " + std::string(type) + " event is not that chunk's JSON",
          out);
    return;
  }
  if (e.kind == EventKind::kUsage) {
    if (!usage) return;  // a usage chunk without usage: nothing to say
    out.EmitUsage(*usage);
    if (cost) out.EmitCost(*cost);
    return;
  }
  if (e.kind == EventKind::kError) {
    if (!error) {
      Break(ErrorCode::kBadJson, "relay stream: an error event without its error", out);
      return;
    }
    cursor_.error = *error;
    cursor_.end = RelayEnd::kError;
    out.EmitError(std::move(*error));
    return;
  }
  if (e.kind == EventKind::kRetry) {
    out.EmitRetry(error.value_or(Error{}), e.text, retry.value_or(RetryInfo{}));
    return;
  }
  out.Push(e);
  if (partial) {
    Event p;
    p.kind = EventKind::kPartialObject;
    p.choice = e.choice;
    p.block = e.block;
    p.part = static_cast<uint8_t>(e.kind == EventKind::kText ? PartialSource::kText
                                                             : PartialSource::kToolArguments);
    p.text = *partial;
    out.Push(p);
  }
  if (e.kind == EventKind::kDone) cursor_.end = RelayEnd::kDone;
}

}  // namespace llmstream
