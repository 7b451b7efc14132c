// What FramingFor (llmstream/framing.h) reads of a Content-Type, and the part of its rule for the
// framings other than SSE, in a file of its own (more_framing_for.cpp): the web core module links
// a version that accepts none (platform/wasm/sse_only.cpp), as it lacks those framers.
#pragma once

#include <optional>
#include <string_view>

#include "llmstream/framing.h"

namespace llmstream::framing {

// ASCII case-insensitive equality with `lower`, which is lower case.
bool SameMediaType(std::string_view type, std::string_view lower);

// The framing `api` reads a body of media type `type` (parameters already removed) with, when it
// is not the API's own type (FramingFor tests that first): Gemini's application/json as a JSON
// array, Ollama's other NDJSON spellings. nullopt otherwise.
std::optional<Framing> OtherFramingFor(WireApi api, std::string_view type);

}  // namespace llmstream::framing
