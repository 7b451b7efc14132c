#include "providers/openai_chat.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.h"
#include "json/chunk_template.h"
#include "json/escape.h"
#include "json/reader.h"
#include "providers/field_reading.h"
#include "providers/metadata_tracker.h"
#include "providers/openai_chat_usage.h"
#include "providers/openai_usage.h"

namespace llmstream {
namespace {

using json::Reader;
using json::ValueType;

// Normalized finish reasons are the Chat Completions ones; only the deprecated name changes.
std::string_view NormalizeFinishReason(std::string_view raw) {
  if (raw == "function_call") return "tool_calls";
  return raw;
}

using providers::IsValidJson;

class OpenAIChatDialect final : public Dialect {
 public:
  // One dialect serves every OpenAI-style provider: their additions never conflict, so the
  // provider needs no special-casing (yet).
  OpenAIChatDialect() = default;

  void OnEvent(const SseEvent& event, Emitter& out) override {
    if (event.type == "error") {  // Groq's named error event (and anyone else's)
      EmitErrorPayload(event.data, out);
      return;
    }
    if (!event.data.empty() && event.data[0] == '[' && event.data.substr(0, 6) == "[DONE]") {
      OnDone(out);
      return;
    }
    if (done_) {
      out.EmitWarning("data after [DONE] ignored");
      return;
    }
    std::string_view value;
    if (fast_path_ && template_.Match(event.data, out.arena(), &value)) {
      Replay(value, out);
      return;
    }
    template_.Clear();
    if (providers::TrimJsonSpace(event.data).empty()) return;  // framing: carries nothing
    size_t first = out.size();
    hole_ = {};
    ignored_holes_.clear();
    chunk_ = event.data;
    ParseChunk(event.data, out);
    MaybeKeepTemplate(event.data, first, out);
  }

  bool template_ready() const override { return fast_path_ && !done_ && template_.valid(); }
  size_t MatchTemplate(std::string_view rest, Emitter& out) override {
    if (!template_ready()) return 0;
    return template_.MatchPrefix(rest, out.arena(), &template_value_);
  }
  void ReplayTemplate(Emitter& out) override { Replay(template_value_, out); }

  void set_fast_path(bool enabled) override { fast_path_ = enabled; }

  void OnEnd(Emitter& out) override {
    // Without [DONE] or a finish_reason, open tool calls stay incomplete: their arguments may be
    // cut short, and pretending otherwise would hand a truncated call to the caller as whole.
  }

  bool terminal() const override { return done_; }

 private:
  struct ToolCallState {
    uint32_t choice = 0;
    uint32_t index = 0;
    std::string id;
    std::string name;
  };
  // Block numbers of OpenRouter's encrypted reasoning items (kBlockStart), far above any tool
  // call index (tool calls name their blocks by index in this dialect).
  static constexpr uint32_t kDetailBlockBase = 0x40000000;

  struct ChoiceState {
    uint32_t index = 0;
    bool role_seen = false;
    std::string finish_reason;  // last raw finish reason emitted
    std::string channel;
    uint32_t open_calls = 0;
    uint32_t calls = 0;          // tool calls started
    uint32_t last_call = 0;      // the index of the newest one
    uint32_t next_call = 0;      // the index an index-less new call takes
    uint32_t detail_blocks = 0;  // OpenRouter encrypted reasoning items kept as blocks
  };
  // One tool_calls[] element as read; emitted once the element is complete because `index` may
  // come last (Groq).
  struct ToolFragment {
    int64_t index = 0;
    bool has_index = false;
    std::string_view id, type, name, arguments;
    std::string_view raw_arguments;  // escaped, in the chunk: a template hole
    bool has_arguments = false;
  };

  void ParseChunk(std::string_view data, Emitter& out) {
    arena_ = out.arena();
    Reader reader(data, out.arena());
    if (!reader.BeginObject()) {
      BadChunk(data, out);
      return;
    }
    std::string_view key, raw_usage, raw_x_groq, raw_error;
    while (reader.NextField(&key)) {
      if (key == "choices") {
        if (!ParseChoices(reader, out)) break;
      } else if (key == "usage" || key == "x_groq" || key == "error") {
        if (reader.GetNull()) continue;
        std::string_view raw;
        if (!reader.SkipRaw(&raw)) break;
        (key == "usage" ? raw_usage : key == "x_groq" ? raw_x_groq : raw_error) = raw;
      } else if (key == "citations" && reader.Peek() == ValueType::kArray) {
        if (!ParseCitations(reader, out)) break;
      } else if (key == "obfuscation") {  // random padding: meaningless by design
        std::string_view raw;
        if (reader.GetRawString(&raw)) {
          ignored_holes_.push_back(HoleOf(raw));
        } else if (!reader.Skip()) {
          break;
        }
      } else if (IsPlaceholder(reader, key)) {
        reader.Skip();
      } else {
        PassThrough(reader, key, out, 0);
      }
    }
    if (!reader.Finish()) {
      BadChunk(data, out);
      return;
    }
    if (!raw_x_groq.empty()) {
      metadata_.Update("x_groq", raw_x_groq, MetadataFormat::kJson, out);
    }
    if (!raw_usage.empty()) {
      top_level_usage_seen_ = true;
      EmitUsage(raw_usage, out);
    } else if (!raw_x_groq.empty() && !top_level_usage_seen_) {
      // Older Groq streams report usage only in x_groq.usage; never add the two together.
      Reader groq(raw_x_groq, out.arena());
      std::string_view groq_key, groq_usage;
      if (groq.BeginObject()) {
        while (groq.NextField(&groq_key)) {
          if (groq_key == "usage" && groq.Peek() == ValueType::kObject) {
            groq.SkipRaw(&groq_usage);
          } else {
            groq.Skip();
          }
        }
      }
      if (!groq_usage.empty()) EmitUsage(groq_usage, out);
    }
    if (!raw_error.empty()) EmitErrorPayload(raw_error, out, /*is_error_object=*/true);
  }

  void EmitUsage(std::string_view raw_usage, Emitter& out) {
    Usage usage;
    if (!ParseOpenAIUsage(raw_usage, out.arena(), &usage)) {
      out.EmitWarning("usage object could not be read");
      return;
    }
    ApplyChatUsageVariants(raw_usage, out.arena(), &usage);
    out.EmitMetadata("usage", raw_usage, MetadataFormat::kJson);
    out.EmitUsage(usage);
  }

  // Azure's annotation chunks (prompt and content filter results) carry "id":"", "object":"",
  // "model":"" and "created":0: placeholders that would overwrite the real values.
  static bool IsPlaceholder(const Reader& reader, std::string_view key) {
    Reader look = reader;  // a copy looks ahead without consuming
    std::string_view raw;
    int64_t number = 0;
    return (look.GetRawString(&raw) && raw.empty()) ||
           (key == "created" && look.GetInt(&number) && number == 0);
  }

  // xAI's (and Perplexity's) top-level `citations`: the sources' URLs, on the last chunk or
  // repeated on every chunk (growing). Each element becomes one kCitation the first time.
  bool ParseCitations(Reader& reader, Emitter& out) {
    if (!reader.BeginArray()) return reader.Skip();
    uint32_t at = 0;
    while (reader.NextElement()) {
      std::string_view raw;
      if (!reader.SkipRaw(&raw)) return false;
      if (at++ >= citations_) out.EmitText(EventKind::kCitation, 0, 0, raw);
    }
    citations_ = std::max(citations_, at);
    return !reader.failed();
  }

  // A chunk that is not a JSON object: its content is lost, so the stream ends (kBadJson).
  void BadChunk(std::string_view data, Emitter& out) { providers::EmitBadJson("chunk", data, out); }

  // Unknown or rarely useful fields become metadata (emitted when they change).
  bool PassThrough(Reader& reader, std::string_view key, Emitter& out, uint32_t choice,
                   std::string_view prefix = {}) {
    return providers::PassThroughField(reader, key, prefix, choice, metadata_, out, &scratch_);
  }

  bool ParseChoices(Reader& reader, Emitter& out) {
    if (reader.GetNull()) return true;
    if (!reader.BeginArray()) return reader.Skip();
    while (reader.NextElement()) {
      if (!ParseChoice(reader, out)) return false;
    }
    return !reader.failed();
  }

  bool ParseChoice(Reader& reader, Emitter& out) {
    if (!reader.BeginObject()) return reader.Skip();
    int64_t index = 0;
    bool index_seen = false;
    std::string_view key, finish, native_finish, deferred_delta;
    while (reader.NextField(&key)) {
      if (key == "index") {
        if (!reader.GetInt(&index) && !reader.Skip()) return false;
        index_seen = true;
      } else if (key == "delta") {
        if (index_seen) {
          if (!ParseDelta(reader, static_cast<uint32_t>(index), out)) return false;
        } else if (!reader.SkipRaw(&deferred_delta)) {  // index comes later: read it after
          return false;
        }
      } else if (key == "finish_reason") {
        if (!reader.GetNull() && !reader.GetString(&finish) && !reader.Skip()) return false;
      } else if (key == "native_finish_reason") {
        if (!reader.GetNull() && !reader.GetString(&native_finish) && !reader.Skip()) {
          return false;
        }
      } else if (key == "logprobs") {
        if (reader.GetNull()) continue;
        std::string_view raw;
        if (!reader.SkipRaw(&raw)) return false;
        out.EmitMetadata("logprobs", raw, MetadataFormat::kJson, static_cast<uint32_t>(index));
      } else if (!PassThrough(reader, key, out, static_cast<uint32_t>(index), "choice.")) {
        return false;
      }
    }
    if (reader.failed()) return false;
    uint32_t choice = static_cast<uint32_t>(index);
    if (!deferred_delta.empty()) {
      Reader delta_reader(deferred_delta, out.arena());
      if (!ParseDelta(delta_reader, choice, out)) return false;
    }
    if (!native_finish.empty()) {
      metadata_.Update("native_finish_reason", native_finish, MetadataFormat::kString, out, choice);
    }
    if (!finish.empty()) Finish(choice, finish, native_finish, out);
    return true;
  }

  ChoiceState& StateOf(uint32_t choice) {
    if (!choices_.empty() && choices_[0].index == choice) return choices_[0];
    const uint64_t hash = FlatIndex::HashInt(choice);
    const uint32_t at =
        choice_index_.Find(hash, [&](uint32_t i) { return choices_[i].index == choice; });
    if (at != FlatIndex::kNone) return choices_[at];
    ChoiceState& state = choices_.emplace_back();
    state.index = choice;
    choice_index_.Insert(hash, static_cast<uint32_t>(choices_.size() - 1));
    return state;
  }

  static uint64_t CallHash(uint32_t choice, uint32_t index) {
    return FlatIndex::HashInt(uint64_t{choice} << 32 | index);
  }

  bool ParseDelta(Reader& reader, uint32_t choice, Emitter& out) {
    if (reader.GetNull()) return true;
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key, text, raw_details;
    bool reasoning_text_seen = false;
    while (reader.NextField(&key)) {
      if (key == "content") {
        if (reader.GetNull()) continue;
        if (reader.Peek() == ValueType::kArray) {  // Mistral's typed chunks
          if (!ParseContentParts(reader, choice, out)) return false;
          continue;
        }
        if (!ReadHoleText(reader, &text, out)) return reader.Skip();
        EmitHoleText(EventKind::kText, choice, 0, 0, text, out);
      } else if (key == "reasoning" || key == "reasoning_content") {
        if (reader.GetNull()) continue;
        if (!ReadHoleText(reader, &text, out)) return reader.Skip();
        reasoning_text_seen = true;
        EmitHoleText(EventKind::kReasoning, choice, 0, static_cast<uint8_t>(ReasoningPart::kText),
                     text, out);
      } else if (key == "refusal") {
        if (reader.GetNull()) continue;
        if (!ReadHoleText(reader, &text, out)) return reader.Skip();
        EmitHoleText(EventKind::kRefusal, choice, 0, 0, text, out);
      } else if (key == "role") {
        if (!reader.GetString(&text)) {
          if (!reader.Skip()) return false;
          continue;
        }
        ChoiceState& state = StateOf(choice);
        if (!state.role_seen) {  // OpenRouter repeats the role on every delta
          state.role_seen = true;
          out.EmitMetadata("role", text, MetadataFormat::kString, choice);
        }
      } else if (key == "tool_calls") {
        if (reader.GetNull()) continue;
        if (!reader.BeginArray()) return reader.Skip();
        while (reader.NextElement()) {
          if (!ParseToolCallFragment(reader, choice, out)) return false;
        }
      } else if (key == "function_call") {  // deprecated single-call form: tool call index 0
        if (reader.GetNull()) continue;
        if (!ParseFunctionCall(reader, choice, out)) return false;
      } else if (key == "annotations") {
        if (reader.GetNull()) continue;
        if (!reader.BeginArray()) return reader.Skip();
        while (reader.NextElement()) {
          std::string_view raw;
          if (!reader.SkipRaw(&raw)) return false;
          out.EmitText(EventKind::kCitation, choice, 0, raw);
        }
      } else if (key == "reasoning_details") {
        if (reader.GetNull()) continue;
        if (!reader.SkipRaw(&raw_details)) return false;
      } else if (key == "channel") {
        if (reader.GetNull()) continue;
        if (!PassThrough(reader, key, out, choice)) return false;
      } else {
        if (reader.Peek() == ValueType::kNull) {
          reader.GetNull();
          continue;
        }
        if (!PassThrough(reader, key, out, choice, "delta.")) return false;
      }
    }
    if (reader.failed()) return false;
    if (!raw_details.empty()) ParseReasoningDetails(raw_details, reasoning_text_seen, choice, out);
    return true;
  }

  // Mistral's content as an array of typed chunks: {type:"text", text}, {type:"thinking",
  // thinking:[{type:"text", text}]} (Magistral), {type:"reference", reference_ids} and
  // tool_reference (sources). Texts stay template holes: a thinking stream stays fast.
  bool ParseContentParts(Reader& reader, uint32_t choice, Emitter& out) {
    if (!reader.BeginArray()) return reader.Skip();
    while (reader.NextElement()) {
      Reader part = reader;  // a copy reads the element; `reader` skips it
      std::string_view raw, key;
      if (!reader.SkipRaw(&raw)) return false;
      const std::string_view type = TypeOf(part);
      if (type == "text" || type == "thinking") {
        if (!part.BeginObject()) continue;
        while (part.NextField(&key)) {
          if (key == type &&
              !ReadParts(part, type == "text" ? EventKind::kText : EventKind::kReasoning, choice,
                         out)) {
            return false;
          }
          if (key != type && !part.Skip()) return false;
        }
      } else if (type == "reference" || type == "tool_reference") {
        out.EmitText(EventKind::kCitation, choice, 0, raw);
      } else {  // images, documents, anything new
        metadata_.Update("delta.content", raw, MetadataFormat::kJson, out, choice);
      }
    }
    return !reader.failed();
  }

  // A text: a string, or (a thinking chunk's `thinking`) an array of {type:"text", text}.
  bool ReadParts(Reader& reader, EventKind kind, uint32_t choice, Emitter& out) {
    std::string_view text, key;
    if (ReadHoleText(reader, &text, out)) {
      EmitHoleText(kind, choice, 0, 0, text, out);
      return true;
    }
    if (!reader.BeginArray()) return reader.Skip();
    while (reader.NextElement()) {
      const bool is_text = TypeOf(reader) == "text";
      if (!reader.BeginObject()) {
        if (!reader.Skip()) return false;
        continue;
      }
      while (reader.NextField(&key)) {
        if (is_text && key == "text" && ReadHoleText(reader, &text, out)) {
          EmitHoleText(kind, choice, 0, 0, text, out);
        } else if (!reader.Skip()) {
          return false;
        }
      }
    }
    return !reader.failed();
  }

  // The `type` of the object `reader` is at ("" when none), whatever the key order.
  static std::string_view TypeOf(Reader reader) {
    std::string_view key, type;
    if (!reader.BeginObject()) return type;
    while (reader.NextField(&key)) {
      if (key == "type" && reader.GetString(&type)) break;
      if (!reader.Skip()) break;
    }
    return type;
  }

  // OpenRouter's typed reasoning items. Their text duplicates `delta.reasoning` when that is
  // present, so only signatures and encrypted data add anything then.
  void ParseReasoningDetails(std::string_view raw, bool reasoning_text_seen, uint32_t choice,
                             Emitter& out) {
    Reader reader(raw, out.arena());
    if (!reader.BeginArray()) return;
    while (reader.NextElement()) {
      Reader item = reader;  // a copy reads the element; `reader` skips it whole
      std::string_view raw_item;
      if (!reader.SkipRaw(&raw_item)) return;
      if (!item.BeginObject()) continue;
      std::string_view key, type, text, signature, data, summary;
      while (item.NextField(&key)) {
        std::string_view* target = key == "type"        ? &type
                                   : key == "text"      ? &text
                                   : key == "signature" ? &signature
                                   : key == "data"      ? &data
                                   : key == "summary"   ? &summary
                                                        : nullptr;
        if (!target || !item.GetString(target)) item.Skip();
      }
      if (type == "reasoning.text") {
        if (!reasoning_text_seen && !text.empty()) {
          out.EmitText(EventKind::kReasoning, choice, 0, text,
                       static_cast<uint8_t>(ReasoningPart::kText));
        }
        if (!signature.empty()) {
          out.EmitText(EventKind::kReasoning, choice, 0, signature,
                       static_cast<uint8_t>(ReasoningPart::kSignature));
        }
      } else if (type == "reasoning.encrypted") {
        if (!data.empty()) {
          // The item whole (its format, id and index too) is what OpenRouter needs back on the
          // next turn: a complete block, numbered apart from the tool calls' indexes.
          const uint32_t block = kDetailBlockBase + StateOf(choice).detail_blocks++;
          Event& start = out.Emit(EventKind::kBlockStart, choice, block);
          start.name = type;
          start.text = raw_item;
          out.Emit(EventKind::kBlockEnd, choice, block).name = type;
          out.EmitText(EventKind::kReasoning, choice, 0, data,
                       static_cast<uint8_t>(ReasoningPart::kRedacted));
        }
      } else if (type == "reasoning.summary") {
        if (!reasoning_text_seen && !summary.empty()) {
          out.EmitText(EventKind::kReasoning, choice, 0, summary,
                       static_cast<uint8_t>(ReasoningPart::kSummary));
        }
      } else {  // an item type we do not know: pass the whole list through once
        out.EmitMetadata("reasoning_details", raw, MetadataFormat::kJson, choice);
        return;
      }
    }
  }

  bool ParseToolCallFragment(Reader& reader, uint32_t choice, Emitter& out) {
    if (!reader.BeginObject()) return reader.Skip();
    ToolFragment fragment;
    std::string_view key;
    while (reader.NextField(&key)) {
      if (key == "index") {
        fragment.has_index = reader.GetInt(&fragment.index);
        if (!fragment.has_index && !reader.Skip()) return false;
      } else if (key == "id") {
        if (!reader.GetString(&fragment.id) && !reader.Skip()) return false;
      } else if (key == "type") {
        if (!reader.GetString(&fragment.type) && !reader.Skip()) return false;
      } else if (key == "function") {
        if (!ReadFunction(reader, &fragment)) return false;
      } else if (!reader.Skip()) {
        return false;
      }
    }
    if (reader.failed()) return false;
    ApplyToolFragment(choice, fragment, out);
    return true;
  }

  bool ReadFunction(Reader& reader, ToolFragment* fragment) {
    if (reader.GetNull()) return true;
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key;
    while (reader.NextField(&key)) {
      if (key == "name") {
        if (!reader.GetString(&fragment->name) && !reader.Skip()) return false;
      } else if (key == "arguments") {
        if (reader.GetRawString(&fragment->raw_arguments) &&
            json::Unescape(fragment->raw_arguments, arena_, &fragment->arguments)) {
          fragment->has_arguments = true;
        } else if (!reader.Skip()) {
          return false;
        }
      } else if (!reader.Skip()) {
        return false;
      }
    }
    return !reader.failed();
  }

  bool ParseFunctionCall(Reader& reader, uint32_t choice, Emitter& out) {
    ToolFragment fragment;
    if (!ReadFunction(reader, &fragment)) return false;
    ApplyToolFragment(choice, fragment, out);
    return true;
  }

  // The tool_calls[].index a fragment belongs to. Mistral sends whole calls without `index`:
  // one with an id or a name is a new call (unless it repeats the newest call's id), one with
  // neither continues the newest call.
  uint32_t CallIndexOf(uint32_t choice, const ToolFragment& fragment) {
    if (fragment.has_index) return fragment.index < 0 ? 0 : static_cast<uint32_t>(fragment.index);
    ChoiceState& state = StateOf(choice);
    if (state.calls == 0) return state.next_call;
    if (fragment.id.empty() && fragment.name.empty()) return state.last_call;
    const uint32_t at = call_index_.Find(CallHash(choice, state.last_call), [&](uint32_t i) {
      return calls_[i].choice == choice && calls_[i].index == state.last_call;
    });
    return at != FlatIndex::kNone && calls_[at].id == fragment.id ? state.last_call
                                                                  : state.next_call;
  }

  void ApplyToolFragment(uint32_t choice, const ToolFragment& fragment, Emitter& out) {
    const uint32_t index = CallIndexOf(choice, fragment);
    const uint64_t hash = CallHash(choice, index);
    const bool newest = !calls_.empty() && calls_.back().choice == choice &&
                        calls_.back().index == index;  // the usual case: no lookup
    const uint32_t at =
        newest ? static_cast<uint32_t>(calls_.size() - 1) : call_index_.Find(hash, [&](uint32_t i) {
          return calls_[i].choice == choice && calls_[i].index == index;
        });
    ToolCallState* call = at == FlatIndex::kNone ? nullptr : &calls_[at];
    if (!call) {
      call = &calls_.emplace_back();
      call_index_.Insert(hash, static_cast<uint32_t>(calls_.size() - 1));
      ChoiceState& state = StateOf(choice);
      ++state.open_calls;
      ++state.calls;
      state.last_call = index;
      state.next_call = std::max(state.next_call, index + 1);
      call->choice = choice;
      call->index = index;
      call->id.assign(fragment.id);
      call->name.assign(fragment.name);
      Event& start = out.Emit(EventKind::kToolCallStart, choice, index);
      start.id = out.Copy(call->id);
      start.name = out.Copy(call->name);
      start.part = static_cast<uint8_t>(ToolKind::kFunction);
    } else {
      // First fragment wins for id and name; some gateways resend them on every fragment.
      if (call->id.empty()) call->id.assign(fragment.id);
      if (call->name.empty()) call->name.assign(fragment.name);
    }
    if (!fragment.arguments.empty()) {
      out.EmitText(EventKind::kToolCallDelta, choice, index, fragment.arguments);
      if (!fragment.raw_arguments.empty()) {
        NoteHole(fragment.raw_arguments, EventKind::kToolCallDelta, choice, index, 0);
      }
    }
  }

  // Ends the open tool calls of `choice` (of every choice: `all_choices`), in the order they
  // started, and forgets them. Their arguments are the deltas, which only the assembler keeps.
  void EndToolCalls(uint32_t choice, bool all_choices, Emitter& out) {
    if (calls_.empty() || (!all_choices && StateOf(choice).open_calls == 0)) return;
    size_t kept = 0;
    for (size_t i = 0; i < calls_.size(); ++i) {
      ToolCallState& call = calls_[i];
      if (all_choices || call.choice == choice) {
        --StateOf(call.choice).open_calls;
        out.EmitToolCallEnd(call.choice, call.index, call.id, call.name);
      } else if (kept++ != i) {
        calls_[kept - 1] = std::move(call);
      }
    }
    calls_.resize(kept);
    call_index_.Clear();
    for (size_t i = 0; i < calls_.size(); ++i) {
      call_index_.Insert(CallHash(calls_[i].choice, calls_[i].index), static_cast<uint32_t>(i));
    }
  }

  void Finish(uint32_t choice, std::string_view raw_reason, std::string_view native_reason,
              Emitter& out) {
    EndToolCalls(choice, /*all_choices=*/false, out);
    ChoiceState& state = StateOf(choice);
    if (state.finish_reason == raw_reason) return;  // OpenRouter repeats it with the usage
    state.finish_reason.assign(raw_reason);
    if (raw_reason == "error") {  // OpenRouter: an error without an error object
      Error error;
      error.code = ErrorCode::kProviderError;
      error.message = native_reason.empty() ? "the provider ended the choice with an error"
                                            : std::string(native_reason);
      out.EmitError(std::move(error));
    }
    Event& finish = out.Emit(EventKind::kFinish, choice);
    finish.text = NormalizeFinishReason(raw_reason);
    finish.id = raw_reason;
  }

  void OnDone(Emitter& out) {
    if (done_) return;
    EndToolCalls(0, /*all_choices=*/true, out);
    done_ = true;
  }

  // `payload` is either a whole data payload ({"error": {...}}) or, with is_error_object, the
  // error object itself.
  void EmitErrorPayload(std::string_view payload, Emitter& out, bool is_error_object = false) {
    Error error;
    error.code = ErrorCode::kProviderError;
    std::string_view object = payload;
    Reader outer(payload, out.arena());
    std::string_view key;
    if (!is_error_object && outer.BeginObject()) {
      object = {};
      while (outer.NextField(&key)) {
        if (key == "error" && outer.Peek() == ValueType::kObject) {
          outer.SkipRaw(&object);
        } else if (key == "message" && outer.Peek() == ValueType::kString) {
          std::string_view message;
          outer.GetString(&message);
          error.message.assign(message);
        } else {
          outer.Skip();
        }
      }
    }
    if (!object.empty()) {
      Reader reader(object, out.arena());
      if (reader.BeginObject()) {
        while (reader.NextField(&key)) {
          std::string_view value;
          int64_t number = 0;
          if (key == "message" && reader.GetString(&value)) {
            error.message.assign(value);
          } else if ((key == "type" || key == "code") && reader.GetString(&value)) {
            if (error.provider_type.empty() || key == "code") error.provider_type.assign(value);
          } else if ((key == "code" || key == "status_code" || key == "status") &&
                     reader.GetInt(&number)) {  // status: Azure
            error.http_status = static_cast<int>(number);
          } else {
            reader.Skip();
          }
        }
      }
    }
    if (error.message.empty()) error.message.assign(payload.substr(0, 200));
    if (error.provider_type == "content_filter") error.code = ErrorCode::kContentFilter;
    out.EmitMetadata("error", payload, MetadataFormat::kJson);
    out.EmitError(std::move(error));
  }

  // --- the chunk-template shortcut (json/chunk_template.h) -----------------------------------

  // The one text-like value of a chunk that a template may vary.
  struct TextHole {
    bool set = false;
    bool several = false;
    json::ChunkTemplate::Hole hole;
    EventKind kind = EventKind::kText;
    uint32_t choice = 0, block = 0;
    uint8_t part = 0;
  };

  json::ChunkTemplate::Hole HoleOf(std::string_view raw) const {
    size_t begin = static_cast<size_t>(raw.data() - chunk_.data());
    return {begin, begin + raw.size()};
  }

  bool ReadHoleText(Reader& reader, std::string_view* text, Emitter& out) {
    if (!reader.GetRawString(&last_raw_)) return false;
    return json::Unescape(last_raw_, out.arena(), text);
  }

  void EmitHoleText(EventKind kind, uint32_t choice, uint32_t block, uint8_t part,
                    std::string_view text, Emitter& out) {
    if (text.empty()) return;
    out.EmitText(kind, choice, block, text, part);
    NoteHole(last_raw_, kind, choice, block, part);
  }

  void NoteHole(std::string_view raw, EventKind kind, uint32_t choice, uint32_t block,
                uint8_t part) {
    if (raw.data() < chunk_.data() || raw.data() + raw.size() > chunk_.data() + chunk_.size()) {
      hole_.several = true;  // not a view into this chunk (cannot happen; stay safe)
      return;
    }
    if (hole_.set) {
      hole_.several = true;
      return;
    }
    hole_ = {true, false, HoleOf(raw), kind, choice, block, part};
  }

  // A chunk whose only effect was one text-like event may serve as the next template.
  void MaybeKeepTemplate(std::string_view chunk, size_t first, Emitter& out) {
    if (!fast_path_ || !hole_.set || hole_.several || out.size() != first + 1) return;
    std::vector<json::ChunkTemplate::Hole>& holes = ignored_holes_;
    holes.push_back(hole_.hole);
    std::sort(holes.begin(), holes.end(),
              [](const auto& a, const auto& b) { return a.begin < b.begin; });
    size_t value_hole = 0;
    while (holes[value_hole].begin != hole_.hole.begin) ++value_hole;
    template_.Build(chunk, holes, value_hole);
  }

  // What the full parse would have done for a chunk that matched the template.
  void Replay(std::string_view value, Emitter& out) {
    if (value.empty()) return;
    if (hole_.kind == EventKind::kToolCallDelta) {
      ToolFragment fragment;
      fragment.index = hole_.block;
      fragment.has_index = true;
      fragment.arguments = value;
      ApplyToolFragment(hole_.choice, fragment, out);
      return;
    }
    out.EmitText(hole_.kind, hole_.choice, hole_.block, value, hole_.part);
  }

  bool fast_path_ = true;
  json::ChunkTemplate template_;
  std::string_view template_value_;  // MatchTemplate's, for ReplayTemplate
  TextHole hole_;
  std::vector<json::ChunkTemplate::Hole> ignored_holes_;
  std::string_view chunk_;
  std::string_view last_raw_;
  json::Arena* arena_ = nullptr;

  bool done_ = false;
  bool top_level_usage_seen_ = false;
  uint32_t citations_ = 0;  // top-level citations emitted
  std::vector<ChoiceState> choices_;
  FlatIndex choice_index_;            // choices_ by index
  std::vector<ToolCallState> calls_;  // the open tool calls, in the order they started
  FlatIndex call_index_;              // calls_ by (choice, index)
  MetadataTracker metadata_;
  std::string scratch_;  // builds prefixed metadata keys without a fresh string each time
};

}  // namespace

std::unique_ptr<Dialect> MakeOpenAIChatDialect(Provider provider) {
  return std::make_unique<OpenAIChatDialect>();
}

}  // namespace llmstream
