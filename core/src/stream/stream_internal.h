// Knobs of a Stream that only the core itself uses, kept out of the public StreamOptions.
#pragma once

#include "llmstream/stream.h"

namespace llmstream::stream_internal {

struct Access {
  // Off: result() is built without the per-token deltas (Assembler::ApplyWithoutDeltas): no text,
  // reasoning, refusal or streamed tool-call arguments, everything else as usual. For a Session,
  // which assembles the events it delivers itself: assembling them twice cost ~20 ns a token.
  // Set before the first Feed; Reset keeps it.
  static void SetAssembleDeltas(Stream& stream, bool on);
};

}  // namespace llmstream::stream_internal
