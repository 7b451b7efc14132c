// A Dialect turns one provider's SSE events into normalized Events. One instance per stream;
// it keeps only the state that one stream needs (open tool calls, block types, ids seen).
#pragma once

#include <memory>

#include "llmstream/request.h"
#include "llmstream/sse_parser.h"
#include "relay/relay_cursor.h"
#include "stream/emitter.h"

namespace llmstream {

class Dialect {
 public:
  virtual ~Dialect() = default;

  // One dispatched SSE event. `event.data` stays valid until the current Feed returns, so views
  // into it may be emitted as they are.
  virtual void OnEvent(const SseEvent& event, Emitter& out) = 0;

  // Whether MatchTemplate may accept anything now (a template is held and the stream goes on):
  // while it may not, Stream hands whole reads to the parser instead of one event at a time.
  virtual bool template_ready() const { return false; }
  // The chunk-template shortcut without the SSE parser (Stream reads events shaped exactly like
  // the template itself). `rest` starts with the data of an event whose type is not "error" and
  // runs to the end of the read: returns the length of a chunk there that OnEvent would replay
  // from its template (json::ChunkTemplate::MatchPrefix), and keeps its value; 0 otherwise.
  // Strings it unescapes go to out's arena. Emits nothing.
  virtual size_t MatchTemplate(std::string_view /*rest*/, Emitter& /*out*/) { return 0; }
  // Emits what OnEvent would have for the chunk MatchTemplate accepted last, once Stream has
  // seen that the event ends right after it.
  virtual void ReplayTemplate(Emitter& /*out*/) {}
  // The same shortcut for a framer (framing::PayloadShortcut): `rest` starts with a payload the
  // framer would hand to OnEvent as an event of `type` and `id` and runs to the end of the read.
  // Returns the length of a payload there that OnEvent would replay from its template
  // (json::ChunkTemplate::MatchRawPrefix) and keeps its value for ReplayTemplate; 0 otherwise.
  // `same_names`: as for framing::PayloadShortcut::MatchPayload.
  virtual size_t MatchPayload(std::string_view /*type*/, std::string_view /*id*/,
                              std::string_view /*rest*/, Emitter& /*out*/, bool /*same_names*/) {
    return 0;
  }

  // The body ended (normally or not): close whatever the provider left open (tool calls whose
  // end was implied) so the result is complete as far as it goes.
  virtual void OnEnd(Emitter& out) = 0;

  // The provider's normal terminal signal arrived ([DONE], message_stop, response.completed).
  virtual bool terminal() const = 0;

  // Dialects that memoize chunk shapes (json/chunk_template.h) switch the shortcut off here, so
  // tests can prove it changes nothing.
  virtual void set_fast_path(bool enabled) {}

  // The relay dialect's position in its stream (the Session resumes and cancels from it);
  // nullptr for every provider's own dialect.
  virtual RelayCursor* relay_cursor() { return nullptr; }
};

std::unique_ptr<Dialect> MakeDialect(WireApi api, Provider provider);

}  // namespace llmstream
