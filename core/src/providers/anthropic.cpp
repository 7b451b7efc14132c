#include "providers/anthropic.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.h"
#include "json/chunk_template.h"
#include "json/escape.h"
#include "json/reader.h"
#include "providers/field_reading.h"
#include "providers/metadata_tracker.h"

namespace llmstream {
namespace {

using json::Reader;
using json::ValueType;
using providers::IsValidJson;
using providers::ReadString;
using providers::TrimJsonSpace;

// Chat Completions names are the normalized ones; unknown reasons pass through unchanged so a
// new reason is visible rather than guessed.
std::string_view NormalizeStopReason(std::string_view raw) {
  if (raw == "end_turn" || raw == "stop_sequence") return "stop";
  if (raw == "max_tokens" || raw == "model_context_window_exceeded") return "length";
  if (raw == "tool_use") return "tool_calls";
  if (raw == "refusal") return "content_filter";
  if (raw == "pause_turn") return "pause";
  return raw;
}

// A token count; null leaves `out` as it was, which is what merging field by field needs.
bool ReadCount(Reader& reader, std::optional<int64_t>* out) {
  int64_t value = 0;
  if (reader.GetInt(&value)) {
    *out = value;
    return true;
  }
  return reader.Skip();
}

bool IsKnownDelta(std::string_view type) {
  return type == "text_delta" || type == "input_json_delta" || type == "thinking_delta" ||
         type == "signature_delta" || type == "citations_delta";
}

// The fields of any content_block_delta `delta` we understand, read in any order.
struct BlockDelta {
  std::string_view type, text, partial_json, thinking, signature;
  std::string_view citation;   // raw JSON
  std::string_view raw_value;  // the escaped text / partial_json / thinking: a template hole
};

// A delta's value string, kept raw as well so that the chunk template knows where it lies.
bool ReadValueString(Reader& reader, json::Arena* arena, BlockDelta* delta, std::string_view* out) {
  std::string_view raw;
  if (!reader.GetRawString(&raw)) return reader.Skip();
  delta->raw_value = raw;
  return json::Unescape(raw, arena, out);
}

bool ReadBlockDelta(Reader& reader, json::Arena* arena, BlockDelta* delta) {
  if (!reader.BeginObject()) return reader.Skip();  // not an object: its type stays unknown
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "type") {
      ok = ReadString(reader, &delta->type);
    } else if (key == "text") {
      ok = ReadValueString(reader, arena, delta, &delta->text);
    } else if (key == "partial_json") {
      ok = ReadValueString(reader, arena, delta, &delta->partial_json);
    } else if (key == "thinking") {
      ok = ReadValueString(reader, arena, delta, &delta->thinking);
    } else if (key == "signature") {
      ok = ReadString(reader, &delta->signature);
    } else if (key == "citation") {
      ok = reader.SkipRaw(&delta->citation);
    } else {
      ok = reader.Skip();
    }
    if (!ok) return false;
  }
  return !reader.failed();
}

// One data payload. Nested objects are kept as raw spans and decoded once the whole payload is
// known to be valid, so fields may come in any order and a broken payload emits nothing.
struct Payload {
  std::string_view type;
  int64_t index = -1;
  std::string_view message, content_block, delta, usage, error;  // raw JSON
  bool delta_read = false;  // the fast path decoded `block_delta` in place; `delta` is empty
  BlockDelta block_delta;
};

// With `fast`, a content_block_delta whose `type` and `index` precede its `delta` (every real
// stream) has the delta decoded in place: one pass over the hot event instead of two.
bool ReadPayload(std::string_view data, bool fast, json::Arena* arena, Payload* payload) {
  Reader reader(data, arena);
  if (!reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "type") {
      ok = ReadString(reader, &payload->type);
    } else if (key == "index") {
      int64_t index = 0;
      if (reader.GetInt(&index)) {
        payload->index = index;
      } else {
        ok = reader.Skip();
      }
    } else if (key == "delta") {
      if (fast && payload->index >= 0 && payload->type == "content_block_delta") {
        ok = ReadBlockDelta(reader, arena, &payload->block_delta);
        payload->delta_read = true;
      } else {
        ok = reader.SkipRaw(&payload->delta);
      }
    } else if (key == "content_block") {
      ok = reader.SkipRaw(&payload->content_block);
    } else if (key == "message") {
      ok = reader.SkipRaw(&payload->message);
    } else if (key == "usage") {
      ok = reader.SkipRaw(&payload->usage);
    } else if (key == "error") {
      ok = reader.SkipRaw(&payload->error);
    } else {
      ok = reader.Skip();
    }
    if (!ok) return false;
  }
  return reader.Finish();
}

class AnthropicDialect final : public Dialect {
 public:
  void OnEvent(const SseEvent& event, Emitter& out) override {
    if (failed_) return;  // an error event ended the stream; nothing after it counts
    // The chunk-template shortcut (json/chunk_template.h): a text delta shaped exactly like the
    // previous one only differs in its value.
    std::string_view value;
    if (fast_path_ && event.type != "error" && template_.Match(event.data, out.arena(), &value)) {
      Replay(value, out);
      return;
    }
    template_.Clear();
    delta_raw_ = {};
    const size_t first = out.size();
    Handle(event, out);
    MaybeKeepTemplate(event.data, first, out);
  }

  bool template_ready() const override { return fast_path_ && !failed_ && template_.valid(); }
  size_t MatchTemplate(std::string_view rest, Emitter& out) override {
    if (!template_ready()) return 0;
    return template_.MatchPrefix(rest, out.arena(), &template_value_);
  }
  void ReplayTemplate(Emitter& out) override { Replay(template_value_, out); }

  void set_fast_path(bool enabled) override { fast_path_ = enabled; }

 private:
  void Handle(const SseEvent& event, Emitter& out) {
    if (event.type == "error") {
      OnError(event.data, out);
      return;
    }
    std::string_view data = TrimJsonSpace(event.data);
    if (data.empty() || data == "[DONE]") return;  // gateway framing, carries nothing

    Payload payload;
    if (!ReadPayload(data, /*fast=*/true, out.arena(), &payload)) {
      BadPayload(data, out);
      return;
    }
    if (payload.delta_read && !IsKnownDelta(payload.block_delta.type)) {
      // Rare: an unknown delta is passed on as raw JSON, which only the slow path keeps.
      payload = Payload();
      ReadPayload(data, /*fast=*/false, out.arena(), &payload);
    }

    std::string_view type = payload.type;
    if (type.empty()) {
      if (!payload.error.empty()) {  // {"error": {...}} without a type: still an error
        OnError(data, out);
        return;
      }
      type = event.type.empty() ? std::string_view("message") : event.type;
    }

    if (type == "content_block_delta") {
      delta_raw_ = payload.block_delta.raw_value;
      OnBlockDelta(payload, out);
    } else if (type == "content_block_start") {
      if (uint32_t index = 0; BlockIndex(payload, out, &index)) {
        OnBlockStart(index, payload.content_block, out);
      }
    } else if (type == "content_block_stop") {
      if (uint32_t index = 0; BlockIndex(payload, out, &index)) OnBlockStop(index, out);
    } else if (type == "ping") {
      out.EmitText(EventKind::kKeepAlive, 0, 0, "ping");
    } else if (type == "message_start") {
      OnMessageStart(payload.message, out);
    } else if (type == "message_delta") {
      OnMessageDelta(payload.delta, payload.usage, out);
    } else if (type == "message_stop") {
      stopped_ = true;
    } else if (type == "error") {
      OnError(data, out);
    } else {
      // New event types must be tolerated (§3.2); pass them on so nothing vanishes.
      out.EmitMetadata(type, data, MetadataFormat::kJson);
    }
  }

  void OnEnd(Emitter& out) override {
    // After message_stop a block left open was ended by the message itself. Without it the body
    // was cut short: an open tool call may hold partial input and must not look complete.
    if (!stopped_) return;
    for (BlockState& block : blocks_) {
      if (block.open) CloseBlock(block, out);
    }
  }

  bool terminal() const override { return stopped_; }

 private:
  // A delta chunk whose only effect was one text, thinking or tool-input event may serve as the
  // template for the next ones. Any other chunk cleared the template, so the state a template
  // relies on (open block, metadata seen) cannot have changed in between.
  void MaybeKeepTemplate(std::string_view chunk, size_t first, Emitter& out) {
    if (!fast_path_ || out.size() != first + 1 || delta_raw_.empty()) return;
    const Event& event = out.events()[first];
    const bool text_like =
        event.kind == EventKind::kText || event.kind == EventKind::kToolCallDelta ||
        (event.kind == EventKind::kReasoning && event.reasoning_part() == ReasoningPart::kText);
    if (!text_like || delta_raw_.data() < chunk.data() ||
        delta_raw_.data() + delta_raw_.size() > chunk.data() + chunk.size()) {
      return;
    }
    const size_t begin = static_cast<size_t>(delta_raw_.data() - chunk.data());
    const json::ChunkTemplate::Hole hole{begin, begin + delta_raw_.size()};
    template_.Build(chunk, {&hole, 1}, 0);
    replay_kind_ = event.kind;
    replay_block_ = event.block;
    replay_part_ = event.part;
  }

  // What the full parse would have done for a chunk that matched the template.
  void Replay(std::string_view value, Emitter& out) {
    if (value.empty()) return;
    out.EmitText(replay_kind_, 0, replay_block_, value, replay_part_);
  }

  enum class BlockKind : uint8_t { kText, kThinking, kRedacted, kTool, kOther };

  struct BlockState {
    uint32_t index = 0;
    uint32_t slot = 0;  // its position in blocks_
    bool open = false;
    BlockKind kind = BlockKind::kOther;
    ToolKind tool_kind = ToolKind::kFunction;
    bool input_placeholder = false;  // `arguments` holds the start's `input` (no delta yet)
    std::string type, id, name, arguments;
  };

  // Anthropic reports input, cache reads and cache writes apart, and each event repeats the
  // totals so far: merge field by field, never add events together.
  struct RawUsage {
    std::optional<int64_t> input, output, cache_read, cache_creation;

    Usage Normalized() const {
      Usage usage;
      if (input || cache_read || cache_creation) {
        usage.input_tokens =
            input.value_or(0) + cache_read.value_or(0) + cache_creation.value_or(0);
      }
      usage.output_tokens = output;
      usage.cached_input_tokens = cache_read;
      usage.cache_write_tokens = cache_creation;
      return usage;
    }
  };

  static BlockKind KindOf(std::string_view type, ToolKind* tool_kind) {
    if (type == "text") return BlockKind::kText;
    if (type == "thinking") return BlockKind::kThinking;
    if (type == "redacted_thinking") return BlockKind::kRedacted;
    if (type == "tool_use") {
      *tool_kind = ToolKind::kFunction;
      return BlockKind::kTool;
    }
    // server_tool_use, mcp_tool_use, ...: executed by Anthropic, informative for the caller.
    if (type.ends_with("_tool_use")) {
      *tool_kind = ToolKind::kServer;
      return BlockKind::kTool;
    }
    return BlockKind::kOther;
  }

  bool BlockIndex(const Payload& payload, Emitter& out, uint32_t* index) {
    if (payload.index < 0 || payload.index > UINT32_MAX) {
      Warn("bad_event: " + std::string(payload.type) + " without a valid index ignored", out);
      return false;
    }
    *index = static_cast<uint32_t>(payload.index);
    return true;
  }

  void Warn(const std::string& message, Emitter& out) { out.EmitWarning(message); }

  void BadPayload(std::string_view data, Emitter& out) {
    providers::EmitBadJson("event data", data, out);
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

  // The block leaves the open set; its slot is free for the next one.
  void ReleaseSlot(BlockState& block) {
    block.open = false;
    open_index_.Erase(FlatIndex::HashInt(block.index), block.slot);
    free_slots_.push_back(block.slot);
  }

  // Slots are reused so their strings keep their capacity from one block to the next.
  BlockState& OpenBlock(uint32_t index, std::string_view type, Emitter& out) {
    if (BlockState* stale = FindOpen(index)) {
      Warn("bad_event: block " + std::to_string(index) + " started again before its stop", out);
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
    block->tool_kind = ToolKind::kFunction;
    block->kind = KindOf(type, &block->tool_kind);
    block->input_placeholder = false;
    block->type.assign(type);
    block->id.clear();
    block->name.clear();
    block->arguments.clear();
    return *block;
  }

  bool PassThrough(Reader& reader, std::string_view key, std::string_view prefix, Emitter& out) {
    return providers::PassThroughField(reader, key, prefix, 0, metadata_, out, &scratch_);
  }

  // Reads a usage object into usage_ and passes its other fields on. False on malformed JSON.
  bool ReadUsage(Reader& reader, Emitter& out, bool* seen) {
    if (reader.GetNull()) return true;
    if (!reader.BeginObject()) return reader.Skip();
    *seen = true;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "input_tokens") {
        ok = ReadCount(reader, &usage_.input);
      } else if (key == "output_tokens") {
        ok = ReadCount(reader, &usage_.output);
      } else if (key == "cache_read_input_tokens") {
        ok = ReadCount(reader, &usage_.cache_read);
      } else if (key == "cache_creation_input_tokens") {
        ok = ReadCount(reader, &usage_.cache_creation);
      } else if (key == "service_tier") {
        ok = PassThrough(reader, key, {}, out);
      } else {
        ok = PassThrough(reader, key, "usage.", out);
      }
      if (!ok) return false;
    }
    return !reader.failed();
  }

  void OnMessageStart(std::string_view raw, Emitter& out) {
    Reader reader(raw, out.arena());
    if (!reader.BeginObject()) {
      Warn("bad_event: message_start without a message object", out);
      return;
    }
    bool usage_seen = false;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "usage") {
        ok = ReadUsage(reader, out, &usage_seen);
      } else if (key == "type") {
        ok = reader.Skip();
      } else if (key == "content") {  // always [] when streaming; anything else is passed on
        std::string_view content;
        ok = reader.SkipRaw(&content);
        if (ok && content != "[]") out.EmitMetadata("content", content, MetadataFormat::kJson);
      } else {  // id, model, role, and whatever a newer API adds
        ok = PassThrough(reader, key, {}, out);
      }
      if (!ok) break;
    }
    if (usage_seen) out.EmitUsage(usage_.Normalized());
  }

  void OnBlockStart(uint32_t index, std::string_view raw, Emitter& out) {
    Reader reader(raw, out.arena());
    std::string_view type, id, name, text, thinking, signature, data, citations, input;
    bool ok = reader.BeginObject();
    std::string_view key;
    while (ok && reader.NextField(&key)) {
      if (key == "type") {
        ok = ReadString(reader, &type);
      } else if (key == "id") {
        ok = ReadString(reader, &id);
      } else if (key == "name") {
        ok = ReadString(reader, &name);
      } else if (key == "text") {
        ok = ReadString(reader, &text);
      } else if (key == "thinking") {
        ok = ReadString(reader, &thinking);
      } else if (key == "signature") {
        ok = ReadString(reader, &signature);
      } else if (key == "data") {
        ok = ReadString(reader, &data);
      } else if (key == "citations") {
        ok = reader.SkipRaw(&citations);
      } else if (key == "input") {
        ok = reader.SkipRaw(&input);
      } else {
        ok = reader.Skip();
      }
    }
    if (!ok || reader.failed()) {
      Warn("bad_event: content_block_start without a valid content_block", out);
      return;
    }

    BlockState& block = OpenBlock(index, type, out);
    Event& start = out.Emit(EventKind::kBlockStart, 0, index);
    start.name = type;
    // Tool results and unknown blocks arrive whole: their JSON is all there is to keep. (Set
    // before anything else is emitted, which may move `start`.)
    if (block.kind == BlockKind::kOther) start.text = TrimJsonSpace(raw);
    switch (block.kind) {
      case BlockKind::kText:
        if (!text.empty()) out.EmitText(EventKind::kText, 0, index, text);
        EmitCitations(index, citations, out);
        break;
      case BlockKind::kThinking:
        if (!thinking.empty()) {
          out.EmitText(EventKind::kReasoning, 0, index, thinking,
                       static_cast<uint8_t>(ReasoningPart::kText));
        }
        if (!signature.empty()) {
          out.EmitText(EventKind::kReasoning, 0, index, signature,
                       static_cast<uint8_t>(ReasoningPart::kSignature));
        }
        break;
      case BlockKind::kRedacted:
        // The data goes out once, as the reasoning part; the assembler stores it as block data.
        out.EmitText(EventKind::kReasoning, 0, index, data,
                     static_cast<uint8_t>(ReasoningPart::kRedacted));
        break;
      case BlockKind::kTool: {
        block.id.assign(id);
        block.name.assign(name);
        // `input` is an empty placeholder in real streams; a gateway that sends the whole input
        // here and no deltas still yields the right arguments.
        input = TrimJsonSpace(input);
        if (!input.empty() && input != "{}" && input != "null") {
          block.arguments.assign(input);
          block.input_placeholder = true;
        }
        Event& call = out.Emit(EventKind::kToolCallStart, 0, index);
        call.id = id;
        call.name = name;
        call.part = static_cast<uint8_t>(block.tool_kind);
        break;
      }
      case BlockKind::kOther:
        break;
    }
  }

  void EmitCitations(uint32_t index, std::string_view raw, Emitter& out) {
    if (raw.empty()) return;
    Reader reader(raw, out.arena());
    if (!reader.BeginArray()) return;  // null or not a list: no citations
    while (reader.NextElement()) {
      std::string_view citation;
      if (!reader.SkipRaw(&citation)) return;
      out.EmitText(EventKind::kCitation, 0, index, citation);
    }
  }

  // A delta for a block that never started (a gateway dropped content_block_start): open the
  // block its delta implies so that the content is kept, and say so.
  BlockState* ImplicitBlock(uint32_t index, std::string_view delta_type, Emitter& out) {
    std::string_view type = delta_type == "text_delta" || delta_type == "citations_delta" ? "text"
                            : delta_type == "thinking_delta" || delta_type == "signature_delta"
                                ? "thinking"
                            : delta_type == "input_json_delta" ? "tool_use"
                                                               : "";
    if (type.empty()) return nullptr;
    Warn("bad_event: content_block_delta for block " + std::to_string(index) +
             " without content_block_start",
         out);
    BlockState& block = OpenBlock(index, type, out);
    out.Emit(EventKind::kBlockStart, 0, index).name = type;
    if (block.kind == BlockKind::kTool) {
      out.Emit(EventKind::kToolCallStart, 0, index).part = static_cast<uint8_t>(block.tool_kind);
    }
    return &block;
  }

  void OnBlockDelta(Payload& payload, Emitter& out) {
    uint32_t index = 0;
    if (!BlockIndex(payload, out, &index)) return;
    BlockDelta& delta = payload.block_delta;
    if (!payload.delta_read) {
      Reader reader(payload.delta, out.arena());
      if (!ReadBlockDelta(reader, out.arena(), &delta)) {
        Warn("bad_event: content_block_delta with a malformed delta", out);
        return;
      }
    }
    if (!IsKnownDelta(delta.type)) {
      UnknownDelta(delta.type, payload.delta, out);
      return;
    }
    BlockState* block = FindOpen(index);
    if (!block) block = ImplicitBlock(index, delta.type, out);

    if (delta.type == "text_delta") {
      if (!delta.text.empty()) out.EmitText(EventKind::kText, 0, index, delta.text);
    } else if (delta.type == "input_json_delta") {
      if (block->kind != BlockKind::kTool) {
        if (!delta.partial_json.empty()) {
          Warn("bad_event: input_json_delta on a " + block->type + " block passed on as metadata",
               out);
          out.EmitMetadata("delta.input_json_delta", delta.partial_json, MetadataFormat::kString);
        }
        return;
      }
      if (block->input_placeholder) {
        block->arguments.clear();
        block->input_placeholder = false;
      }
      if (!delta.partial_json.empty()) {
        out.EmitText(EventKind::kToolCallDelta, 0, index, delta.partial_json);
      }
    } else if (delta.type == "thinking_delta") {
      if (!delta.thinking.empty()) {
        out.EmitText(EventKind::kReasoning, 0, index, delta.thinking,
                     static_cast<uint8_t>(ReasoningPart::kText));
      }
    } else if (delta.type == "signature_delta") {
      if (!delta.signature.empty()) {
        out.EmitText(EventKind::kReasoning, 0, index, delta.signature,
                     static_cast<uint8_t>(ReasoningPart::kSignature));
      }
    } else if (delta.type == "citations_delta") {
      if (!delta.citation.empty()) out.EmitText(EventKind::kCitation, 0, index, delta.citation);
    }
  }

  // New delta types appear without notice (compaction_delta ...): warn once per type, and pass
  // every such delta on whole so that a caller who knows the type loses nothing.
  void UnknownDelta(std::string_view type, std::string_view raw, Emitter& out) {
    // Types seen are remembered up to a bound: a hostile stream inventing a type per delta
    // would otherwise make this scan quadratic (the warnings a Completion keeps are bounded too).
    bool warned = warned_delta_types_.size() >= kMaxWarnedDeltaTypes;
    for (const std::string& seen : warned_delta_types_) warned = warned || seen == type;
    if (!warned) {
      warned_delta_types_.emplace_back(type);
      Warn("unknown_delta: content_block_delta type \"" + std::string(type) +
               "\" passed on as metadata delta." + std::string(type),
           out);
    }
    scratch_.assign("delta.");
    scratch_.append(type);
    out.EmitMetadata(out.Copy(scratch_), TrimJsonSpace(raw), MetadataFormat::kJson);
  }

  void OnBlockStop(uint32_t index, Emitter& out) {
    BlockState* block = FindOpen(index);
    if (!block) {
      Warn("bad_event: content_block_stop for block " + std::to_string(index) + " that is not open",
           out);
      return;
    }
    CloseBlock(*block, out);
  }

  void CloseBlock(BlockState& block, Emitter& out) {
    ReleaseSlot(block);
    if (block.kind == BlockKind::kTool) {
      // The input is the deltas (the assembler has them), or the start's `input` when no delta
      // came; parsed only now that it is complete.
      if (block.input_placeholder) {
        out.EmitToolCallEnd(0, block.index, block.id, block.name, block.arguments);
      } else {
        out.EmitToolCallEnd(0, block.index, block.id, block.name);
      }
    }
    out.Emit(EventKind::kBlockEnd, 0, block.index).name = out.Copy(block.type);
  }

  void OnMessageDelta(std::string_view raw_delta, std::string_view raw_usage, Emitter& out) {
    std::string_view stop_reason, stop_sequence, key;
    if (!raw_delta.empty()) {
      Reader reader(raw_delta, out.arena());
      if (reader.BeginObject()) {
        while (reader.NextField(&key)) {
          bool ok = key == "stop_reason"     ? ReadString(reader, &stop_reason)
                    : key == "stop_sequence" ? ReadString(reader, &stop_sequence)
                                             : PassThrough(reader, key, {}, out);  // stop_details
          if (!ok) break;
        }
      }
    }
    bool usage_seen = false;
    if (!raw_usage.empty()) {
      Reader reader(raw_usage, out.arena());
      ReadUsage(reader, out, &usage_seen);
    }
    if (usage_seen) out.EmitUsage(usage_.Normalized());
    if (!stop_reason.empty() &&
        (stop_reason != last_stop_reason_ || stop_sequence != last_stop_sequence_)) {
      last_stop_reason_.assign(stop_reason);
      last_stop_sequence_.assign(stop_sequence);
      Event& finish = out.Emit(EventKind::kFinish);
      finish.text = NormalizeStopReason(stop_reason);
      finish.id = stop_reason;
      finish.name = stop_sequence;
    }
  }

  // `data` is the whole payload: {"type":"error","error":{"type":..., "message":...}}, or
  // whatever a gateway put in an event named `error`.
  void OnError(std::string_view data, Emitter& out) {
    failed_ = true;
    data = TrimJsonSpace(data);
    Error error;
    error.code = ErrorCode::kProviderError;
    std::string_view key, message, top_message, type, object;
    Reader reader(data, out.arena());
    bool is_json = false;
    if (reader.BeginObject()) {
      while (reader.NextField(&key)) {
        if (key == "error" && reader.Peek() == ValueType::kObject) {
          reader.SkipRaw(&object);
        } else if (key == "error" && reader.Peek() == ValueType::kString) {
          reader.GetString(&top_message);
        } else if (key == "message") {
          ReadString(reader, &top_message);
        } else {
          reader.Skip();
        }
      }
      is_json = reader.Finish();
    }
    if (!object.empty()) {
      Reader inner(object, out.arena());
      if (inner.BeginObject()) {
        while (inner.NextField(&key)) {
          bool ok = key == "type"      ? ReadString(inner, &type)
                    : key == "message" ? ReadString(inner, &message)
                                       : inner.Skip();
          if (!ok) break;
        }
      }
    }
    if (message.empty()) message = top_message;
    error.message.assign(message.empty() ? data.substr(0, 200) : message);
    if (error.message.empty()) error.message = "the provider sent an error event";
    error.provider_type.assign(type);
    if (!data.empty()) {
      out.EmitMetadata("error", data, is_json ? MetadataFormat::kJson : MetadataFormat::kString);
    }
    out.EmitError(std::move(error));
  }

  // Slots of open and closed blocks: the open ones by index, the closed ones free for reuse.
  std::vector<BlockState> blocks_;
  FlatIndex open_index_;
  std::vector<uint32_t> free_slots_;
  size_t last_opened_ = SIZE_MAX;
  RawUsage usage_;
  MetadataTracker metadata_;
  static constexpr size_t kMaxWarnedDeltaTypes = 32;
  std::vector<std::string> warned_delta_types_;
  std::string last_stop_reason_, last_stop_sequence_;
  std::string scratch_;  // builds metadata keys without a fresh string each time
  bool fast_path_ = true;
  json::ChunkTemplate template_;
  std::string_view template_value_;  // MatchTemplate's, for ReplayTemplate
  std::string_view delta_raw_;
  EventKind replay_kind_ = EventKind::kText;
  uint32_t replay_block_ = 0;
  uint8_t replay_part_ = 0;
  bool stopped_ = false;  // message_stop arrived
  bool failed_ = false;   // an error event arrived
};

}  // namespace

std::unique_ptr<Dialect> MakeAnthropicDialect() { return std::make_unique<AnthropicDialect>(); }

}  // namespace llmstream
