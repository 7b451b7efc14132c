// Knobs of a Stream that only the core itself uses, kept out of the public StreamOptions.
#pragma once

#include "llmstream/stream.h"
#include "relay/relay_cursor.h"

namespace llmstream::stream_internal {

struct Access {
  // Off: result() is built without the per-token deltas (Assembler::ApplyWithoutDeltas): no text,
  // reasoning, refusal or streamed tool-call arguments, everything else as usual. For a Session,
  // which assembles the events it delivers itself: assembling them twice cost ~20 ns a token.
  // Set before the first Feed; Reset keeps it.
  static void SetAssembleDeltas(Stream& stream, bool on);
  // Provider kRelay: where the relay stream stands (nullptr for other APIs).
  static RelayCursor* Relay(const Stream& stream);
  // Provider kRelay: the body that was cut is over; the next Feed reads a resume's body, which
  // goes on with the same events (no `start`, the ids after the last one): only the SSE parser
  // starts afresh, the reader and the assembled result go on.
  static void ResumeBody(Stream& stream);
};

}  // namespace llmstream::stream_internal
