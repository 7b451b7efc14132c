// The one decoder of relay events (docs/relay-protocol.md): an SSE event of a relay stream in,
// the core's Events out, through an Emitter. RelayDecoder (llmstream/relay.h) drives it with its
// own SSE parser; the relay dialect (relay_dialect.h) runs it inside a Stream, so a relayed
// stream goes through the same Session, limits and assembly as a direct one.
#pragma once

#include <string>
#include <string_view>

#include "llmstream/sse_parser.h"
#include "relay/relay_cursor.h"
#include "stream/emitter.h"

namespace llmstream {

// A relay's refusal body, {"error": {code, message, retryable, retryAfterMs?, status?}}, read
// into `error`; false when the body is not one.
bool ReadRelayErrorBody(std::string_view body, Error* error);

class RelayReader {
 public:
  RelayReader() = default;
  explicit RelayReader(RelayCursor cursor) : cursor_(std::move(cursor)) {}

  // One dispatched SSE event: checks its id (the next one, across every connection of the
  // stream: a gap or a duplicate breaks the protocol) and `start`, then emits its chunk's events.
  // A violation emits a kError (cursor().end kBroken); a terminal event sets cursor().end. Once
  // ended, events are ignored.
  void OnEvent(const SseEvent& event, Emitter& out);
  // Ends the stream with a protocol violation (a kError of `code`).
  void Break(ErrorCode code, std::string message, Emitter& out);

  RelayCursor& cursor() { return cursor_; }
  const RelayCursor& cursor() const { return cursor_; }

 private:
  void DecodeStart(std::string_view data, Emitter& out);
  void DecodeChunk(std::string_view type, std::string_view data, Emitter& out);

  RelayCursor cursor_;
};

}  // namespace llmstream
