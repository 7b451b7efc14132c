// Private helpers shared by the request builders (one file per wire API) and the HTTP error
// classifier. nlohmann::json stays behind this private header; public headers never see it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/conversation.h"
#include "llmstream/error.h"
#include "llmstream/request.h"

namespace llmstream::request_internal {

// Insertion-ordered so that bodies read naturally in logs ("model" first).
using Json = nlohmann::ordered_json;

inline char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

inline std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

// Sets a kInvalidRequest error (when `error` is not null) and returns false, so that builders can
// `return Invalid(error, "...")`.
bool Invalid(Error* error, std::string message);

// A number as JSON writes it (0.7, 1, 1e-05), for error messages.
std::string FormatNumber(double value);

// Parses without exceptions (em++ builds have them off). False on any syntax error.
bool ParseJson(std::string_view text, Json* out);

// ParseJson for text from outside (an upstream's error body, the wasm module's options). Json
// finds a key by a linear search, so an object of n keys costs n^2 to build (7k keys: seconds
// under ASan). The keys of every object are counted first, so a document with an object of more
// than max_object_keys keys, or containers nested more than kMaxUntrustedDepth deep, is refused
// before it is built; what is built costs at most max_object_keys / 2 key comparisons per key.
enum class UntrustedJson : uint8_t { kOk, kNotJson, kTooManyKeys, kTooDeep };
inline constexpr size_t kMaxUntrustedDepth = 512;
UntrustedJson ParseUntrustedJson(std::string_view text, size_t max_object_keys, Json* out);

// The cap for error bodies, whose objects hold a few keys (message, type, code, param, metadata).
// The Session parses a body of up to 64 KiB twice per attempt: at 256 that stays well within the
// fuzzers' per-input time (docs/testing.md, Fuzzing). A larger object is shown as text.
inline constexpr size_t kMaxErrorBodyObjectKeys = 256;

// Serializes; invalid UTF-8 in caller strings is replaced rather than thrown on.
std::string Dump(const Json& value);

// The body of one wire API. The request was validated by BuildRequest (model, message roles,
// tool JSON, ranges); these check only what is specific to their API.
bool BuildChatBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                   Error* error);
// An assistant turn's tool calls as OpenAI's `tool_calls` array ({id, type: "function",
// function: {name, arguments}}; empty arguments sent as "{}"): Chat Completions and Cohere v2.
Json ToolCallsJson(const std::vector<ToolCallRequest>& tool_calls);

bool BuildResponsesBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                        Error* error);
bool BuildAnthropicBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                        Error* error);

// The APIs the web module cannot read either (their files, gemini_body.cpp, ollama_body.cpp and
// cohere_body.cpp, are left out of it; platform/wasm/sse_only.cpp refuses them there).
bool BuildGeminiBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                     Error* error);
// `api` is kOllamaChat or kOllamaGenerate.
bool BuildOllamaBody(const ProviderConfig& config, WireApi api, const CompletionRequest& request,
                     Json* body, Error* error);
bool BuildCohereBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                     Error* error);
// The body of a relay (docs/relay-protocol.md): the npm package's request fields (relay_body.cpp,
// left out of the web core module, which reads no relay).
bool BuildRelayBody(const CompletionRequest& request, Json* body, Error* error);
// "/models/{model}:streamGenerateContent?alt=sse", or "/{model}:..." for a model given with its
// collection ("tunedModels/x"), as the Gemini SDKs accept both; alt=sse asks for SSE rather than
// one streamed JSON array.
std::string GeminiPath(const std::string& model);

// What a google.rpc.Status error object (Gemini: {"error": {"code", "message", "status",
// "details"}}) says beyond its message: the status name ("RESOURCE_EXHAUSTED"), ErrorInfo's
// reason ("API_KEY_INVALID", which Gemini sends with a 400) and RetryInfo's retryDelay ("17s", a
// protobuf Duration). In gemini_errors.cpp; the web build, which sends no Gemini request, reads
// nothing.
// `status` is set only when empty; the others when the details carry them.
void ReadGoogleStatus(const Json& error, std::string* status, std::string* reason,
                      std::optional<int64_t>* retry_delay_ms);
// Gemini's JSON-array stream answers an error as a one-element array: its element.
void UnwrapGoogleErrorArray(Json* body);

// The parts of assistant turn `m` to send with `config`, in order. A turn with parts
// (AssistantMessage) gives them, minus what only its origin reads when `config` talks to another
// provider or wire API (reasoning, redacted reasoning, provider blocks, signatures). A
// hand-written turn gives its `content` as one text part (none when empty) and its `tool_calls`.
// `content_json` is not looked at: writers that honour it check it first.
std::vector<MessagePart> TurnParts(const Message& m, const ProviderConfig& config);

// Where parts[j] of TurnParts(messages[index]) is, for errors: "messages[i].parts[j]", or
// "messages[i].tool_calls[k]" for a call of a hand-written turn (which has no parts).
std::string PartPath(const Message& m, size_t index, const std::vector<MessagePart>& parts,
                     size_t j);

// Whether parts of `m` may carry what only its origin reads back (signatures, encrypted
// reasoning) to `config`: a hand-written turn, or one `config`'s provider and API produced.
bool SameOrigin(const Message& m, const ProviderConfig& config);

// Whether assistant turn `m` is written from TurnParts: it has parts, or no content_json (the
// escape hatch, sent as it is by the writers that honour it).
inline bool WritesParts(const Message& m) { return !m.parts.empty() || m.content_json.empty(); }

// Whether a tool call id was made by AssistantMessage for a call the stream named none for: such
// ids are bookkeeping, never sent to the provider.
inline bool IsLocalToolCallId(std::string_view id) {
  return id.starts_with(kLocalToolCallIdPrefix);
}

// A call's arguments as the JSON object Anthropic, Gemini and Ollama take ("" is {}); when they
// are not an object, false with kInvalidRequest: "<where>.arguments must be a JSON object for
// <for_what>" (`where` names the call: messages[i].tool_calls[j] or a part's path).
bool ArgumentsObject(const ToolCallRequest& call, const std::string& where,
                     std::string_view for_what, Json* out, Error* error);

// The name of the tool call a role "tool" message answers (messages[index].tool_call_id), looked
// up among the assistant turns before it: APIs that match results by name (Gemini, Ollama) need
// it. Null when no earlier call has that id.
inline const std::string* ToolNameForResult(const CompletionRequest& request, size_t index) {
  const std::string& id = request.messages[index].tool_call_id;
  for (size_t i = index; i-- > 0;) {
    for (const ToolCallRequest& call : request.messages[i].tool_calls) {
      if (call.id == id) return &call.name;
    }
    for (const MessagePart& part : request.messages[i].parts) {
      if (part.kind == PartKind::kToolCall && part.tool_call.id == id) return &part.tool_call.name;
    }
  }
  return nullptr;
}

// Refuses (kInvalidRequest) a base URL without an http(s) scheme or a host; the URL is redacted in
// the message.
bool CheckBaseUrl(std::string_view base, Error* error);

// Whether config.headers carry an auth header themselves (kAuthHeaderNames, any case).
bool HasAuthHeader(const ProviderConfig& config);

// A model or deployment name as one URL path segment: unreserved characters (and ':' '@', and
// '/' when keep_slash) as they are, any other byte percent-encoded.
std::string EscapePathSegment(std::string_view segment, bool keep_slash);

// A tool's parameters_json as a JSON object ({"type":"object","properties":{}} when empty).
// BuildRequest has already checked that it parses.
Json ToolParameters(const ToolDefinition& tool);

// A message's content: content_json parsed when set, else the plain string.
Json MessageContent(const Message& message);

// JSON output (response_format.cpp). Checks what every API shares (a schema that is a JSON
// object, a valid name) and what `api` / the provider cannot take: kJsonObject on Anthropic
// Messages and Bedrock (a schema only), kJsonSchema on DeepSeek (json_object only).
bool ValidateResponseFormat(const ProviderConfig& config, WireApi api,
                            const CompletionRequest& request, Error* error);
// The schema object of a kJsonSchema format (checked by ValidateResponseFormat).
Json ResponseSchema(const ResponseFormat& format);
// The schema's name: `name`, or "response" when empty.
std::string ResponseSchemaName(const ResponseFormat& format);

// Claude's extended thinking: the smallest budget it accepts, and the budget a request asks for
// (0 for none; an effort maps to the budgets LiteLLM uses, since Claude has no effort knob for
// most models). One mapping for the Messages API and Bedrock, so a request asks Claude the same
// on either; `vendor` names the API in the errors ("Anthropic", "Claude").
inline constexpr int kMinThinkingBudgetTokens = 1024;
bool ThinkingBudget(const CompletionRequest& request, std::string_view vendor, int* budget,
                    Error* error);
// What Claude refuses while it thinks, refused before sending with what to change: a temperature
// other than 1, a top_p outside [0.95, 1], a tool_choice that forces tool use. For requests whose
// ThinkingBudget is not 0, on the Messages API and on Bedrock alike.
bool CheckThinkingOptions(const CompletionRequest& request, std::string_view vendor, Error* error);

}  // namespace llmstream::request_internal
