// Ollama's native API (wire-formats.md, "Ollama"): /api/chat and /api/generate stream one JSON
// object per line (NDJSON framing). A chat line carries `message` {role, content, thinking,
// tool_calls}; a generate line carries `response` and `thinking` (and `tool_calls`) at the top
// level. Both endpoints' fields are read on either API, so a server that mixes them loses nothing.
// The last line has `done: true`, `done_reason` and the counters and durations; a line with
// `error` is a failure. Ollama sends tool calls whole, their arguments as a JSON object.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json/escape.h"
#include "json/reader.h"
#include "providers/delta_template.h"
#include "providers/field_reading.h"
#include "providers/metadata_tracker.h"
#include "providers/more_dialects.h"

namespace llmstream {
namespace {

using json::Reader;

class OllamaDialect final : public Dialect {
 public:
  void OnEvent(const SseEvent& event, Emitter& out) override {
    if (done_) {
      out.EmitWarning("data after the done line ignored");
      return;
    }
    // Thinking and text lines differ only in created_at and the delta.
    if (template_.Replay(event, out)) return;
    if (providers::TrimJsonSpace(event.data).empty()) return;
    template_.Begin(event, out);
    line_ = event.data;
    ParseLine(out);
    template_.End(out);
  }

  // Ollama sends calls whole and ends them at once: nothing is left open.
  void OnEnd(Emitter& /*out*/) override {}

  // Only the `done: true` line ends an answer (the ollama-js client, too, throws when the body
  // ends without it).
  bool terminal() const override { return done_; }

  void set_fast_path(bool enabled) override { template_.set_enabled(enabled); }

 private:
  // What one line says besides its deltas, acted on once the whole line was read.
  struct Line {
    bool done = false;
    std::string_view done_reason;
    std::string_view error;  // the message, or the raw error value when it is not a string
    bool has_counts = false;
    int64_t prompt_eval_count = 0, eval_count = 0;
  };

  void ParseLine(Emitter& out) {
    Reader reader(line_, out.arena());
    if (!reader.BeginObject()) {
      providers::EmitBadJson("line", line_, out);
      return;
    }
    Line line;
    std::string_view key;
    bool ok = true;
    while (ok && reader.NextField(&key)) {
      if (key == "message") {
        ok = ParseMessage(reader, out);
      } else if (key == "response" || key == "thinking") {  // /api/generate
        ok = ReadText(reader, key == "response" ? EventKind::kText : EventKind::kReasoning, out);
      } else if (key == "tool_calls") {
        ok = ParseToolCalls(reader, out);
      } else if (key == "done") {
        ok = reader.GetBool(&line.done) || reader.Skip();
      } else if (key == "done_reason") {
        ok = providers::ReadString(reader, &line.done_reason);
      } else if (key == "error") {
        ok = reader.GetString(&line.error) || reader.SkipRaw(&line.error);
      } else if (key == "prompt_eval_count" || key == "eval_count") {
        line.has_counts = true;
        ok = providers::ReadInt(reader,
                                key == "eval_count" ? &line.eval_count : &line.prompt_eval_count);
      } else if (key == "created_at") {
        ok = ReadCreatedAt(reader, out);
      } else {
        // model, durations (ns), `context`, `logprobs`, remote_model / remote_host, anything new.
        ok = providers::PassThroughField(reader, key, {}, 0, metadata_, out, &scratch_);
      }
    }
    if (!ok || !reader.Finish()) {
      providers::EmitBadJson("line", line_, out);
      return;
    }
    if (!line.error.empty()) {
      Error error;
      error.code = ErrorCode::kProviderError;
      error.message.assign(line.error);
      out.EmitMetadata("error", line_, MetadataFormat::kJson);
      out.EmitError(std::move(error));
      return;
    }
    if (line.done) End(line, out);
  }

  bool ParseMessage(Reader& reader, Emitter& out) {
    if (reader.GetNull()) return true;
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key;
    while (reader.NextField(&key)) {
      bool ok;
      if (key == "content" || key == "thinking") {
        ok = ReadText(reader, key == "content" ? EventKind::kText : EventKind::kReasoning, out);
      } else if (key == "tool_calls") {
        ok = ParseToolCalls(reader, out);
      } else if (key == "role") {
        std::string_view role;
        ok = providers::ReadString(reader, &role);
        if (!role_seen_ && !role.empty()) {
          role_seen_ = true;
          out.EmitMetadata("role", role, MetadataFormat::kString);
        }
      } else {
        ok = providers::PassThroughField(reader, key, "message.", 0, metadata_, out, &scratch_);
      }
      if (!ok) return false;
    }
    return !reader.failed();
  }

  // A text or thinking delta (a string; anything else is ignored). Empty ones say nothing: the
  // thinking lines carry `content: ""`.
  bool ReadText(Reader& reader, EventKind kind, Emitter& out) {
    std::string_view raw, text;
    if (!reader.GetRawString(&raw)) return reader.Skip();
    if (!json::Unescape(raw, out.arena(), &text)) return false;
    if (text.empty()) return true;
    out.EmitText(kind, 0, 0, text);
    template_.NoteDelta(raw);
    return true;
  }

  // Every line has a new timestamp: the first one is kept (when the answer started), the rest
  // would be one metadata event per token.
  bool ReadCreatedAt(Reader& reader, Emitter& out) {
    std::string_view raw, value;
    if (!reader.GetRawString(&raw))
      return providers::PassThroughField(reader, "created_at", {}, 0, metadata_, out, &scratch_);
    if (!json::Unescape(raw, out.arena(), &value)) return false;
    template_.NoteIgnored(raw);
    if (!created_seen_) {
      created_seen_ = true;
      out.EmitMetadata("created_at", value, MetadataFormat::kString);
    }
    return true;
  }

  bool ParseToolCalls(Reader& reader, Emitter& out) {
    if (reader.GetNull()) return true;
    if (!reader.BeginArray()) return reader.Skip();
    while (reader.NextElement()) {
      if (!ParseToolCall(reader, out)) return false;
    }
    return !reader.failed();
  }

  // {id?, type?, function: {index?, name, arguments}}: a complete call, started and ended here.
  bool ParseToolCall(Reader& reader, Emitter& out) {
    if (!reader.BeginObject()) return reader.Skip();
    std::string_view key, id, name, arguments;
    int64_t index = -1;
    while (reader.NextField(&key)) {
      bool ok;
      if (key == "id") {
        ok = providers::ReadString(reader, &id);
      } else if (key == "function" && reader.BeginObject()) {
        while (reader.NextField(&key)) {
          if (key == "name") {
            ok = providers::ReadString(reader, &name);
          } else if (key == "index") {
            ok = providers::ReadInt(reader, &index);
          } else if (key == "arguments") {
            // An object as Ollama sends it (its Go encoder writes it compact): that text is the
            // arguments. A string (what OpenAI-style servers send) is the arguments text itself.
            ok = reader.GetNull() || reader.GetString(&arguments) || reader.SkipRaw(&arguments);
          } else {
            ok = reader.Skip();
          }
          if (!ok) return false;
        }
        ok = !reader.failed();
      } else {
        ok = reader.Skip();
      }
      if (!ok) return false;
    }
    if (reader.failed()) return false;
    // function.index counts the calls of the answer; an older server sends 0 for every call, so
    // an index already used takes the next free one instead of merging two calls.
    const uint32_t at =
        index >= next_call_ && index < UINT32_MAX ? static_cast<uint32_t>(index) : next_call_;
    next_call_ = at + 1;
    ++calls_;
    Event& start = out.Emit(EventKind::kToolCallStart, 0, at);
    start.id = id;
    start.name = name;
    start.part = static_cast<uint8_t>(ToolKind::kFunction);
    out.EmitToolCallEnd(0, at, id, name, providers::TrimJsonSpace(arguments));
    return true;
  }

  // The done line: usage from the counters, then the finish.
  void End(const Line& line, Emitter& out) {
    if (line.has_counts) {
      // The counters are omitted when 0 (Go's omitempty: a prompt read whole from the cache has
      // no prompt_eval_count), so on this line a missing one means 0.
      Usage usage;
      usage.input_tokens = line.prompt_eval_count;
      usage.output_tokens = line.eval_count;
      out.EmitUsage(usage);
    }
    // Ollama says "stop" after tool calls too; "length" at num_predict; "load" / "unload" for a
    // request that only (un)loaded the model; nothing at all from older servers.
    std::string_view reason = line.done_reason;
    if (reason.empty() || reason == "stop") reason = calls_ > 0 ? "tool_calls" : "stop";
    Event& finish = out.Emit(EventKind::kFinish);
    finish.text = reason;
    finish.id = line.done_reason;
    done_ = true;
  }

  providers::DeltaTemplate template_;  // the chunk-template shortcut
  std::string_view line_;

  bool done_ = false;
  bool role_seen_ = false;
  bool created_seen_ = false;
  uint32_t next_call_ = 0;  // the block index the next call takes at least
  uint32_t calls_ = 0;
  MetadataTracker metadata_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<Dialect> MakeOllamaDialect(WireApi /*api*/) {
  // Both endpoints' fields are read whichever was called: one dialect.
  return std::make_unique<OllamaDialect>();
}

}  // namespace llmstream
