// MakeFramer for the web core module: SSE only (no framer object; Stream's SSE parser reads the
// body). The other framings (NDJSON, AWS event-stream, JSON array: core/src/framing/) are left
// out of the module's download until a provider it serves needs them; a Stream asked for one
// here ends with kInvalidRequest instead of reading the body as SSE.
#include "framing/framer.h"

namespace llmstream::framing {

std::unique_ptr<Framer> MakeFramer(Framing /*framing*/, SseSink* /*sink*/,
                                   FramingLimits /*limits*/) {
  return nullptr;
}

}  // namespace llmstream::framing
