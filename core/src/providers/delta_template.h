// DeltaTemplate: the chunk-template shortcut (json/chunk_template.h) for the dialects whose
// payloads are, token after token, one text / reasoning / arguments delta in an otherwise
// unchanged payload: Gemini, Cohere, Bedrock ConverseStream, Ollama.
//
// The dialect parses a payload fully and tells the template where the delta's string is and
// which strings may differ from payload to payload without changing what the payload does (a
// timestamp kept only the first time, Bedrock's padding). When that parse emitted exactly the
// one delta, the payload becomes the template; a later payload with the same event type and id,
// byte-identical outside those strings (and whose strings are valid JSON string bodies) then
// emits the same delta with its own text, unparsed. The full parse of such a payload would do
// exactly that: everything else in it is what the template's parse saw, and the dialect notes a
// delta only where a second identical payload changes no state but the delta (the dialect's
// duty; tests run every recording with the shortcut on and off).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "json/chunk_template.h"
#include "llmstream/event.h"
#include "llmstream/sse_parser.h"
#include "providers/dialect.h"
#include "stream/emitter.h"

namespace llmstream::providers {

class DeltaTemplate {
 public:
  void set_enabled(bool enabled) {
    enabled_ = enabled;
    if (!enabled) template_.Clear();
  }

  // When `event` matches the template: emits its delta and returns true. Else forgets the
  // template (the payload is about to be parsed, and may become the next one).
  bool Replay(const SseEvent& event, Emitter& out);
  // Replay's test on raw framer input (Dialect::MatchPayload): the length of a payload at the
  // start of `rest`, to be delivered as `type` and `id`, that Replay would accept (0: none; the
  // template is kept, the framer then delivers the payload to OnEvent). ReplayMatched emits it.
  // `same_names`: `type` and `id` are those of the previous call (Dialect::MatchPayload).
  size_t MatchPrefix(std::string_view type, std::string_view id, std::string_view rest,
                     Emitter& out, bool same_names);
  void ReplayMatched(Emitter& out) {
    if (!matched_.empty()) out.Push(delta_).text = matched_;
  }

  // Around the full parse of `event`: Begin before, End after (with the same emitter).
  void Begin(const SseEvent& event, const Emitter& out);
  // The escaped body (between the quotes) of the string whose value the delta emitted, or that
  // value when it is a view into the payload (a string without escapes). A value elsewhere (an
  // unescaped copy) or a second call makes the payload no template.
  void NoteDelta(std::string_view raw);
  // The body of a string whose value may differ without changing the payload's effect: a view
  // into the payload (else the payload is no template).
  void NoteIgnored(std::string_view raw);
  void End(Emitter& out);

 private:
  json::ChunkTemplate::Hole HoleOf(std::string_view raw) const;

  bool enabled_ = true;
  json::ChunkTemplate template_;
  std::string type_, id_;     // the template's event type and id
  Event delta_;               // the delta's kind, choice, block and part (no text, id or name)
  std::string_view matched_;  // MatchPrefix's value
  // The last MatchPrefix found its type and id equal to type_ and id_, which have not changed
  // since: a call with the same names need not compare them (~35 instructions a Bedrock token).
  bool names_checked_ = false;

  // The parse under way.
  std::string_view data_;
  size_t first_ = 0;
  int deltas_ = 0;
  json::ChunkTemplate::Hole delta_hole_;
  std::vector<json::ChunkTemplate::Hole> holes_;
};

// A dialect whose payloads go through a DeltaTemplate: OnEvent replays the repeats and hands the
// others to Read, between Begin and End. Read notes the deltas and ignored strings on template_.
class TemplatedDialect : public Dialect {
 public:
  void OnEvent(const SseEvent& event, Emitter& out) final {
    if (ended()) return;
    if (template_.Replay(event, out)) return;
    template_.Begin(event, out);
    Read(event, out);
    template_.End(out);
  }
  void set_fast_path(bool enabled) final { template_.set_enabled(enabled); }
  size_t MatchPayload(std::string_view type, std::string_view id, std::string_view rest,
                      Emitter& out, bool same_names) final {
    return ended() ? 0 : template_.MatchPrefix(type, id, rest, out, same_names);
  }
  void ReplayTemplate(Emitter& out) final { template_.ReplayMatched(out); }

 protected:
  // True once nothing more counts (an error ended the stream).
  virtual bool ended() const = 0;
  // One payload, parsed.
  virtual void Read(const SseEvent& event, Emitter& out) = 0;

  DeltaTemplate template_;
};

}  // namespace llmstream::providers
