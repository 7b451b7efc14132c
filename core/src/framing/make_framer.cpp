// MakeFramer with every framing, in a file of its own: the web core module links a version that
// has only SSE (platform/wasm/sse_only.cpp) until a dialect there needs another framing,
// so the framers cost its download nothing before then.
#include "framing/event_stream_framer.h"
#include "framing/framer.h"
#include "framing/json_array_framer.h"
#include "framing/ndjson_framer.h"

namespace llmstream::framing {

std::unique_ptr<Framer> MakeFramer(Framing framing, SseSink* sink, FramingLimits limits) {
  switch (framing) {
    case Framing::kNdjson:
      return std::make_unique<NdjsonFramer>(sink, limits);
    case Framing::kAwsEventStream:
      return std::make_unique<EventStreamFramer>(sink, limits);
    case Framing::kJsonArray:
      return std::make_unique<JsonArrayFramer>(sink, limits);
    case Framing::kSse:
      break;
  }
  return nullptr;
}

}  // namespace llmstream::framing
