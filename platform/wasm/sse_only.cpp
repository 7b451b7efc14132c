// MakeFramer, OtherFramingFor and MakeMoreDialect for the web core module: SSE and the Chat
// Completions and Anthropic Messages dialects only. The other framings (NDJSON, AWS event-stream,
// JSON array: core/src/framing/), the providers with a wire API of their own (Gemini, Bedrock,
// Ollama, Cohere) and OpenAI's Responses API (core/src/providers/more_dialects.h) are left out of
// the module's download (the npm package loads the full core module for them); a Stream asked
// for one here ends with kInvalidRequest instead of reading the body as something else.
#include "framing/framer.h"
#include "framing/media_type.h"
#include "providers/more_dialects.h"
#include "relay/relay_completion.h"
#include "relay/relay_dialect.h"
#include "relay/relay_requests.h"

namespace llmstream {

namespace framing {

std::unique_ptr<Framer> MakeFramer(Framing /*framing*/, SseSink* /*sink*/,
                                   FramingLimits /*limits*/) {
  return nullptr;
}

// Only each API's own type, which FramingFor accepts before it asks here: no JSON array for
// Gemini's application/json, no other NDJSON spellings (the module reads neither).
std::optional<Framing> OtherFramingFor(WireApi /*api*/, std::string_view /*type*/) {
  return std::nullopt;
}

}  // namespace framing

bool MoreDialectsBuiltIn() { return false; }

std::unique_ptr<Dialect> MakeMoreDialect(WireApi /*api*/, Provider /*provider*/) { return nullptr; }

// A page reads a relay with the npm package's own client (npm/src/relay/client.js): no relay
// stream here (BuildRequest refuses provider kRelay: sse_only_requests.cpp), so nothing calls
// these.
std::unique_ptr<Dialect> MakeRelayDialect() { return nullptr; }

namespace relay_internal {

HttpRequest ResumeRequest(const ProviderConfig& /*config*/, std::string_view /*stream_id*/,
                          std::optional<uint64_t> /*last_event_id*/) {
  return {};
}
HttpRequest CancelRequest(const ProviderConfig& /*config*/, std::string_view /*stream_id*/) {
  return {};
}
bool OverlayCompletionFacts(std::string_view /*json*/, Completion* /*completion*/) { return false; }
Error RefusalError(int /*status*/, const HeaderList& /*headers*/, std::string_view /*body*/,
                   std::optional<int64_t> /*unix_now*/) {
  return {};
}

}  // namespace relay_internal

}  // namespace llmstream
