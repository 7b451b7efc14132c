// A Dialect turns one provider's SSE events into normalized Events. One instance per stream;
// it keeps only the state that one stream needs (open tool calls, block types, ids seen).
#pragma once

#include <memory>

#include "llmstream/request.h"
#include "llmstream/sse_parser.h"
#include "stream/emitter.h"

namespace llmstream {

class Dialect {
 public:
  virtual ~Dialect() = default;

  // One dispatched SSE event. `event.data` stays valid until the current Feed returns, so views
  // into it may be emitted as they are.
  virtual void OnEvent(const SseEvent& event, Emitter& out) = 0;

  // The body ended (normally or not): close whatever the provider left open (tool calls whose
  // end was implied) so the result is complete as far as it goes.
  virtual void OnEnd(Emitter& out) = 0;

  // The provider's normal terminal signal arrived ([DONE], message_stop, response.completed).
  virtual bool terminal() const = 0;

  // Dialects that memoize chunk shapes (json/chunk_template.h) switch the shortcut off here, so
  // tests can prove it changes nothing.
  virtual void set_fast_path(bool enabled) {}
};

std::unique_ptr<Dialect> MakeDialect(WireApi api, Provider provider);

}  // namespace llmstream
