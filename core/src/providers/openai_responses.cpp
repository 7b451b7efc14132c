#include "providers/openai_responses.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.h"
#include "json/reader.h"
#include "providers/field_reading.h"
#include "providers/metadata_tracker.h"
#include "providers/openai_usage.h"

namespace llmstream {
namespace {

using json::Reader;
using json::ValueType;

using providers::IsValidJson;
using providers::ReadInt;
using providers::ReadString;
using providers::TrimJsonSpace;

// The parts of a `response` object the stream needs; the rest (instructions, tools, the output
// repeated whole) is skipped.
struct ResponseInfo {
  std::string_view id, model, service_tier;
  std::string_view usage, incomplete_details, error;  // raw JSON, empty when null or absent
};

bool ReadRawUnlessNull(Reader& reader, std::string_view* out) {
  return reader.GetNull() || reader.SkipRaw(out);
}

bool ReadResponse(Reader& reader, ResponseInfo* info) {
  if (!reader.BeginObject()) return reader.Skip();
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = key == "id"                   ? ReadString(reader, &info->id)
              : key == "model"              ? ReadString(reader, &info->model)
              : key == "service_tier"       ? ReadString(reader, &info->service_tier)
              : key == "usage"              ? ReadRawUnlessNull(reader, &info->usage)
              : key == "incomplete_details" ? ReadRawUnlessNull(reader, &info->incomplete_details)
              : key == "error"              ? ReadRawUnlessNull(reader, &info->error)
                                            : reader.Skip();
    if (!ok) return false;
  }
  return !reader.failed();
}

// One data payload, fields in any order (`delta` comes before `item_id` and `output_index` in
// real streams). Objects whose meaning depends on `type` are kept raw and decoded afterwards.
struct Payload {
  std::string_view type, delta, item_id, arguments, code, message;
  bool has_arguments = false;
  int64_t output_index = -1;
  int64_t summary_index = -1;
  std::string_view item, annotation, error;  // raw JSON
  ResponseInfo response;
};

bool ReadPayload(std::string_view data, json::Arena* arena, Payload* payload) {
  Reader reader(data, arena);
  if (!reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "type") {
      ok = ReadString(reader, &payload->type);
    } else if (key == "delta") {
      ok = ReadString(reader, &payload->delta);
    } else if (key == "item_id") {
      ok = ReadString(reader, &payload->item_id);
    } else if (key == "output_index") {
      ok = ReadInt(reader, &payload->output_index);
    } else if (key == "summary_index") {
      ok = ReadInt(reader, &payload->summary_index);
    } else if (key == "arguments") {
      payload->has_arguments = reader.GetString(&payload->arguments);
      ok = payload->has_arguments || reader.Skip();
    } else if (key == "response") {
      ok = ReadResponse(reader, &payload->response);
    } else if (key == "item") {
      ok = reader.SkipRaw(&payload->item);
    } else if (key == "annotation") {
      ok = reader.SkipRaw(&payload->annotation);
    } else if (key == "error") {
      ok = ReadRawUnlessNull(reader, &payload->error);
    } else if (key == "code") {
      ok = ReadString(reader, &payload->code);
    } else if (key == "message") {
      ok = ReadString(reader, &payload->message);
    } else {  // sequence_number, content_index, logprobs, obfuscation, part, text ...
      ok = reader.Skip();
    }
    if (!ok) return false;
  }
  return reader.Finish();
}

// An output item (response.output_item.added / .done).
struct ItemInfo {
  std::string_view type, id, call_id, name, arguments, role, encrypted_content;
  std::string_view content;  // raw JSON of a message's content parts
  bool has_arguments = false;
};

bool ReadItem(std::string_view raw, json::Arena* arena, ItemInfo* item) {
  Reader reader(raw, arena);
  if (!reader.BeginObject()) return false;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "arguments") {
      item->has_arguments = reader.GetString(&item->arguments);
      ok = item->has_arguments || reader.Skip();
    } else if (key == "content") {
      ok = ReadRawUnlessNull(reader, &item->content);
    } else {
      std::string_view* target = key == "type"                ? &item->type
                                 : key == "id"                ? &item->id
                                 : key == "call_id"           ? &item->call_id
                                 : key == "name"              ? &item->name
                                 : key == "role"              ? &item->role
                                 : key == "encrypted_content" ? &item->encrypted_content
                                                              : nullptr;
      ok = target ? ReadString(reader, target) : reader.Skip();
    }
    if (!ok) return false;
  }
  return reader.Finish();
}

// Events that only frame what the deltas already said (the .done events repeat the text).
bool IsQuiet(std::string_view type) {
  return type == "response.content_part.added" || type == "response.content_part.done" ||
         type == "response.output_text.done" || type == "response.refusal.done" ||
         type == "response.reasoning_summary_part.done" ||
         type == "response.reasoning_summary_text.done" || type == "response.reasoning_text.done";
}

bool IsKeepAlive(std::string_view type) {
  return type == "keepalive" || type == "response.keepalive" || type == "ping";
}

std::string_view NormalizeIncompleteReason(std::string_view reason) {
  if (reason == "max_output_tokens") return "length";
  if (reason.empty()) return "incomplete";
  return reason;  // content_filter is already the normalized name
}

class ResponsesDialect final : public Dialect {
 public:
  void OnEvent(const SseEvent& event, Emitter& out) override {
    if (failed_) return;  // an error ended the stream; nothing after it counts
    if (event.type == "error") {
      Payload payload;
      bool is_json = ReadPayload(TrimJsonSpace(event.data), out.arena(), &payload);
      if (!is_json) payload = Payload();
      OnError(payload, TrimJsonSpace(event.data), out, is_json);
      return;
    }
    std::string_view data = TrimJsonSpace(event.data);
    // OpenRouter's imitation ends with [DONE] after response.completed: framing, nothing more.
    if (data.empty() || data == "[DONE]") return;

    Payload payload;
    if (!ReadPayload(data, out.arena(), &payload)) {
      providers::EmitBadJson("event data", data, out);
      return;
    }
    std::string_view type = payload.type;
    if (type.empty()) {
      if (!payload.error.empty()) {
        OnError(payload, data, out);
        return;
      }
      type = event.type.empty() ? std::string_view("message") : event.type;
    }
    uint32_t block = OutputIndex(payload);

    if (type == "response.output_text.delta") {
      if (!payload.delta.empty()) out.EmitText(EventKind::kText, 0, block, payload.delta);
    } else if (type == "response.function_call_arguments.delta") {
      OnArgumentsDelta(payload, out);
    } else if (type == "response.reasoning_summary_text.delta") {
      EmitReasoning(block, payload.delta, ReasoningPart::kSummary, out);
    } else if (type == "response.reasoning_text.delta") {
      EmitReasoning(block, payload.delta, ReasoningPart::kText, out);
    } else if (type == "response.refusal.delta") {
      if (!payload.delta.empty()) out.EmitText(EventKind::kRefusal, 0, block, payload.delta);
    } else if (IsQuiet(type)) {
      return;
    } else if (type == "response.output_item.added") {
      OnItemAdded(payload, out);
    } else if (type == "response.output_item.done") {
      OnItemDone(payload, out);
    } else if (type == "response.function_call_arguments.done") {
      OnArgumentsDone(payload, out);
    } else if (type == "response.reasoning_summary_part.added") {
      // Summary parts are separate paragraphs; without a break they would run together.
      if (payload.summary_index > 0) EmitReasoning(block, "\n\n", ReasoningPart::kSummary, out);
    } else if (type == "response.output_text.annotation.added") {
      if (!payload.annotation.empty()) {
        out.EmitText(EventKind::kCitation, 0, block, payload.annotation);
      }
    } else if (type == "response.created" || type == "response.in_progress" ||
               type == "response.queued") {
      ResponseMetadata(payload.response, out);
    } else if (type == "response.completed" || type == "response.incomplete") {
      OnTerminal(type == "response.completed", payload.response, out);
    } else if (type == "response.failed") {
      OnFailed(payload.response, out);
    } else if (type == "error") {
      OnError(payload, data, out);
    } else if (IsKeepAlive(type)) {
      out.EmitText(EventKind::kKeepAlive, 0, 0, type);
    } else {
      // Web/file search, code interpreter, images, MCP, audio ...: tolerated, passed on whole.
      out.EmitMetadata(type, data, MetadataFormat::kJson);
    }
  }

  void OnEnd(Emitter& out) override {
    // After a terminal event anything still open was ended by the response itself. Without one
    // the body was cut short and an open call may hold partial arguments: leave it incomplete.
    if (terminal_) CloseAll(out);
  }

  bool terminal() const override { return terminal_; }

 private:
  struct ItemState {
    uint32_t output_index = 0;
    uint32_t slot = 0;  // its position in items_
    bool open = false;
    bool is_call = false;
    bool call_ended = false;
    std::string type, item_id, call_id, name;
  };

  // Without an index, events belong to the item opened last, and a new item follows it.
  uint32_t OutputIndex(const Payload& payload, bool new_item = false) const {
    if (payload.output_index >= 0 && payload.output_index <= UINT32_MAX) {
      return static_cast<uint32_t>(payload.output_index);
    }
    if (!any_item_) return 0;
    return new_item ? last_output_index_ + 1 : last_output_index_;
  }

  void EmitReasoning(uint32_t block, std::string_view text, ReasoningPart part, Emitter& out) {
    if (!text.empty())
      out.EmitText(EventKind::kReasoning, 0, block, text, static_cast<uint8_t>(part));
  }

  // Keyed by output index first, by item id when the index is missing.
  ItemState* FindItem(const Payload& payload, std::string_view item_id) {
    uint32_t at = FlatIndex::kNone;
    if (payload.output_index >= 0) {
      if (last_opened_ < items_.size() && items_[last_opened_].open &&
          items_[last_opened_].output_index == payload.output_index) {
        return &items_[last_opened_];  // the usual case: deltas to the newest item
      }
      at = by_index_.Find(FlatIndex::HashInt(static_cast<uint64_t>(payload.output_index)),
                          [&](uint32_t i) {
                            return items_[i].open && items_[i].output_index == payload.output_index;
                          });
    } else if (!item_id.empty()) {
      at = by_id_.Find(FlatIndex::HashString(item_id),
                       [&](uint32_t i) { return items_[i].open && items_[i].item_id == item_id; });
    }
    return at == FlatIndex::kNone ? nullptr : &items_[at];
  }

  // The item leaves the open set (found by neither index); its slot is free for the next one.
  void ReleaseSlot(ItemState& item) {
    item.open = false;
    by_index_.Erase(FlatIndex::HashInt(item.output_index), item.slot);
    if (!item.item_id.empty()) by_id_.Erase(FlatIndex::HashString(item.item_id), item.slot);
    free_slots_.push_back(item.slot);
  }

  // Slots are reused so their strings keep their capacity from one item to the next.
  ItemState& OpenItem(uint32_t output_index, std::string_view type, std::string_view item_id) {
    const uint64_t hash = FlatIndex::HashInt(output_index);
    const uint32_t replaced = by_index_.Find(
        hash, [&](uint32_t i) { return items_[i].open && items_[i].output_index == output_index; });
    if (replaced != FlatIndex::kNone) ReleaseSlot(items_[replaced]);
    ItemState* item = nullptr;
    if (!free_slots_.empty()) {
      item = &items_[free_slots_.back()];
      free_slots_.pop_back();
    } else {
      item = &items_.emplace_back();
      item->slot = static_cast<uint32_t>(items_.size() - 1);
    }
    by_index_.Insert(hash, item->slot);
    if (!item_id.empty()) {
      // Ids should be unique; when an open item has this one already, it keeps it (the index
      // holds each key once, so that repeated ids cannot make long probe runs).
      const uint64_t id_hash = FlatIndex::HashString(item_id);
      const bool taken = by_id_.Find(id_hash, [&](uint32_t i) {
        return items_[i].open && items_[i].item_id == item_id;
      }) != FlatIndex::kNone;
      if (!taken) by_id_.Insert(id_hash, item->slot);
    }
    last_opened_ = item->slot;
    item->output_index = output_index;
    item->open = true;
    item->is_call = false;
    item->call_ended = false;
    item->type.assign(type);
    item->item_id.assign(item_id);
    item->call_id.clear();
    item->name.clear();
    last_output_index_ = output_index;
    any_item_ = true;
    return *item;
  }

  // Opens the item and says so: kBlockStart, and kToolCallStart for a function call.
  ItemState& StartItem(uint32_t output_index, const ItemInfo& info, std::string_view raw,
                       Emitter& out) {
    ItemState& item = OpenItem(output_index, info.type, info.id);
    bool streamed =
        info.type == "message" || info.type == "function_call" || info.type == "reasoning";
    Event& start = out.Emit(EventKind::kBlockStart, 0, output_index);
    start.name = info.type;
    start.id = info.id;
    // Hosted tool calls and unknown items: their JSON is all there is to pass on.
    if (!streamed) start.text = TrimJsonSpace(raw);
    if (info.type == "function_call") {
      item.is_call = true;
      item.call_id.assign(info.call_id.empty() ? info.id : info.call_id);
      item.name.assign(info.name);
      any_function_call_ = true;
      Event& call = out.Emit(EventKind::kToolCallStart, 0, output_index);
      call.id = out.Copy(item.call_id);
      call.name = info.name;
      call.part = static_cast<uint8_t>(ToolKind::kFunction);
      if (!info.arguments.empty()) {  // a gateway may send them with the item
        out.EmitText(EventKind::kToolCallDelta, 0, output_index, info.arguments);
      }
    } else if (info.type == "message" && !info.role.empty()) {
      metadata_.Update("role", info.role, MetadataFormat::kString, out);
    }
    return item;
  }

  void OnItemAdded(const Payload& payload, Emitter& out) {
    ItemInfo info;
    if (!ReadItem(payload.item, out.arena(), &info)) {
      out.EmitWarning("bad_event: response.output_item.added without a valid item");
      return;
    }
    StartItem(OutputIndex(payload, /*new_item=*/true), info, payload.item, out);
  }

  // Arguments for a call whose output_item.added never came: open it so nothing is lost.
  ItemState* CallFor(const Payload& payload, Emitter& out) {
    ItemState* item = FindItem(payload, payload.item_id);
    if (item) {
      if (item->is_call) return item;
      out.EmitWarning("bad_event: function call arguments for a " + item->type + " item ignored");
      return nullptr;
    }
    out.EmitWarning("bad_event: function call arguments for an item that was never added");
    ItemInfo info;
    info.type = "function_call";
    info.id = payload.item_id;
    return &StartItem(OutputIndex(payload), info, {}, out);
  }

  void OnArgumentsDelta(const Payload& payload, Emitter& out) {
    ItemState* item = CallFor(payload, out);
    if (!item || item->call_ended || payload.delta.empty()) return;
    out.EmitText(EventKind::kToolCallDelta, 0, item->output_index, payload.delta);
  }

  void OnArgumentsDone(const Payload& payload, Emitter& out) {
    ItemState* item = CallFor(payload, out);
    if (!item || item->call_ended) return;
    // The .done arguments are authoritative; the deltas are only a preview of them.
    EndCall(*item, payload.has_arguments ? &payload.arguments : nullptr, out);
  }

  // Ends the call with the arguments the provider sent whole (`arguments`), or with its deltas
  // (null: only the assembler keeps those).
  void EndCall(ItemState& item, const std::string_view* arguments, Emitter& out) {
    item.call_ended = true;
    if (arguments) {
      out.EmitToolCallEnd(0, item.output_index, item.call_id, item.name, *arguments);
    } else {
      out.EmitToolCallEnd(0, item.output_index, item.call_id, item.name);
    }
  }

  void CloseItem(ItemState& item, std::string_view raw, Emitter& out) {
    if (item.is_call && !item.call_ended) EndCall(item, nullptr, out);
    ReleaseSlot(item);
    Event& end = out.Emit(EventKind::kBlockEnd, 0, item.output_index);
    end.name = out.Copy(item.type);
    end.text = raw;
  }

  void CloseAll(Emitter& out) {
    for (ItemState& item : items_) {
      if (item.open) CloseItem(item, {}, out);
    }
  }

  // A message item that arrives only whole (no .added, no deltas): its text is in `content`.
  void EmitMessageContent(uint32_t output_index, std::string_view raw, Emitter& out) {
    Reader reader(raw, out.arena());
    if (!reader.BeginArray()) return;
    while (reader.NextElement()) {
      if (!reader.BeginObject()) {
        if (!reader.Skip()) return;
        continue;
      }
      std::string_view key, type, text, refusal;
      while (reader.NextField(&key)) {
        bool ok = key == "type"      ? ReadString(reader, &type)
                  : key == "text"    ? ReadString(reader, &text)
                  : key == "refusal" ? ReadString(reader, &refusal)
                                     : reader.Skip();
        if (!ok) return;
      }
      if (type == "output_text" && !text.empty()) {
        out.EmitText(EventKind::kText, 0, output_index, text);
      } else if (type == "refusal" && !refusal.empty()) {
        out.EmitText(EventKind::kRefusal, 0, output_index, refusal);
      }
    }
  }

  void OnItemDone(const Payload& payload, Emitter& out) {
    ItemInfo info;
    if (!ReadItem(payload.item, out.arena(), &info)) {
      out.EmitWarning("bad_event: response.output_item.done without a valid item");
      return;
    }
    ItemState* item = FindItem(payload, info.id);
    if (!item) {  // some gateways send items only whole
      item = &StartItem(OutputIndex(payload, /*new_item=*/true), info, payload.item, out);
      if (info.type == "message") EmitMessageContent(item->output_index, info.content, out);
    }
    if (item->is_call && !item->call_ended) {
      EndCall(*item, info.has_arguments ? &info.arguments : nullptr, out);
    }
    if (info.type == "reasoning" && !info.encrypted_content.empty()) {
      out.EmitText(EventKind::kReasoning, 0, item->output_index, info.encrypted_content,
                   static_cast<uint8_t>(ReasoningPart::kRedacted));
    }
    bool streamed =
        info.type == "message" || info.type == "function_call" || info.type == "reasoning";
    // Hosted tool items carry their results only now (search actions, images ...).
    CloseItem(*item, streamed ? std::string_view() : TrimJsonSpace(payload.item), out);
  }

  void ResponseMetadata(const ResponseInfo& response, Emitter& out) {
    if (!response.id.empty()) metadata_.Update("id", response.id, MetadataFormat::kString, out);
    if (!response.model.empty()) {
      metadata_.Update("model", response.model, MetadataFormat::kString, out);
    }
    if (!response.service_tier.empty()) {
      metadata_.Update("service_tier", response.service_tier, MetadataFormat::kString, out);
    }
  }

  void EmitUsage(std::string_view raw, Emitter& out) {
    if (raw.empty()) return;
    Usage usage;
    if (!ParseOpenAIUsage(raw, out.arena(), &usage)) {
      out.EmitWarning("bad_event: usage object could not be read");
      return;
    }
    out.EmitMetadata("usage", raw, MetadataFormat::kJson);
    out.EmitUsage(usage);
  }

  void OnTerminal(bool completed, const ResponseInfo& response, Emitter& out) {
    ResponseMetadata(response, out);
    EmitUsage(response.usage, out);
    CloseAll(out);
    terminal_ = true;
    Event& finish = out.Emit(EventKind::kFinish);
    if (completed) {
      finish.text = any_function_call_ ? "tool_calls" : "stop";
      finish.id = "completed";
      return;
    }
    std::string_view reason, key;
    Reader reader(response.incomplete_details, out.arena());
    if (!response.incomplete_details.empty() && reader.BeginObject()) {
      while (reader.NextField(&key)) {
        if (!(key == "reason" ? ReadString(reader, &reason) : reader.Skip())) break;
      }
    }
    finish.text = NormalizeIncompleteReason(reason);
    finish.id = reason.empty() ? std::string_view("incomplete") : reason;
  }

  // Reads {code, message, type} from an error object into `error`.
  static void ReadError(std::string_view raw, json::Arena* arena, Error* error) {
    Reader reader(raw, arena);
    if (!reader.BeginObject()) return;
    std::string_view key, code, message, type;
    while (reader.NextField(&key)) {
      bool ok = key == "code"      ? ReadString(reader, &code)
                : key == "message" ? ReadString(reader, &message)
                : key == "type"    ? ReadString(reader, &type)
                                   : reader.Skip();
      if (!ok) break;
    }
    if (!message.empty()) error->message.assign(message);
    if (error->provider_type.empty()) error->provider_type.assign(code.empty() ? type : code);
  }

  void OnFailed(const ResponseInfo& response, Emitter& out) {
    failed_ = true;
    ResponseMetadata(response, out);
    EmitUsage(response.usage, out);
    Error error;
    error.code = ErrorCode::kProviderError;
    if (!response.error.empty()) {
      ReadError(response.error, out.arena(), &error);
      out.EmitMetadata("error", response.error, MetadataFormat::kJson);
    }
    if (error.message.empty()) error.message = "the response failed";
    out.EmitError(std::move(error));
  }

  // {"type":"error","code":...,"message":...,"param":...}, or an {"error": {...}} object, or
  // whatever a gateway put in an event named `error`.
  void OnError(const Payload& payload, std::string_view data, Emitter& out, bool is_json = true) {
    failed_ = true;
    Error error;
    error.code = ErrorCode::kProviderError;
    error.provider_type.assign(payload.code);
    error.message.assign(payload.message);
    if (!payload.error.empty()) ReadError(payload.error, out.arena(), &error);
    if (error.message.empty()) error.message.assign(data.substr(0, 200));
    if (error.message.empty()) error.message = "the provider sent an error event";
    if (!data.empty()) {
      out.EmitMetadata("error", data, is_json ? MetadataFormat::kJson : MetadataFormat::kString);
    }
    out.EmitError(std::move(error));
  }

  std::vector<ItemState> items_;  // open and closed (free) slots
  FlatIndex by_index_;            // open items by output index
  FlatIndex by_id_;               // open items by item id
  std::vector<uint32_t> free_slots_;
  size_t last_opened_ = SIZE_MAX;
  MetadataTracker metadata_;
  uint32_t last_output_index_ = 0;
  bool any_item_ = false;
  bool any_function_call_ = false;
  bool terminal_ = false;  // response.completed or response.incomplete arrived
  bool failed_ = false;    // response.failed or an error event arrived
};

}  // namespace

std::unique_ptr<Dialect> MakeResponsesDialect() { return std::make_unique<ResponsesDialect>(); }

}  // namespace llmstream
