// The types FramingFor accepts besides each API's own (framing/media_type.h). Left out of the web
// core module with the framers they select.
#include "framing/media_type.h"

namespace llmstream::framing {

std::optional<Framing> OtherFramingFor(WireApi api, std::string_view type) {
  // streamGenerateContent without alt=sse.
  if (api == WireApi::kGeminiGenerateContent && SameMediaType(type, "application/json")) {
    return Framing::kJsonArray;
  }
  if (DefaultFraming(api) == Framing::kNdjson &&
      (SameMediaType(type, "application/ndjson") || SameMediaType(type, "application/jsonl"))) {
    return Framing::kNdjson;
  }
  return std::nullopt;
}

}  // namespace llmstream::framing
