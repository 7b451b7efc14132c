// Google Gemini streamGenerateContent (wire-formats.md, "Google Gemini"). Every payload (an SSE
// event with alt=sse, an array element without it) is one whole GenerateContentResponse: its
// candidates[] become choices by `index`, each candidate's content.parts[] become blocks (text,
// thought text, function calls, code execution, inline data, any other part whole), a
// candidate's finishReason ends it, usageMetadata is a snapshot on every chunk whose last value
// wins, and promptFeedback.blockReason or an {"error": ...} object ends the stream with an error.
// The stream is complete once every candidate that appeared has its finishReason: Gemini sends
// no other end signal.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.h"
#include "json/escape.h"
#include "json/reader.h"
#include "providers/delta_template.h"
#include "providers/field_reading.h"
#include "providers/gemini_partial_args.h"
#include "providers/gemini_usage.h"
#include "providers/metadata_tracker.h"
#include "providers/more_dialects.h"

namespace llmstream {
namespace {

using json::Reader;
using json::ValueType;
using providers::ReadString;
using providers::TrimJsonSpace;

// Onto the Chat Completions names. STOP ends a turn that called functions too: it is tool_calls
// when the candidate made client-side function calls (as the Vercel AI SDK maps it). Reasons we
// do not know pass through unchanged, so a new one is visible rather than guessed.
std::string_view NormalizeFinishReason(std::string_view raw, bool function_calls) {
  if (raw == "STOP") return function_calls ? "tool_calls" : "stop";
  if (raw == "MAX_TOKENS") return "length";
  for (std::string_view filter : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
                                  "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"}) {
    if (raw == filter) return "content_filter";
  }
  // The model produced something unusable (a function call that does not parse, a call to a tool
  // it was not given ...): the turn is over, but not with an answer.
  for (std::string_view error :
       {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS",
        "MISSING_THOUGHT_SIGNATURE", "MALFORMED_RESPONSE"}) {
    if (raw == error) return "error";
  }
  for (std::string_view other :
       {"OTHER", "LANGUAGE", "FINISH_REASON_UNSPECIFIED", "IMAGE_OTHER", "NO_IMAGE"}) {
    if (raw == other) return "other";
  }
  return raw;
}

// promptFeedback.blockReason values that do not mean "blocked".
bool IsBlockReason(std::string_view reason) {
  return !reason.empty() && reason != "BLOCK_REASON_UNSPECIFIED" &&
         reason != "BLOCKED_REASON_UNSPECIFIED";
}

// What is open in a candidate: consecutive text parts (or thought parts) form one block, and a
// function call whose arguments stream stays open until its last part.
enum class OpenKind : uint8_t { kNone, kText, kThought, kCall };

// One content.parts[] element as read. A part is a oneof in the API; should several kinds come
// in one part, each is kept.
struct Part {
  std::string_view text, signature;
  std::string_view text_raw;  // text still escaped: where the delta template's hole is
  bool has_text = false;
  bool thought = false;
  std::string_view function_call, executable_code, code_result, inline_data;  // raw JSON
  std::string_view other_key, other;  // the first field of a kind we do not know, raw
};

// The fields of a functionCall, read in any order.
struct FunctionCall {
  std::string_view id, name, args, partial_args;  // args, partial_args: raw JSON
  bool will_continue = false;
  bool has_will_continue = false;
};

class GeminiDialect final : public Dialect {
 public:
  void OnEvent(const SseEvent& event, Emitter& out) override {
    if (failed_) return;  // an error ended the stream; nothing after it counts
    const std::string_view data = TrimJsonSpace(event.data);
    // Gemini sends no [DONE]; a gateway that adds one (or an empty event) adds nothing.
    if (data.empty() || data == "[DONE]") return;
    if (template_.Replay(event, out)) return;
    fields_.clear();
    Chunk chunk;
    if (!ReadChunk(data, out, &chunk)) {
      providers::EmitBadJson("chunk", data, out);
      return;
    }
    template_.Begin(event, out);
    for (const Field& field : fields_) {
      const auto format = field.is_string ? MetadataFormat::kString : MetadataFormat::kJson;
      // modelVersion and responseId are what the others call model and id.
      const std::string_view key = field.key == "modelVersion" ? std::string_view("model")
                                   : field.key == "responseId" ? std::string_view("id")
                                                               : field.key;
      metadata_.Update(key, field.value, format, out);
    }
    if (!chunk.candidates.empty()) OnCandidates(chunk.candidates, out);
    if (!chunk.usage.empty()) OnUsage(chunk.usage, out);
    if (!chunk.prompt_feedback.empty()) OnPromptFeedback(chunk.prompt_feedback, out);
    if (!chunk.error.empty()) OnError(chunk.error, out);
    template_.End(out);
  }

  void set_fast_path(bool enabled) override { template_.set_enabled(enabled); }
  // A JSON array's elements are matched where they lie in the read, before the framer scans
  // them (the scan and the comparison were each a third of an element's cost).
  size_t MatchPayload(std::string_view type, std::string_view id, std::string_view rest,
                      Emitter& out, bool same_names) override {
    return failed_ ? 0 : template_.MatchPrefix(type, id, rest, out, same_names);
  }
  void ReplayTemplate(Emitter& out) override { template_.ReplayMatched(out); }

  void OnEnd(Emitter& out) override {
    // A complete stream ended every candidate already. Without that, the body was cut: an open
    // function call may hold half its arguments and must not look complete.
    if (!terminal()) return;
    for (ChoiceState& state : choices_) CloseOpenBlock(state, out);
  }

  bool terminal() const override { return !failed_ && finished_any_ && unfinished_ == 0; }

 private:
  // The top-level fields whose meaning needs the whole chunk, kept raw until it is known to be
  // valid JSON (a broken payload emits nothing).
  struct Chunk {
    std::string_view candidates, usage, prompt_feedback, error;
  };
  // Any other top-level field, passed on as metadata.
  struct Field {
    std::string_view key, value;
    bool is_string = false;
  };

  struct ChoiceState {
    uint32_t index = 0;
    uint32_t next_block = 0;
    OpenKind open = OpenKind::kNone;
    uint32_t open_block = 0;
    bool open_signed = false;     // the open block has its thought signature
    bool function_calls = false;  // client-side function calls were made: STOP means tool_calls
    bool finished = false;
    std::string finish_reason;       // the raw reason last emitted
    std::string call_id, call_name;  // the open streamed call
    GeminiArgsBuilder args;
    // Candidate-level metadata (role, finishMessage, safetyRatings ...), deduplicated per
    // candidate so that each one's values reach its choice. Made on first use.
    std::unique_ptr<MetadataTracker> metadata;
  };

  bool ReadChunk(std::string_view data, Emitter& out, Chunk* chunk) {
    Reader reader(data, out.arena());
    if (!reader.BeginObject()) return false;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "candidates") {
        ok = reader.GetNull() || reader.SkipRaw(&chunk->candidates);
      } else if (key == "usageMetadata") {
        ok = reader.GetNull() || reader.SkipRaw(&chunk->usage);
      } else if (key == "promptFeedback") {
        ok = reader.GetNull() || reader.SkipRaw(&chunk->prompt_feedback);
      } else if (key == "error") {
        ok = reader.GetNull() || reader.SkipRaw(&chunk->error);
      } else if (reader.GetNull()) {
        // A null says nothing.
      } else {
        Field& field = fields_.emplace_back();
        field.key = key;
        field.is_string = reader.Peek() == ValueType::kString;
        ok = field.is_string ? reader.GetString(&field.value) : reader.SkipRaw(&field.value);
      }
      if (!ok) return false;
    }
    return reader.Finish();
  }

  // --- candidates ----------------------------------------------------------------------------

  void OnCandidates(std::string_view raw, Emitter& out) {
    Reader reader(raw, out.arena());
    if (!reader.BeginArray()) return;  // not a list: nothing to read
    while (reader.NextElement()) {
      std::string_view candidate;
      if (!reader.SkipRaw(&candidate)) return;
      OnCandidate(candidate, out);
    }
  }

  // `index` may come after `content` (it does in real streams), so it is found first.
  static bool FindIndex(std::string_view raw, json::Arena* arena, int64_t* index) {
    Reader reader(raw, arena);
    if (!reader.BeginObject()) return false;
    std::string_view key;
    while (reader.NextField(&key)) {
      if (key == "index" && reader.GetInt(index)) continue;
      if (!reader.Skip()) return false;
    }
    return true;
  }

  void OnCandidate(std::string_view raw, Emitter& out) {
    int64_t index = 0;
    if (!FindIndex(raw, out.arena(), &index)) return;  // not an object
    if (index < 0 || index > INT32_MAX) {
      out.EmitWarning("bad_event: a candidate with index " + std::to_string(index) + " ignored");
      return;
    }
    const uint32_t choice = static_cast<uint32_t>(index);
    StateOf(choice);  // a candidate that appears must finish before the stream is complete
    Reader reader(raw, out.arena());
    reader.BeginObject();
    std::string_view key, finish_reason;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "index") {
        ok = reader.Skip();
      } else if (key == "content") {
        ok = ReadContent(reader, choice, out);
      } else if (key == "finishReason") {
        ok = ReadString(reader, &finish_reason);
      } else {  // finishMessage, safetyRatings, citationMetadata, groundingMetadata, ...
        ok = PassThrough(reader, key, choice, out);
      }
      if (!ok) return;
    }
    if (!finish_reason.empty()) Finish(StateOf(choice), finish_reason, out);
  }

  ChoiceState& StateOf(uint32_t choice) {
    if (last_choice_ < choices_.size() && choices_[last_choice_].index == choice) {
      return choices_[last_choice_];
    }
    const uint64_t hash = FlatIndex::HashInt(choice);
    uint32_t at = choice_index_.Find(hash, [&](uint32_t i) { return choices_[i].index == choice; });
    if (at == FlatIndex::kNone) {
      at = static_cast<uint32_t>(choices_.size());
      choices_.emplace_back().index = choice;
      choice_index_.Insert(hash, at);
      ++unfinished_;
    }
    last_choice_ = at;
    return choices_[at];
  }

  bool PassThrough(Reader& reader, std::string_view key, uint32_t choice, Emitter& out,
                   std::string_view prefix = {}) {
    ChoiceState& state = StateOf(choice);
    if (!state.metadata) state.metadata = std::make_unique<MetadataTracker>();
    return providers::PassThroughField(reader, key, prefix, choice, *state.metadata, out,
                                       &scratch_);
  }

  bool ReadContent(Reader& reader, uint32_t choice, Emitter& out) {
    if (reader.GetNull()) return true;
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "parts") {
        if (reader.GetNull()) continue;
        if (!reader.BeginArray()) {
          ok = reader.Skip();
        } else {
          while (ok && reader.NextElement()) ok = ReadPart(reader, choice, out);
          ok = ok && !reader.failed();
        }
      } else {  // role ("model"), and whatever a newer API adds
        ok = PassThrough(reader, key, choice, out);
      }
      if (!ok) return false;
    }
    return !reader.failed();
  }

  bool ReadPart(Reader& reader, uint32_t choice, Emitter& out) {
    if (!reader.BeginObject()) return reader.Skip();
    Part part;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "text") {
        part.has_text = reader.GetRawString(&part.text_raw);
        ok = part.has_text ? json::Unescape(part.text_raw, out.arena(), &part.text) : reader.Skip();
      } else if (key == "thought") {
        ok = reader.GetBool(&part.thought) || reader.Skip();
      } else if (key == "thoughtSignature") {
        ok = ReadString(reader, &part.signature);
      } else if (reader.GetNull()) {
        // A null says nothing.
      } else if (key == "functionCall") {
        ok = reader.SkipRaw(&part.function_call);
      } else if (key == "executableCode") {
        ok = reader.SkipRaw(&part.executable_code);
      } else if (key == "codeExecutionResult") {
        ok = reader.SkipRaw(&part.code_result);
      } else if (key == "inlineData") {
        ok = reader.SkipRaw(&part.inline_data);
      } else if (key == "partMetadata" || key == "videoMetadata" || key == "mediaResolution") {
        ok = PassThrough(reader, key, choice, out, "part.");  // about a part, not a part
      } else if (part.other_key.empty()) {  // fileData, functionResponse, toolCall, ...
        part.other_key = key;
        ok = reader.SkipRaw(&part.other);
      } else {
        ok = PassThrough(reader, key, choice, out, "part.");
      }
      if (!ok) return false;
    }
    if (reader.failed()) return false;
    OnPart(StateOf(choice), part, out);
    return true;
  }

  // --- parts -----------------------------------------------------------------------------------

  void OnPart(ChoiceState& state, const Part& part, Emitter& out) {
    std::string_view signature = part.signature;  // goes to the first block this part makes
    if (part.has_text) OnText(state, part, &signature, out);
    if (!part.function_call.empty()) OnFunctionCall(state, part.function_call, &signature, out);
    if (!part.executable_code.empty()) {
      OnExecutableCode(state, part.executable_code, &signature, out);
    }
    if (!part.code_result.empty()) {
      OnWholePart(state, "codeExecutionResult", part.code_result, &signature, out);
    }
    if (!part.inline_data.empty()) {
      OnWholePart(state, "inlineData", part.inline_data, &signature, out);
    }
    if (!part.other.empty()) OnWholePart(state, part.other_key, part.other, &signature, out);
    // A signature on a part with nothing else (an empty text part, in Gemini 3 streams) belongs
    // to what came before it.
    if (!signature.empty()) AttachSignature(state, part.thought, signature, out);
  }

  void OnText(ChoiceState& state, const Part& part, std::string_view* signature, Emitter& out) {
    if (part.text.empty()) return;  // an empty part carries at most a signature
    const OpenKind kind = part.thought ? OpenKind::kThought : OpenKind::kText;
    // A signature starts a block of its own: it is echoed back on the part it came with.
    if (state.open != kind || !signature->empty()) {
      OpenBlock(state, kind, part.thought ? "thought" : "text", out);
      EmitSignature(state, signature, out);
    }
    if (part.thought) {
      out.EmitText(EventKind::kReasoning, state.index, state.open_block, part.text,
                   static_cast<uint8_t>(ReasoningPart::kText));
    } else {
      out.EmitText(EventKind::kText, state.index, state.open_block, part.text);
    }
    template_.NoteDelta(part.text_raw);
  }

  void AttachSignature(ChoiceState& state, bool thought, std::string_view signature, Emitter& out) {
    if (state.open == OpenKind::kNone || state.open_signed) {
      OpenBlock(state, thought ? OpenKind::kThought : OpenKind::kText, thought ? "thought" : "text",
                out);
    }
    EmitSignature(state, &signature, out);
  }

  void EmitSignature(ChoiceState& state, std::string_view* signature, Emitter& out) {
    if (signature->empty()) return;
    out.EmitText(EventKind::kReasoning, state.index, state.open_block, *signature,
                 static_cast<uint8_t>(ReasoningPart::kSignature));
    state.open_signed = true;
    *signature = {};
  }

  void OpenBlock(ChoiceState& state, OpenKind kind, std::string_view type, Emitter& out) {
    CloseOpenBlock(state, out);
    state.open = kind;
    state.open_block = state.next_block++;
    state.open_signed = false;
    out.Emit(EventKind::kBlockStart, state.index, state.open_block).name = type;
  }

  // A part that arrives whole: a block of its own, opened and closed at once. Its JSON is the
  // block's data (the assembler keeps it).
  uint32_t WholeBlock(ChoiceState& state, std::string_view type, std::string_view raw,
                      std::string_view* signature, Emitter& out) {
    CloseOpenBlock(state, out);
    const uint32_t block = state.next_block++;
    Event& start = out.Emit(EventKind::kBlockStart, state.index, block);
    start.name = type;
    start.text = raw;
    if (!signature->empty()) {
      out.EmitText(EventKind::kReasoning, state.index, block, *signature,
                   static_cast<uint8_t>(ReasoningPart::kSignature));
      *signature = {};
    }
    return block;
  }

  void OnWholePart(ChoiceState& state, std::string_view type, std::string_view raw,
                   std::string_view* signature, Emitter& out) {
    const uint32_t block = WholeBlock(state, type, raw, signature, out);
    out.Emit(EventKind::kBlockEnd, state.index, block).name = type;
  }

  // Code the model ran itself: a server-side tool call whose arguments are {language, code}.
  void OnExecutableCode(ChoiceState& state, std::string_view raw, std::string_view* signature,
                        Emitter& out) {
    std::string_view id, key;
    Reader reader(raw, out.arena());
    if (reader.BeginObject()) {
      while (reader.NextField(&key)) {
        if (!(key == "id" ? ReadString(reader, &id) : reader.Skip())) break;
      }
    }
    const uint32_t block = WholeBlock(state, "executableCode", {}, signature, out);
    Event& call = out.Emit(EventKind::kToolCallStart, state.index, block);
    call.id = id;
    call.name = "code_execution";
    call.part = static_cast<uint8_t>(ToolKind::kServer);
    out.EmitToolCallEnd(state.index, block, id, "code_execution", raw);
    out.Emit(EventKind::kBlockEnd, state.index, block).name = "executableCode";
  }

  // --- function calls --------------------------------------------------------------------------

  static bool ReadFunctionCall(std::string_view raw, json::Arena* arena, FunctionCall* call) {
    Reader reader(raw, arena);
    if (!reader.BeginObject()) return false;
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok = true;
      if (key == "id") {
        ok = ReadString(reader, &call->id);
      } else if (key == "name") {
        ok = ReadString(reader, &call->name);
      } else if (key == "args") {
        ok = reader.GetNull() || reader.SkipRaw(&call->args);
      } else if (key == "partialArgs") {
        ok = reader.GetNull() || reader.SkipRaw(&call->partial_args);
      } else if (key == "willContinue") {
        call->has_will_continue = reader.GetBool(&call->will_continue);
        ok = call->has_will_continue || reader.Skip();
      } else {
        ok = reader.Skip();
      }
      if (!ok) return false;
    }
    return !reader.failed();
  }

  // Three shapes (wire-formats.md): a whole call {name, args, id?}; a streamed call that starts
  // with {name, willContinue: true}, goes on with {partialArgs: [...], willContinue: true} parts
  // and ends with a part that does not continue (an empty {} in Vertex streams); and, in the
  // Gemini API, a call without arguments {name}.
  void OnFunctionCall(ChoiceState& state, std::string_view raw, std::string_view* signature,
                      Emitter& out) {
    FunctionCall call;
    if (!ReadFunctionCall(raw, out.arena(), &call)) return;  // not an object: no call
    const bool streams = !call.partial_args.empty() || call.will_continue;
    if (!call.name.empty() && streams) {
      StartStreamedCall(state, call.id, call.name, signature, out);
    } else if (!call.name.empty() || !call.args.empty()) {
      WholeCall(state, call, signature, out);
      return;
    } else if (!streams) {  // {} (or only willContinue: false): the streamed call is complete
      if (state.open == OpenKind::kCall) CloseOpenBlock(state, out);
      return;
    } else if (state.open != OpenKind::kCall) {
      // Arguments without a started call (a gateway dropped the part with the name): keep them.
      out.EmitWarning("bad_event: functionCall arguments without a started call");
      StartStreamedCall(state, call.id, {}, signature, out);
    }
    bool more = call.will_continue;
    if (!call.partial_args.empty()) more = AddPartialArgs(state, call.partial_args, out) || more;
    if (!more) CloseOpenBlock(state, out);
  }

  void WholeCall(ChoiceState& state, const FunctionCall& call, std::string_view* signature,
                 Emitter& out) {
    const uint32_t block = WholeBlock(state, "functionCall", {}, signature, out);
    Event& start = out.Emit(EventKind::kToolCallStart, state.index, block);
    start.id = call.id;
    start.name = call.name;
    start.part = static_cast<uint8_t>(ToolKind::kFunction);
    out.EmitToolCallEnd(state.index, block, call.id, call.name, call.args);
    out.Emit(EventKind::kBlockEnd, state.index, block).name = "functionCall";
    state.function_calls = true;
  }

  void StartStreamedCall(ChoiceState& state, std::string_view id, std::string_view name,
                         std::string_view* signature, Emitter& out) {
    OpenBlock(state, OpenKind::kCall, "functionCall", out);
    EmitSignature(state, signature, out);
    state.call_id.assign(id);
    state.call_name.assign(name);
    state.args.Reset();
    state.function_calls = true;
    Event& start = out.Emit(EventKind::kToolCallStart, state.index, state.open_block);
    start.id = id;
    start.name = name;
    start.part = static_cast<uint8_t>(ToolKind::kFunction);
  }

  // Emits the arguments text the partialArgs[] of one part add. Returns whether one of them
  // continues (its string goes on in the next part).
  bool AddPartialArgs(ChoiceState& state, std::string_view raw, Emitter& out) {
    Reader reader(raw, out.arena());
    if (!reader.BeginArray()) return false;
    bool more = false;
    delta_.clear();
    while (reader.NextElement()) {
      if (!reader.BeginObject()) {
        if (!reader.Skip()) break;
        continue;
      }
      std::string_view key, path, value;
      auto kind = GeminiArgsBuilder::ValueKind::kLiteral;
      bool has_value = false, will_continue = false;
      while (reader.NextField(&key)) {
        bool ok = true;
        if (key == "jsonPath") {
          ok = ReadString(reader, &path);
        } else if (key == "stringValue" && reader.Peek() == ValueType::kString) {
          ok = reader.GetRawString(&value);  // escaped: it goes into JSON text as it is
          kind = GeminiArgsBuilder::ValueKind::kString;
          has_value = true;
        } else if ((key == "numberValue" && reader.Peek() == ValueType::kNumber) ||
                   (key == "boolValue" && reader.Peek() == ValueType::kBool)) {
          ok = reader.SkipRaw(&value);
          kind = GeminiArgsBuilder::ValueKind::kLiteral;
          has_value = true;
        } else if (key == "nullValue") {  // protobuf JSON writes it as null or "NULL_VALUE"
          ok = reader.Skip();
          value = "null";
          kind = GeminiArgsBuilder::ValueKind::kLiteral;
          has_value = true;
        } else if (key == "willContinue") {
          ok = reader.GetBool(&will_continue) || reader.Skip();
        } else {
          ok = reader.Skip();
        }
        if (!ok) break;
      }
      if (reader.failed()) break;
      if (!has_value) continue;
      if (!state.args.Add(path, kind, value, will_continue, &delta_)) {
        out.EmitWarning("bad_event: partialArgs jsonPath \"" + std::string(path.substr(0, 80)) +
                        "\" ignored");
        continue;
      }
      more = more || will_continue;
    }
    if (!delta_.empty()) {
      out.EmitText(EventKind::kToolCallDelta, state.index, state.open_block, out.Copy(delta_));
    }
    return more;
  }

  void CloseOpenBlock(ChoiceState& state, Emitter& out) {
    switch (state.open) {
      case OpenKind::kNone:
        return;
      case OpenKind::kText:
      case OpenKind::kThought:
        out.Emit(EventKind::kBlockEnd, state.index, state.open_block).name =
            state.open == OpenKind::kText ? "text" : "thought";
        break;
      case OpenKind::kCall:
        delta_.clear();
        state.args.Close(&delta_);
        if (!delta_.empty()) {
          out.EmitText(EventKind::kToolCallDelta, state.index, state.open_block, out.Copy(delta_));
        }
        out.EmitToolCallEnd(state.index, state.open_block, state.call_id, state.call_name);
        out.Emit(EventKind::kBlockEnd, state.index, state.open_block).name = "functionCall";
        break;
    }
    state.open = OpenKind::kNone;
  }

  // --- the end of a candidate, usage, errors ---------------------------------------------------

  void Finish(ChoiceState& state, std::string_view raw, Emitter& out) {
    CloseOpenBlock(state, out);
    if (raw != state.finish_reason) {  // repeated on later chunks: said once
      state.finish_reason.assign(raw);
      Event& finish = out.Emit(EventKind::kFinish, state.index);
      finish.text = NormalizeFinishReason(raw, state.function_calls);
      finish.id = raw;
    }
    if (!state.finished) {
      state.finished = true;
      finished_any_ = true;
      --unfinished_;
    }
  }

  // Every chunk repeats the usage so far; the last one wins, even when it is smaller (the prompt
  // count of the first chunk can be an estimate).
  void OnUsage(std::string_view raw, Emitter& out) {
    if (raw == last_usage_) return;
    last_usage_.assign(raw);
    metadata_.Update("usageMetadata", raw, MetadataFormat::kJson, out);
    Usage usage;
    if (ReadGeminiUsage(raw, out.arena(), &usage)) out.EmitUsage(usage);
  }

  // A blocked prompt gets no candidates: the stream ends here, with content_filter as choice 0's
  // finish and as the error (nothing was generated, and the same prompt would be blocked again).
  void OnPromptFeedback(std::string_view raw, Emitter& out) {
    metadata_.Update("promptFeedback", raw, MetadataFormat::kJson, out);
    std::string_view key, reason, message;
    Reader reader(raw, out.arena());
    if (!reader.BeginObject()) return;
    while (reader.NextField(&key)) {
      const bool ok = key == "blockReason"          ? ReadString(reader, &reason)
                      : key == "blockReasonMessage" ? ReadString(reader, &message)
                                                    : reader.Skip();
      if (!ok) return;
    }
    if (!IsBlockReason(reason)) return;
    ChoiceState& state = StateOf(0);
    CloseOpenBlock(state, out);
    Event& finish = out.Emit(EventKind::kFinish, 0);
    finish.text = "content_filter";
    finish.id = reason;
    Error error;
    error.code = ErrorCode::kContentFilter;
    error.provider_type.assign(reason);
    error.message = "the prompt was blocked (" + std::string(reason) + ")";
    if (!message.empty()) error.message.append(": ").append(message.substr(0, 300));
    failed_ = true;
    out.EmitError(std::move(error));
  }

  // {"error": {"code": 500, "message": "...", "status": "INTERNAL", "details": [...]}}, the
  // google.rpc.Status a stream ends with when it fails after the 200.
  void OnError(std::string_view raw, Emitter& out) {
    failed_ = true;
    Error error;
    error.code = ErrorCode::kProviderError;
    Reader reader(raw, out.arena());
    std::string_view key, message, status;
    int64_t code = 0;
    if (reader.Peek() == ValueType::kString) {
      reader.GetString(&message);
    } else if (reader.BeginObject()) {
      while (reader.NextField(&key)) {
        bool ok = true;
        if (key == "message") {
          ok = ReadString(reader, &message);
        } else if (key == "status") {
          ok = ReadString(reader, &status);
        } else if (key == "code") {
          ok = reader.GetInt(&code) || reader.Skip();
        } else {
          ok = reader.Skip();
        }
        if (!ok) break;
      }
    }
    error.message.assign(message.empty() ? raw.substr(0, 200) : message);
    error.provider_type.assign(status);
    if (code >= 100 && code <= 599) error.http_status = static_cast<int>(code);
    out.EmitMetadata("error", raw, MetadataFormat::kJson);
    out.EmitError(std::move(error));
  }

  std::vector<ChoiceState> choices_;
  FlatIndex choice_index_;  // choices_ by candidate index
  size_t last_choice_ = SIZE_MAX;
  uint32_t unfinished_ = 0;  // candidates seen without their finishReason yet
  bool finished_any_ = false;
  providers::DeltaTemplate template_;  // the chunk-template shortcut
  bool failed_ = false;                // an error (or a blocked prompt) ended the stream
  MetadataTracker metadata_;
  std::vector<Field> fields_;  // the chunk's other top-level fields (reused)
  std::string last_usage_;
  std::string delta_;    // builds streamed-argument deltas
  std::string scratch_;  // builds prefixed metadata keys
};

}  // namespace

std::unique_ptr<Dialect> MakeGeminiDialect() { return std::make_unique<GeminiDialect>(); }

}  // namespace llmstream
