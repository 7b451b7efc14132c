// Cohere v2 chat streaming (wire-formats.md, "Cohere"): SSE events named after their JSON `type`:
// message-start, content-start / content-delta / content-end (text and thinking blocks by index),
// tool-plan-delta, tool-call-start / tool-call-delta / tool-call-end (tool calls by their own
// index), citation-start / citation-end, message-end (finish_reason, usage, error), and a
// trailing `data: [DONE]`. Handlers are chosen by the JSON `type`, the SSE name when it is
// missing; an SSE event named `error` is an error whatever it holds.
#include <cstdint>
#include <string>
#include <string_view>

#include "json/reader.h"
#include "providers/cohere_open_parts.h"
#include "providers/cohere_usage.h"
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

// The tool plan has no index of its own: its block gets one no content block or tool call can
// have (Index() refuses both). It is the largest int32, not UINT32_MAX: the wasm boundary, the
// package's chunks and the relay carry block indexes as int32, where UINT32_MAX is -1. A number
// of its own rather than the next free one, because Cohere numbers content blocks and tool calls
// itself (from 0, after the plan): a shared number would let a later block take the plan's
// citations (the assembler finds a block by its index, the newest first).
constexpr uint32_t kPlanBlock = INT32_MAX;
// Citations that name no block are kept on the choice only (no block has this index).
constexpr uint32_t kNoBlock = kPlanBlock - 1;
// The largest content block or tool call index taken; larger ones would be negative, or the
// plan's, in the int32 faces.
constexpr uint32_t kMaxIndex = kNoBlock - 1;

// Chat Completions names are the normalized ones; unknown reasons pass through unchanged.
// ERROR_TOXIC, ERROR_LIMIT and USER_CANCEL are the v1 API's.
std::string_view NormalizeFinish(std::string_view raw) {
  if (raw == "COMPLETE" || raw == "STOP_SEQUENCE") return "stop";
  if (raw == "MAX_TOKENS" || raw == "ERROR_LIMIT") return "length";
  if (raw == "TOOL_CALL") return "tool_calls";
  if (raw == "ERROR" || raw == "TIMEOUT") return "error";
  if (raw == "ERROR_TOXIC") return "content_filter";
  return raw;
}

// One data payload: the top level, nested objects kept raw and read once the whole payload is
// known to be valid JSON.
struct Payload {
  std::string_view type, id;
  int64_t index = -1;
  std::string_view delta;  // raw JSON
  std::string_view error;  // raw JSON of a top-level `error`
  std::string_view message;
  bool others = false;  // fields this dialect does not read (passed on as metadata)
};

bool ReadPayload(std::string_view data, Emitter& out, Payload* payload) {
  Reader reader(data, out.arena());
  if (!reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "type") {
      ok = ReadString(reader, &payload->type);
    } else if (key == "id") {
      ok = ReadString(reader, &payload->id);
    } else if (key == "index") {
      ok = providers::ReadInt(reader, &payload->index);
    } else if (key == "delta") {
      ok = reader.SkipRaw(&payload->delta);
    } else if (key == "error") {
      ok = reader.SkipRaw(&payload->error);
    } else if (key == "message") {
      ok = ReadString(reader, &payload->message);
    } else {
      payload->others = true;
      ok = reader.Skip();
    }
    if (!ok) return false;
  }
  return reader.Finish();
}

// Positions `reader` (over a `delta`) at delta.message.<member>; false when it is not there.
bool FindMessageMember(Reader& reader, std::string_view member) {
  std::string_view key;
  if (!reader.BeginObject()) return false;
  while (reader.NextField(&key)) {
    if (key != "message") {
      if (!reader.Skip()) return false;
      continue;
    }
    if (!reader.BeginObject()) return false;
    while (reader.NextField(&key)) {
      if (key == member) return true;
      if (!reader.Skip()) return false;
    }
    return false;
  }
  return false;
}

// content {type, text, thinking} of content-start / content-delta.
struct Content {
  std::string_view type, text, thinking;
  bool has_text = false, has_thinking = false;
};

bool ReadContent(std::string_view delta, Emitter& out, Content* content) {
  Reader reader(delta, out.arena());
  if (!FindMessageMember(reader, "content") || !reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "type") {
      ok = ReadString(reader, &content->type);
    } else if (key == "text") {
      content->has_text = true;
      ok = ReadString(reader, &content->text);
    } else if (key == "thinking") {
      content->has_thinking = true;
      ok = ReadString(reader, &content->thinking);
    } else {
      ok = reader.Skip();
    }
    if (!ok) return false;
  }
  return !reader.failed();
}

// tool_calls {id, type, function: {name, arguments}} of tool-call-start / tool-call-delta.
struct ToolCallDelta {
  std::string_view id, type, name, arguments;
};

bool ReadToolCall(std::string_view delta, Emitter& out, ToolCallDelta* call) {
  Reader reader(delta, out.arena());
  if (!FindMessageMember(reader, "tool_calls") || !reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "id") {
      ok = ReadString(reader, &call->id);
    } else if (key == "type") {
      ok = ReadString(reader, &call->type);
    } else if (key == "function" && reader.BeginObject()) {
      while (ok && reader.NextField(&key)) {
        ok = key == "name"        ? ReadString(reader, &call->name)
             : key == "arguments" ? ReadString(reader, &call->arguments)
                                  : reader.Skip();
      }
      ok = ok && !reader.failed();
    } else {
      ok = reader.Skip();
    }
    if (!ok) return false;
  }
  return !reader.failed();
}

class CohereDialect final : public providers::TemplatedDialect {
 public:
  // An error ended the stream: nothing after it counts.
  bool ended() const override { return failed_; }

  void Read(const SseEvent& event, Emitter& out) override {
    std::string_view data = TrimJsonSpace(event.data);
    if (event.type == "error") {
      OnError(data, {}, out);
      return;
    }
    // `[DONE]` follows message-end; message-end is what says the answer is complete.
    if (data.empty() || data == "[DONE]") return;
    Payload payload;
    if (!ReadPayload(data, out, &payload)) {
      providers::EmitBadJson("event data", data, out);
      return;
    }
    std::string_view type = payload.type;
    if (type.empty()) {
      // An error object instead of an event ({"message": ...} is Cohere's error body).
      if (!payload.error.empty() || (!payload.message.empty() && payload.delta.empty())) {
        OnError(data, {}, out);
        return;
      }
      type = event.type;
    }
    if (payload.others) PassOthers(data, out);

    if (type == "content-delta") {
      OnContentDelta(payload, out);
    } else if (type == "tool-call-delta") {
      OnToolCallDelta(payload, out);
    } else if (type == "tool-plan-delta") {
      OnPlanDelta(payload.delta, out);
    } else if (type == "content-start") {
      OnContentStart(payload, out);
    } else if (type == "content-end") {
      if (uint32_t index = 0; Index(payload, type, out, &index)) {
        if (Block* block = blocks_.Find(index)) CloseBlock(*block, out);
      }
    } else if (type == "tool-call-start") {
      OnToolCallStart(payload, out);
    } else if (type == "tool-call-end") {
      if (uint32_t index = 0; Index(payload, type, out, &index)) {
        if (Call* call = calls_.Find(index)) CloseCall(*call, out);
      }
    } else if (type == "citation-start") {
      OnCitation(payload.delta, out);
    } else if (type == "citation-end") {
      // Nothing to do: citation-start carried the whole citation.
    } else if (type == "message-start") {
      OnMessageStart(payload, out);
    } else if (type == "message-end") {
      OnMessageEnd(payload.delta, out);
    } else if (type == "error") {
      OnError(data, {}, out);
    } else {
      // debug, and event types a newer API adds: passed on so nothing vanishes.
      out.EmitMetadata(type, data, MetadataFormat::kJson);
    }
  }

  void OnEnd(Emitter& out) override {
    // After message-end, parts left open were ended by the message itself. Without it the body
    // was cut short: an open tool call may hold partial arguments and must not look complete.
    if (stopped_) CloseAll(out);
  }

  bool terminal() const override { return stopped_; }

 private:
  struct Block {
    uint32_t index = 0, slot = 0;
    bool open = false;
    std::string type;
  };
  struct Call {
    uint32_t index = 0, slot = 0;
    bool open = false;
    std::string id, name, type;
    // The arguments' first non-space bytes (up to 5): Cohere sends "null" for a tool without
    // parameters, which means none ("{}"). The arguments themselves are the assembler's.
    std::string head;
    bool long_arguments = false;
  };

  bool Index(const Payload& payload, std::string_view type, Emitter& out, uint32_t* index) {
    if (payload.index < 0 || payload.index > kMaxIndex) {
      out.EmitWarning("bad_event: " + std::string(type) + " without a valid index ignored");
      return false;
    }
    *index = static_cast<uint32_t>(payload.index);
    return true;
  }

  bool PassThrough(Reader& reader, std::string_view key, std::string_view prefix, Emitter& out) {
    return providers::PassThroughField(reader, key, prefix, 0, metadata_, out, &scratch_);
  }

  // Top-level fields this dialect does not read itself, passed on as metadata.
  void PassOthers(std::string_view data, Emitter& out) {
    Reader reader(data, out.arena());
    reader.BeginObject();
    std::string_view key;
    while (reader.NextField(&key)) {
      if (key == "type" || key == "id" || key == "index" || key == "delta" || key == "error" ||
          key == "message") {
        reader.Skip();
      } else {
        PassThrough(reader, key, {}, out);
      }
    }
  }

  Block& OpenBlock(uint32_t index, std::string_view type, Emitter& out) {
    ClosePlan(out);
    if (Block* stale = blocks_.Find(index)) {
      out.EmitWarning("bad_event: content block " + std::to_string(index) +
                      " started again before its content-end");
      blocks_.Close(*stale);
    }
    Block& block = blocks_.Open(index);
    block.type.assign(type);
    out.Emit(EventKind::kBlockStart, 0, index).name = type;
    last_content_ = index;
    return block;
  }

  void CloseBlock(Block& block, Emitter& out) {
    blocks_.Close(block);
    out.Emit(EventKind::kBlockEnd, 0, block.index).name = out.Copy(block.type);
  }

  void EmitContent(uint32_t index, const Content& content, Emitter& out) {
    if (content.has_text && !content.text.empty()) {
      out.EmitText(EventKind::kText, 0, index, content.text);
      template_.NoteDelta(content.text);
    }
    if (content.has_thinking && !content.thinking.empty()) {
      out.EmitText(EventKind::kReasoning, 0, index, content.thinking,
                   static_cast<uint8_t>(ReasoningPart::kText));
      template_.NoteDelta(content.thinking);
    }
  }

  void OnContentStart(const Payload& payload, Emitter& out) {
    uint32_t index = 0;
    if (!Index(payload, "content-start", out, &index)) return;
    Content content;
    ReadContent(payload.delta, out, &content);
    std::string_view type = content.type;
    if (type.empty()) type = content.has_thinking ? "thinking" : "text";
    OpenBlock(index, type, out);
    EmitContent(index, content, out);
  }

  void OnContentDelta(const Payload& payload, Emitter& out) {
    uint32_t index = 0;
    if (!Index(payload, "content-delta", out, &index)) return;
    Content content;
    if (!ReadContent(payload.delta, out, &content)) {
      out.EmitWarning("bad_event: content-delta without delta.message.content");
      return;
    }
    if (blocks_.Find(index) == nullptr) {
      // A delta for a block that never started: open the block it implies, keep the content.
      out.EmitWarning("bad_event: content-delta for block " + std::to_string(index) +
                      " without content-start");
      OpenBlock(index, content.has_thinking && !content.has_text ? "thinking" : "text", out);
    }
    EmitContent(index, content, out);
  }

  // The tool plan streams before the tool calls: the model's reasoning about them, kept as
  // reasoning text in a block of its own ("tool_plan"), which must be sent back with the calls.
  void OnPlanDelta(std::string_view delta, Emitter& out) {
    Reader reader(delta, out.arena());
    std::string_view plan;
    if (!FindMessageMember(reader, "tool_plan") || !reader.GetString(&plan)) return;
    if (plan.empty()) return;
    if (!plan_open_) {
      plan_open_ = true;
      out.Emit(EventKind::kBlockStart, 0, kPlanBlock).name = "tool_plan";
    }
    out.EmitText(EventKind::kReasoning, 0, kPlanBlock, plan,
                 static_cast<uint8_t>(ReasoningPart::kText));
  }

  void ClosePlan(Emitter& out) {
    if (!plan_open_) return;
    plan_open_ = false;
    out.Emit(EventKind::kBlockEnd, 0, kPlanBlock).name = "tool_plan";
  }

  // A tool call is a block of its own too (type "function", as the call's `type` says): its
  // index counts tool calls, not content, and the block keeps a content block of the same index
  // from being taken for the call.
  Call& OpenCall(uint32_t index, const ToolCallDelta& delta, Emitter& out) {
    ClosePlan(out);
    if (Call* stale = calls_.Find(index)) {
      out.EmitWarning("bad_event: tool call " + std::to_string(index) +
                      " started again before its tool-call-end");
      calls_.Close(*stale);
    }
    Call& call = calls_.Open(index);
    call.id.assign(delta.id);
    call.name.assign(delta.name);
    call.type.assign(delta.type.empty() ? std::string_view("function") : delta.type);
    call.head.clear();
    call.long_arguments = false;
    out.Emit(EventKind::kBlockStart, 0, index).name = out.Copy(call.type);
    Event& start = out.Emit(EventKind::kToolCallStart, 0, index);
    start.id = delta.id;
    start.name = delta.name;
    start.part = static_cast<uint8_t>(ToolKind::kFunction);
    return call;
  }

  void Arguments(Call& call, std::string_view fragment, Emitter& out) {
    if (fragment.empty()) return;
    for (char c : fragment) {
      if (call.long_arguments || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
      if (call.head.size() == 4) {
        call.long_arguments = true;
      } else {
        call.head.push_back(c);
      }
    }
    out.EmitText(EventKind::kToolCallDelta, 0, call.index, fragment);
  }

  void OnToolCallStart(const Payload& payload, Emitter& out) {
    uint32_t index = 0;
    if (!Index(payload, "tool-call-start", out, &index)) return;
    ToolCallDelta delta;
    ReadToolCall(payload.delta, out, &delta);
    Call& call = OpenCall(index, delta, out);
    Arguments(call, delta.arguments, out);
  }

  void OnToolCallDelta(const Payload& payload, Emitter& out) {
    uint32_t index = 0;
    if (!Index(payload, "tool-call-delta", out, &index)) return;
    ToolCallDelta delta;
    if (!ReadToolCall(payload.delta, out, &delta)) {
      out.EmitWarning("bad_event: tool-call-delta without delta.message.tool_calls");
      return;
    }
    Call* call = calls_.Find(index);
    if (call == nullptr) {
      out.EmitWarning("bad_event: tool-call-delta for call " + std::to_string(index) +
                      " without tool-call-start");
      call = &OpenCall(index, delta, out);
    }
    Arguments(*call, delta.arguments, out);
  }

  void CloseCall(Call& call, Emitter& out) {
    calls_.Close(call);
    if (!call.long_arguments && (call.head.empty() || call.head == "null")) {
      // No arguments, or Cohere's "null" for none: "{}", as every other provider's.
      out.EmitToolCallEnd(0, call.index, call.id, call.name, "");
    } else {
      out.EmitToolCallEnd(0, call.index, call.id, call.name);
    }
    out.Emit(EventKind::kBlockEnd, 0, call.index).name = out.Copy(call.type);
  }

  void CloseAll(Emitter& out) {
    ClosePlan(out);
    blocks_.ForEachOpen([&](Block& block) { CloseBlock(block, out); });
    calls_.ForEachOpen([&](Call& call) { CloseCall(call, out); });
  }

  // citation-start: delta.message.citations {start, end, text, sources, type, content_index}.
  // Its `index` counts citations; the block cited is `content_index` (the plan for type PLAN,
  // else the latest content block when the API leaves it out).
  void OnCitation(std::string_view delta, Emitter& out) {
    Reader reader(delta, out.arena());
    std::string_view citation;
    if (!FindMessageMember(reader, "citations")) return;
    Reader fields = reader;
    if (!reader.SkipRaw(&citation) || citation == "null") return;
    uint32_t block = last_content_;
    if (fields.BeginObject()) {
      std::string_view key, type;
      int64_t content_index = -1;
      while (fields.NextField(&key)) {
        bool ok = key == "type"            ? ReadString(fields, &type)
                  : key == "content_index" ? providers::ReadInt(fields, &content_index)
                                           : fields.Skip();
        if (!ok) break;
      }
      if (type == "PLAN") {
        block = kPlanBlock;
      } else if (content_index >= 0 && content_index < kNoBlock) {
        block = static_cast<uint32_t>(content_index);
      }
    }
    out.EmitText(EventKind::kCitation, 0, block, citation);
  }

  // message-start: the generation id, and delta.message's skeleton (role; content, tool_plan,
  // tool_calls and citations empty in every stream, passed on when they are not).
  void OnMessageStart(const Payload& payload, Emitter& out) {
    if (!payload.id.empty()) metadata_.Update("id", payload.id, MetadataFormat::kString, out);
    Reader reader(payload.delta, out.arena());
    std::string_view key;
    if (!reader.BeginObject()) return;
    while (reader.NextField(&key)) {
      if (key != "message" || !reader.BeginObject()) {
        if (!reader.Skip()) return;
        continue;
      }
      while (reader.NextField(&key)) {
        std::string_view raw;
        if (key == "role") {  // the assembler takes the choice's role from this metadata
          if (!PassThrough(reader, key, {}, out)) return;
          continue;
        }
        if (!reader.SkipRaw(&raw)) return;
        if (raw != "[]" && raw != "null" && raw != "{}" && raw != "\"\"") {
          scratch_.assign("message.");
          scratch_.append(key);
          metadata_.Update(out.Copy(scratch_), raw, MetadataFormat::kJson, out);
        }
      }
    }
  }

  // message-end: delta {finish_reason, usage, error}. ERROR (and TIMEOUT) end the generation
  // with a failure: the finish is recorded, then the error ends the stream.
  void OnMessageEnd(std::string_view delta, Emitter& out) {
    stopped_ = true;
    std::string_view finish, error, usage, key;
    Reader reader(delta, out.arena());
    if (reader.BeginObject()) {
      while (reader.NextField(&key)) {
        bool ok = key == "finish_reason" ? ReadString(reader, &finish)
                  : key == "usage"       ? reader.SkipRaw(&usage)
                  : key == "error"       ? ReadString(reader, &error)
                                         : PassThrough(reader, key, {}, out);
        if (!ok) break;
      }
    }
    const bool failed = finish == "ERROR" || finish == "TIMEOUT" || !error.empty();
    // Parts still open were ended by the message; after a failure they stay incomplete.
    if (!failed) CloseAll(out);
    Usage counts;
    if (!usage.empty() && cohere::ReadUsage(usage, metadata_, out, &scratch_, &counts)) {
      out.EmitUsage(counts);
    }
    if (!finish.empty()) {
      Event& event = out.Emit(EventKind::kFinish);
      event.text = NormalizeFinish(finish);
      event.id = finish;
    }
    if (failed) OnError({}, error, out, finish);
  }

  // An error event, an error object in place of an event (`data`), or message-end's error
  // (`message`, with the finish reason as the provider's type).
  void OnError(std::string_view data, std::string_view message, Emitter& out,
               std::string_view finish = {}) {
    failed_ = true;
    Error error;
    error.code = ErrorCode::kProviderError;
    error.provider_type.assign(finish);
    if (!data.empty()) {
      std::string_view key, text, type;
      Reader reader(data, out.arena());
      bool is_json = false;
      if (reader.BeginObject()) {
        while (reader.NextField(&key)) {
          if (key == "message" || (key == "error" && reader.Peek() == ValueType::kString)) {
            ReadString(reader, &text);
          } else if (key == "error" && reader.BeginObject()) {
            while (reader.NextField(&key)) {
              if (key == "message") {
                ReadString(reader, &text);
              } else if (key == "type" || key == "code") {
                ReadString(reader, &type);
              } else {
                reader.Skip();
              }
            }
          } else {
            reader.Skip();
          }
        }
        is_json = reader.Finish();
      }
      message = text.empty() ? data.substr(0, 200) : text;
      error.provider_type.assign(type);
      out.EmitMetadata("error", data, is_json ? MetadataFormat::kJson : MetadataFormat::kString);
    } else if (!message.empty()) {
      out.EmitMetadata("error", message, MetadataFormat::kString);
    }
    error.message.assign(message);
    if (error.message.empty()) {
      error.message = finish.empty()
                          ? "the provider sent an error event"
                          : "the generation ended with finish_reason " + std::string(finish);
    }
    for (char& c : error.message) {
      if (c == '\n' || c == '\r') c = ' ';  // one line
    }
    out.EmitError(std::move(error));
  }

  cohere::OpenParts<Block> blocks_;
  cohere::OpenParts<Call> calls_;
  uint32_t last_content_ = kNoBlock;  // the latest content block, for citations without one
  bool plan_open_ = false;
  MetadataTracker metadata_;
  std::string scratch_;   // builds metadata keys without a fresh string each time
  bool stopped_ = false;  // message-end arrived
  bool failed_ = false;   // an error arrived
};

}  // namespace

std::unique_ptr<Dialect> MakeCohereDialect() { return std::make_unique<CohereDialect>(); }

}  // namespace llmstream
