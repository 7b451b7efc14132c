// What a plain body file given to --replay holds, from its name alone: the dialect its name
// starts with ("gemini-*", "bedrock-*" ...) and the framing its extension stands for (the
// Content-Type a live response would have carried). A recording needs neither: it names its API
// and keeps its response headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "llmstream/framing.h"
#include "llmstream/request.h"

namespace llmstream::cli {

struct GuessedDialect {
  Provider provider = Provider::kCompatible;
  WireApi api = WireApi::kChatCompletions;
};

// The dialect of a fixture named like the shared ones (`path`'s last component): anthropic-,
// openai-responses-, openai-, groq-, openrouter- as always; gemini- (Gemini generateContent),
// bedrock- (ConverseStream), ollama- (/api/chat; ollama-generate-: /api/generate), cohere- (v2
// chat), and mistral-, deepseek- (their Chat Completions). A provider the core does not know
// by that name yet is read as kCompatible. nullopt: the name names no dialect.
std::optional<GuessedDialect> GuessDialect(std::string_view path);

// The name prefixes GuessDialect knows, for the message that asks for --provider / --api.
std::string KnownDialectPrefixes();

// The Content-Type a body file's extension stands for: .sse text/event-stream, .json
// application/json, .ndjson and .jsonl application/x-ndjson, .eventstream
// application/vnd.amazon.eventstream; nullopt for any other (read as the API's own framing,
// FramingFor's rule for a response without one).
std::optional<std::string_view> ContentTypeOfFile(std::string_view path);

}  // namespace llmstream::cli
