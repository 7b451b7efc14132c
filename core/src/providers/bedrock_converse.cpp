// AWS Bedrock ConverseStream (wire-formats.md, "AWS Bedrock"): one AWS event-stream message per
// event, the event name in `:event-type` (the framer's `type`) and its JSON in the payload:
// messageStart, contentBlockStart (tool use), contentBlockDelta (text, toolUse input,
// reasoningContent text / signature / redactedContent, citation), contentBlockStop, messageStop
// (stopReason) and metadata (usage, metrics, trace); exception and error frames end the stream.
// Blocks are keyed by contentBlockIndex and need no start: only tool use blocks get one, text and
// reasoning blocks begin with their first delta.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.h"
#include "json/reader.h"
#include "providers/bedrock_exceptions.h"
#include "providers/delta_template.h"
#include "providers/field_reading.h"
#include "providers/metadata_tracker.h"
#include "providers/more_dialects.h"

namespace llmstream {
namespace {

using json::Reader;
using json::ValueType;
using providers::ReadString;
using providers::TrimJsonSpace;

constexpr std::string_view kEventNames[] = {"messageStart",      "contentBlockStart",
                                            "contentBlockDelta", "contentBlockStop",
                                            "messageStop",       "metadata"};

// Chat Completions names are the normalized ones; unknown reasons pass through unchanged.
std::string_view NormalizeStopReason(std::string_view raw) {
  if (raw == "end_turn" || raw == "stop_sequence") return "stop";
  if (raw == "max_tokens" || raw == "model_context_window_exceeded") return "length";
  if (raw == "tool_use") return "tool_calls";
  if (raw == "guardrail_intervened" || raw == "content_filtered") return "content_filter";
  return raw;
}

// A token count; null or another type leaves `out` as it was.
bool ReadCount(Reader& reader, std::optional<int64_t>* out) {
  int64_t value = 0;
  if (reader.GetInt(&value)) {
    *out = value;
    return true;
  }
  return reader.Skip();
}

// The fields of one event payload. Nested objects are kept raw and read once the whole payload
// is known to be valid JSON, so a broken payload emits nothing.
struct Payload {
  std::optional<int64_t> index;                   // contentBlockIndex
  bool bad_index = false;                         // present but not an integer
  std::string_view delta, start, usage, metrics;  // raw JSON
  std::string_view stop_reason, additional;       // additional: raw JSON
  bool others = false;  // fields this dialect does not read (passed on as metadata)
};

// The fields of a contentBlockDelta `delta` (a union: one member is set).
struct BlockDelta {
  std::string_view text, tool_input, reasoning_text, signature, redacted, citation;
  bool has_text = false, has_tool = false, has_reasoning = false, has_citation = false;
  std::string_view unknown_key, unknown_raw;  // a member this dialect does not know
};

class BedrockConverseDialect final : public providers::TemplatedDialect {
 public:
  // An exception ended the stream: nothing after it counts.
  bool ended() const override { return failed_; }

  void Read(const SseEvent& event, Emitter& out) override {
    if (event.id == "exception" || event.id == "error") {
      failed_ = true;
      out.EmitError(bedrock::ExceptionError(event.type, event.data, event.id == "exception", out));
      return;
    }
    std::string_view data = TrimJsonSpace(event.data);
    std::string_view type = event.type;
    if (!IsEventName(type) && !Unwrap(&type, &data, out)) {
      if (data.empty()) return;
      if (!providers::IsValidJson(data, out.arena())) {
        providers::EmitBadJson("event payload", data, out);
        return;
      }
      // New event types must be tolerated; pass them on so nothing vanishes.
      out.EmitMetadata(type.empty() ? std::string_view("message") : type, data,
                       MetadataFormat::kJson);
      return;
    }
    Payload payload;
    if (!ReadPayload(data, out, &payload, &template_)) {
      providers::EmitBadJson("event payload", data, out);
      return;
    }
    if (payload.others) PassOthers(data, type, out);
    if (type == "contentBlockDelta") {
      if (uint32_t index = 0; BlockIndex(payload, type, out, &index)) {
        OnBlockDelta(index, payload.delta, out);
      }
    } else if (type == "contentBlockStart") {
      if (uint32_t index = 0; BlockIndex(payload, type, out, &index)) {
        OnBlockStart(index, payload.start, out);
      }
    } else if (type == "contentBlockStop") {
      if (uint32_t index = 0; BlockIndex(payload, type, out, &index)) {
        if (BlockState* block = FindOpen(index)) CloseBlock(*block, out);
        // A stop for a block that never had a delta is an empty block: nothing to close.
      }
    } else if (type == "messageStart") {
      // `role` is read as metadata by PassOthers (the assembler takes the choice's role there).
    } else if (type == "messageStop") {
      OnMessageStop(payload, out);
    } else if (type == "metadata") {
      OnMetadata(payload, out);
    }
  }

  void OnEnd(Emitter& out) override {
    if (!stopped_) return;  // cut short: an open tool call may hold partial input, left open
    // After messageStop a block left open was ended by the message itself.
    for (BlockState& block : blocks_) {
      if (block.open) CloseBlock(block, out);
    }
    if (!metadata_seen_) {
      out.EmitWarning(
          "missing_usage: the body ended after messageStop without its metadata event (usage "
          "and latency unknown)");
    }
  }

  // The answer is complete at messageStop; metadata (usage, latency) normally follows it, and a
  // body that ends between the two lost only those numbers, which OnEnd says.
  bool terminal() const override { return stopped_; }

 private:
  enum class BlockKind : uint8_t { kText, kReasoning, kTool, kOther };

  struct BlockState {
    uint32_t index = 0;
    uint32_t slot = 0;  // its position in blocks_
    bool open = false;
    BlockKind kind = BlockKind::kOther;
    std::string type, id, name;
  };

  static bool IsEventName(std::string_view type) {
    for (std::string_view name : kEventNames) {
      if (type == name) return true;
    }
    return false;
  }

  // A gateway that re-frames the stream (SSE, JSON lines) writes each event as the union member
  // itself: {"contentBlockDelta": {...}}. Such a payload names its event; read that.
  static bool Unwrap(std::string_view* type, std::string_view* data, Emitter& out) {
    Reader reader(*data, out.arena());
    if (!reader.BeginObject()) return false;
    std::string_view key, inner;
    if (!reader.NextField(&key) || !IsEventName(key) || reader.Peek() != ValueType::kObject ||
        !reader.SkipRaw(&inner) || reader.NextField(&key) || !reader.Finish()) {
      return false;
    }
    *type = key;
    *data = inner;
    return true;
  }

  // Reads the top level of a known event; false when the payload is not valid JSON.
  static bool ReadPayload(std::string_view data, Emitter& out, Payload* payload,
                          providers::DeltaTemplate* tmpl) {
    Reader reader(data, out.arena());
    if (!reader.BeginObject()) return false;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "contentBlockIndex") {
        int64_t index = 0;
        if (reader.GetInt(&index)) {
          payload->index = index;
        } else {
          payload->bad_index = !reader.GetNull();
          ok = !payload->bad_index || reader.Skip();
        }
      } else if (key == "delta") {
        ok = reader.SkipRaw(&payload->delta);
      } else if (key == "start") {
        ok = reader.SkipRaw(&payload->start);
      } else if (key == "stopReason") {
        ok = ReadString(reader, &payload->stop_reason);
      } else if (key == "additionalModelResponseFields") {
        ok = reader.SkipRaw(&payload->additional);
      } else if (key == "usage") {
        ok = reader.SkipRaw(&payload->usage);
      } else if (key == "metrics") {
        ok = reader.SkipRaw(&payload->metrics);
      } else {
        // `p` is padding Bedrock adds to every event (a random-length string that hides token
        // lengths from an observer of the encrypted traffic): it means nothing.
        std::string_view padding;
        if (key != "p") {
          payload->others = true;
          ok = reader.Skip();
        } else if (reader.GetRawString(&padding)) {
          tmpl->NoteIgnored(padding);
        } else {
          ok = reader.Skip();
        }
      }
      if (!ok) return false;
    }
    return reader.Finish();
  }

  bool PassThrough(Reader& reader, std::string_view key, std::string_view prefix, Emitter& out) {
    return providers::PassThroughField(reader, key, prefix, 0, metadata_, out, &scratch_);
  }

  // The fields of a (valid) payload this dialect does not read itself: messageStart's `role`
  // (which the assembler reads from metadata), metadata's `trace`, `performanceConfig`,
  // `serviceTier`, and whatever a newer API adds.
  void PassOthers(std::string_view data, std::string_view type, Emitter& out) {
    Reader reader(data, out.arena());
    reader.BeginObject();
    std::string_view key;
    while (reader.NextField(&key)) {
      const bool read_elsewhere = key == "p" || key == "contentBlockIndex" || key == "delta" ||
                                  key == "start" || key == "stopReason" ||
                                  key == "additionalModelResponseFields" || key == "usage" ||
                                  key == "metrics";
      if (read_elsewhere) {
        reader.Skip();
      } else if (type == "messageStart" || type == "metadata" || type == "messageStop") {
        PassThrough(reader, key, {}, out);
      } else {
        scratch_event_.assign(type);
        scratch_event_.push_back('.');
        PassThrough(reader, key, scratch_event_, out);
      }
    }
  }

  bool BlockIndex(const Payload& payload, std::string_view type, Emitter& out, uint32_t* index) {
    // A missing index is block 0, as the SDKs read it (the field is required; single-block
    // gateways drop it).
    const int64_t value = payload.index.value_or(0);
    if (payload.bad_index || value < 0 || value > UINT32_MAX) {
      out.EmitWarning("bad_event: " + std::string(type) + " without a valid contentBlockIndex");
      return false;
    }
    *index = static_cast<uint32_t>(value);
    return true;
  }

  BlockState* FindOpen(uint32_t index) {
    if (last_opened_ < blocks_.size()) {  // the usual case: deltas to the newest block
      BlockState& last = blocks_[last_opened_];
      if (last.open && last.index == index) return &last;
    }
    const uint32_t at = open_index_.Find(FlatIndex::HashInt(index), [&](uint32_t i) {
      return blocks_[i].open && blocks_[i].index == index;
    });
    return at == FlatIndex::kNone ? nullptr : &blocks_[at];
  }

  void ReleaseSlot(BlockState& block) {
    block.open = false;
    open_index_.Erase(FlatIndex::HashInt(block.index), block.slot);
    free_slots_.push_back(block.slot);
  }

  // Opens block `index` and says so (kBlockStart). Slots are reused so their strings keep their
  // capacity from one block to the next.
  BlockState& OpenBlock(uint32_t index, BlockKind kind, std::string_view type, Emitter& out,
                        std::string_view whole = {}) {
    if (BlockState* stale = FindOpen(index)) {
      out.EmitWarning("bad_event: block " + std::to_string(index) + " started again before its " +
                      "contentBlockStop");
      ReleaseSlot(*stale);
    }
    BlockState* block = nullptr;
    if (!free_slots_.empty()) {
      block = &blocks_[free_slots_.back()];
      free_slots_.pop_back();
    } else {
      block = &blocks_.emplace_back();
      block->slot = static_cast<uint32_t>(blocks_.size() - 1);
    }
    open_index_.Insert(FlatIndex::HashInt(index), block->slot);
    last_opened_ = block->slot;
    block->index = index;
    block->open = true;
    block->kind = kind;
    block->type.assign(type);
    block->id.clear();
    block->name.clear();
    Event& start = out.Emit(EventKind::kBlockStart, 0, index);
    start.name = type;
    start.text = whole;
    return *block;
  }

  void CloseBlock(BlockState& block, Emitter& out) {
    ReleaseSlot(block);
    if (block.kind == BlockKind::kTool) {
      // The input is the deltas (the assembler has them), parsed only now that it is complete.
      out.EmitToolCallEnd(0, block.index, block.id, block.name);
    }
    out.Emit(EventKind::kBlockEnd, 0, block.index).name = out.Copy(block.type);
  }

  // contentBlockStart `start`: a union, {toolUse: {toolUseId, name, ...}} in every stream so far.
  // Other members (tool results of server-side tools, images ...) open a block of that name that
  // carries the start's JSON whole.
  void OnBlockStart(uint32_t index, std::string_view raw, Emitter& out) {
    Reader reader(raw, out.arena());
    std::string_view key, member, tool_use;
    if (reader.BeginObject()) {
      while (reader.NextField(&key)) {
        std::string_view value;
        if (!reader.SkipRaw(&value)) break;
        if (key == "toolUse") {
          tool_use = value;
        } else if (member.empty()) {
          member = key;
        }
      }
    }
    if (tool_use.empty()) {
      if (member.empty()) {
        out.EmitWarning("bad_event: contentBlockStart without a start member");
        return;
      }
      OpenBlock(index, BlockKind::kOther, member, out, TrimJsonSpace(raw));
      return;
    }
    std::string_view id, name;
    Reader tool(tool_use, out.arena());
    if (tool.BeginObject()) {
      while (tool.NextField(&key)) {
        bool ok = key == "toolUseId" ? ReadString(tool, &id)
                  : key == "name"    ? ReadString(tool, &name)
                                     : PassThrough(tool, key, "toolUse.", out);  // type ...
        if (!ok) break;
      }
    }
    BlockState& block = OpenBlock(index, BlockKind::kTool, "tool_use", out);
    block.id.assign(id);
    block.name.assign(name);
    Event& call = out.Emit(EventKind::kToolCallStart, 0, index);
    call.id = id;
    call.name = name;
    call.part = static_cast<uint8_t>(ToolKind::kFunction);
  }

  static bool ReadReasoning(Reader& reader, BlockDelta* delta) {
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = key == "text"              ? ReadString(reader, &delta->reasoning_text)
                : key == "signature"       ? ReadString(reader, &delta->signature)
                : key == "redactedContent" ? ReadString(reader, &delta->redacted)
                                           : reader.Skip();
      if (!ok) return false;
    }
    return !reader.failed();
  }

  static bool ReadToolUse(Reader& reader, BlockDelta* delta) {
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = key == "input" ? ReadString(reader, &delta->tool_input) : reader.Skip();
      if (!ok) return false;
    }
    return !reader.failed();
  }

  static bool ReadDelta(std::string_view raw, Emitter& out, BlockDelta* delta) {
    Reader reader(raw, out.arena());
    if (!reader.BeginObject()) return false;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "text") {
        delta->has_text = true;
        ok = ReadString(reader, &delta->text);
      } else if (key == "toolUse") {
        delta->has_tool = true;
        ok = ReadToolUse(reader, delta);
      } else if (key == "reasoningContent") {
        delta->has_reasoning = true;
        ok = ReadReasoning(reader, delta);
      } else if (key == "citation") {
        delta->has_citation = true;
        ok = reader.SkipRaw(&delta->citation);
      } else if (delta->unknown_key.empty()) {
        delta->unknown_key = key;
        ok = reader.SkipRaw(&delta->unknown_raw);
      } else {
        ok = reader.Skip();
      }
      if (!ok) return false;
    }
    return !reader.failed();
  }

  // The block a delta belongs to. Text and reasoning blocks have no contentBlockStart: their
  // first delta opens them, with the type that delta implies.
  BlockState* BlockFor(uint32_t index, const BlockDelta& delta, Emitter& out) {
    if (BlockState* block = FindOpen(index)) return block;
    if (delta.has_reasoning) return &OpenBlock(index, BlockKind::kReasoning, "reasoning", out);
    if (delta.has_text || delta.has_citation) {
      return &OpenBlock(index, BlockKind::kText, "text", out);
    }
    if (delta.has_tool) {
      // Tool input without its contentBlockStart: keep the input, say that id and name are lost.
      out.EmitWarning("bad_event: toolUse delta for block " + std::to_string(index) +
                      " without contentBlockStart (no tool id or name)");
      OpenBlock(index, BlockKind::kTool, "tool_use", out);
      out.Emit(EventKind::kToolCallStart, 0, index).part =
          static_cast<uint8_t>(ToolKind::kFunction);
      return FindOpen(index);
    }
    return nullptr;
  }

  void OnBlockDelta(uint32_t index, std::string_view raw, Emitter& out) {
    BlockDelta delta;
    if (raw.empty() || !ReadDelta(raw, out, &delta)) {
      out.EmitWarning("bad_event: contentBlockDelta without a valid delta");
      return;
    }
    BlockState* block = BlockFor(index, delta, out);
    if (delta.has_text && !delta.text.empty()) {
      out.EmitText(EventKind::kText, 0, index, delta.text);
      template_.NoteDelta(delta.text);
    }
    if (delta.has_reasoning) {
      if (!delta.reasoning_text.empty()) {
        out.EmitText(EventKind::kReasoning, 0, index, delta.reasoning_text,
                     static_cast<uint8_t>(ReasoningPart::kText));
      }
      if (!delta.signature.empty()) {
        out.EmitText(EventKind::kReasoning, 0, index, delta.signature,
                     static_cast<uint8_t>(ReasoningPart::kSignature));
      }
      // A blob: base64 in the JSON, kept as sent so that it can be echoed back as is.
      if (!delta.redacted.empty()) {
        out.EmitText(EventKind::kReasoning, 0, index, delta.redacted,
                     static_cast<uint8_t>(ReasoningPart::kRedacted));
      }
    }
    if (delta.has_tool && !delta.tool_input.empty()) {
      if (block != nullptr && block->kind == BlockKind::kTool) {
        out.EmitText(EventKind::kToolCallDelta, 0, index, delta.tool_input);
      } else {
        out.EmitWarning("bad_event: toolUse delta on a " +
                        (block ? block->type : std::string("closed")) +
                        " block passed on as metadata");
        out.EmitMetadata("delta.toolUse", delta.tool_input, MetadataFormat::kString);
      }
    }
    if (delta.has_citation && !delta.citation.empty()) {
      out.EmitText(EventKind::kCitation, 0, index, delta.citation);
    }
    if (!delta.unknown_key.empty()) UnknownDelta(delta.unknown_key, delta.unknown_raw, out);
  }

  // New delta members appear without notice: warn once per member name (up to a bound, so a
  // hostile stream cannot make this quadratic), and pass each such delta on whole.
  void UnknownDelta(std::string_view key, std::string_view raw, Emitter& out) {
    bool warned = warned_delta_types_.size() >= kMaxWarnedDeltaTypes;
    for (const std::string& seen : warned_delta_types_) warned = warned || seen == key;
    if (!warned) {
      warned_delta_types_.emplace_back(key);
      out.EmitWarning("unknown_delta: contentBlockDelta member \"" + std::string(key) +
                      "\" passed on as metadata delta." + std::string(key));
    }
    scratch_.assign("delta.");
    scratch_.append(key);
    out.EmitMetadata(out.Copy(scratch_), raw, MetadataFormat::kJson);
  }

  void OnMessageStop(const Payload& payload, Emitter& out) {
    stopped_ = true;
    // Anthropic models report the matched stop sequence here:
    // additionalModelResponseFields.delta.stop_sequence.
    std::string_view stop_sequence;
    if (!payload.additional.empty() && payload.additional != "null") {
      out.EmitMetadata("additionalModelResponseFields", payload.additional, MetadataFormat::kJson);
      Reader reader(payload.additional, out.arena());
      std::string_view key;
      if (reader.BeginObject()) {
        while (reader.NextField(&key)) {
          if (key != "delta" || !reader.BeginObject()) {
            if (!reader.Skip()) break;
            continue;
          }
          while (reader.NextField(&key)) {
            if (!(key == "stop_sequence" ? ReadString(reader, &stop_sequence) : reader.Skip())) {
              break;
            }
          }
        }
      }
    }
    if (payload.stop_reason.empty()) return;
    Event& finish = out.Emit(EventKind::kFinish);
    finish.text = NormalizeStopReason(payload.stop_reason);
    finish.id = payload.stop_reason;
    finish.name = stop_sequence;
  }

  // metadata: {usage: {inputTokens, outputTokens, totalTokens, cacheReadInputTokens,
  // cacheWriteInputTokens, ...}, metrics: {latencyMs}, trace, performanceConfig, serviceTier}.
  void OnMetadata(const Payload& payload, Emitter& out) {
    metadata_seen_ = true;
    std::string_view key;
    if (!payload.metrics.empty()) {
      Reader reader(payload.metrics, out.arena());
      if (reader.BeginObject()) {
        while (reader.NextField(&key)) {
          if (!PassThrough(reader, key, "metrics.", out)) break;
        }
      }
    }
    if (payload.usage.empty()) return;
    Reader reader(payload.usage, out.arena());
    if (!reader.BeginObject()) return;  // null: no usage
    std::optional<int64_t> input, output, total, cache_read, cache_write;
    while (reader.NextField(&key)) {
      bool ok = key == "inputTokens"             ? ReadCount(reader, &input)
                : key == "outputTokens"          ? ReadCount(reader, &output)
                : key == "totalTokens"           ? ReadCount(reader, &total)
                : key == "cacheReadInputTokens"  ? ReadCount(reader, &cache_read)
                : key == "cacheWriteInputTokens" ? ReadCount(reader, &cache_write)
                                                 : PassThrough(reader, key, "usage.", out);
      if (!ok) break;
    }
    // Bedrock counts cache reads and writes apart from inputTokens (totalTokens adds all
    // three): our input_tokens is every prompt token, the cache counts subsets of it.
    Usage usage;
    if (input || cache_read || cache_write) {
      usage.input_tokens = input.value_or(0) + cache_read.value_or(0) + cache_write.value_or(0);
    }
    usage.output_tokens = output;
    usage.total_tokens = total;
    usage.cached_input_tokens = cache_read;
    usage.cache_write_tokens = cache_write;
    out.EmitUsage(usage);
  }

  // Slots of open and closed blocks: the open ones by index, the closed ones free for reuse.
  std::vector<BlockState> blocks_;
  FlatIndex open_index_;
  std::vector<uint32_t> free_slots_;
  size_t last_opened_ = SIZE_MAX;
  MetadataTracker metadata_;
  static constexpr size_t kMaxWarnedDeltaTypes = 32;
  std::vector<std::string> warned_delta_types_;
  std::string scratch_, scratch_event_;  // build metadata keys without a fresh string each time
  bool stopped_ = false;                 // messageStop arrived
  bool metadata_seen_ = false;           // the metadata event arrived
  bool failed_ = false;                  // an exception or error frame arrived
};

}  // namespace

std::unique_ptr<Dialect> MakeBedrockConverseDialect() {
  return std::make_unique<BedrockConverseDialect>();
}

}  // namespace llmstream
