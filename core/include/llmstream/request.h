// Provider-neutral completion requests and their translation into one provider's HTTP request.
//
//   ProviderConfig config{.provider = Provider::kAnthropic, .api_key = key};
//   CompletionRequest request{.model = "claude-haiku-4-5", .prompt = "Hello"};
//   HttpRequest http;
//   Error error;
//   if (!BuildRequest(config, request, &http, &error)) { /* error.code == kInvalidRequest */ }
//   // hand `http` to a transport; log only Redacted(http) / ToLogString(http).
//
// The request side is as pure as the response side: building a request reads no environment
// variable, clock or file. Callers pick the key (env, keychain, user input) and pass it in, so
// the same code runs natively and in wasm. The wire shapes follow wire-formats.md section 5.
//
// Struct members carry `{}` initializers so that designated initializers which skip fields
// (`Message{.role = "user", .content = "hi"}`) compile without -Wmissing-field-initializers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/error.h"

namespace llmstream {

// Who serves the request. Decides the natural wire API, the default base URL and model, the auth
// header style, and the few body fields that differ between OpenAI-compatible servers
// (max_completion_tokens vs max_tokens, how reasoning options are spelled). All of it is one
// table (core/src/request/provider_table.cpp).
enum class Provider : uint8_t {
  kOpenAI = 0,
  kAnthropic = 1,
  kGroq = 2,
  kOpenRouter = 3,
  kCompatible = 4,  // any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio ...):
                    // needs ProviderConfig::base_url
  kLocal = 5,       // our local provider server (fault injection, tests, the playground):
                    // OpenAI-compatible, default base URL http://127.0.0.1:8787
  kGemini = 6,      // Google Gemini API (generateContent), x-goog-api-key
  kBedrock = 7,     // AWS Bedrock (ConverseStream): ProviderConfig::region, and aws_credentials
                    // (SigV4) or a Bedrock API key
  kOllama = 8,      // Ollama's native API (/api/chat), http://127.0.0.1:11434, no key needed
  kCohere = 9,      // Cohere v2 chat
  kMistral = 10,    // Mistral (Chat Completions)
  kDeepSeek = 11,   // DeepSeek (Chat Completions)
  kAzure = 12,      // Azure OpenAI: needs base_url (the resource endpoint); the model names the
                    // deployment; `api-key` header
  kXai = 13,        // xAI (Chat Completions)
  kRelay = 14,      // an app's relay (docs/relay-protocol.md): base_url is the relay's URL, used as
                    // it is; api_key, when set, is the app's own token for it (sent as
                    // `Authorization: Bearer`), never a provider key: the relay holds that
};

// Which wire protocol the body and the response stream use. Independent of Provider because
// several providers speak more than one (OpenAI: Chat Completions and Responses; the local server
// imitates all three).
enum class WireApi : uint8_t {
  kChatCompletions = 0,    // POST {base}/chat/completions
  kResponses = 1,          // POST {base}/responses (OpenAI Responses API)
  kAnthropicMessages = 2,  // POST {base}/messages (Anthropic Messages API)
  // The providers with a wire API of their own (wire-formats.md, one section each):
  kGeminiGenerateContent = 3,  // POST {base}/models/{model}:streamGenerateContent (Google Gemini)
  kBedrockConverse = 4,        // POST {base}/model/{model}/converse-stream (AWS Bedrock)
  kOllamaChat = 5,             // POST {base}/api/chat (Ollama's native API, NDJSON)
  kOllamaGenerate = 6,         // POST {base}/api/generate (Ollama's native API, NDJSON)
  kCohereChat = 7,             // POST {base}/v2/chat (Cohere v2)
  kRelay = 8,                  // POST {base} as it is: an app's relay (docs/relay-protocol.md)
};

// Stable lower-case names: "openai", "anthropic", "groq", "openrouter", "compatible", "local",
// "gemini", "bedrock", "ollama", "cohere", "mistral", "deepseek", "azure", "xai", "relay";
// "unknown" for a value outside the enum.
std::string_view ProviderName(Provider provider);
// Accepts the names above (any case) plus "openai-compatible" for kCompatible and "google" for
// kGemini.
std::optional<Provider> ParseProvider(std::string_view name);
// How many providers there are: the values 0 .. kProviderCount - 1 are all named, in the order
// of the provider table (the CLI lists them from it in --help and its errors).
inline constexpr uint8_t kProviderCount = 15;
// The one more name ParseProvider accepts for `provider` ("openai-compatible", "google"); "" for
// none.
std::string_view ProviderAlias(Provider provider);
// "chat_completions", "responses", "anthropic_messages", "gemini_generate_content",
// "bedrock_converse", "ollama_chat", "ollama_generate", "cohere_chat", "relay" (the one API of
// provider kRelay, whose body is the npm package's request: relay_body.cpp).
std::string_view WireApiName(WireApi api);
// The names above, their dashed spellings ("chat-completions", "bedrock-converse", ...), plus the
// short names of kWireApiShortNames. The one parser of API names: the CLI's --api and the npm
// package's `api` (which reads every spelling from the generated abi.js).
std::optional<WireApi> ParseWireApi(std::string_view name);
struct WireApiShortName {
  std::string_view name;
  WireApi api;
};
inline constexpr std::array<WireApiShortName, 2> kWireApiShortNames = {
    {{"chat", WireApi::kChatCompletions}, {"messages", WireApi::kAnthropicMessages}}};

// The model used when a request names none: "gpt-4o-mini", "claude-haiku-4-5",
// "llama-3.3-70b-versatile", "openai/gpt-4o-mini", "local-echo", "gemini-2.5-flash",
// "us.anthropic.claude-haiku-4-5-20251001-v1:0" (Bedrock), "llama3.2" (Ollama),
// "command-a-03-2025", "mistral-small-latest", "deepseek-v4-flash", "grok-4-1-fast-non-reasoning";
// "" for kCompatible (any server) and kAzure (the deployment): the caller must name one; "" for
// kRelay too, where an empty model is sent as none (the relay's default model). The CLI,
// the npm package and the C++ client share this table.
std::string_view DefaultModel(Provider provider);

// The environment variable that conventionally holds the provider's key (the one its official
// SDK reads): OPENAI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY, OPENROUTER_API_KEY,
// GEMINI_API_KEY, AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key; AWS credentials have their own
// variables: ProviderConfig::aws_credentials), OLLAMA_API_KEY, CO_API_KEY, MISTRAL_API_KEY,
// DEEPSEEK_API_KEY, AZURE_OPENAI_API_KEY, XAI_API_KEY; LLMSTREAM_RELAY_TOKEN (the app's token) for
// kRelay; LLMSTREAM_API_KEY for kCompatible and kLocal. The core never reads it: the CLI and the
// npm package do, and name it in errors.
std::string_view ApiKeyVariable(Provider provider);

// Whether the provider's own server refuses requests without a key (hosted providers); local,
// compatible and Ollama servers often run without one.
bool ApiKeyRequired(Provider provider);

// Headers that carry a key themselves (compared case-insensitively): a request with one of them
// needs no api_key.
inline constexpr std::array<std::string_view, 4> kAuthHeaderNames = {"authorization", "x-api-key",
                                                                     "api-key", "x-goog-api-key"};

// AWS IAM credentials (for provider kBedrock), as the AWS SDKs name them. They sign each request
// (AWS Signature Version 4); only the access key id and the session token travel, the secret never
// does. Both secrets are treated like api_key: masked in errors, never in logs.
struct AwsCredentials {
  std::string access_key_id{};  // AWS_ACCESS_KEY_ID: "AKIA..." (long-term), "ASIA..." (temporary)
  std::string secret_access_key{};  // AWS_SECRET_ACCESS_KEY
  std::string session_token{};      // AWS_SESSION_TOKEN: only with temporary (STS) credentials
};

// Where and how to reach a provider. Keys are passed in explicitly (never read from the
// environment by the core) and never appear in logs, errors or Redacted() output.
//
// AWS Bedrock (kBedrock) takes either of AWS's two ways in:
//   ProviderConfig{.provider = Provider::kBedrock, .region = "us-east-1",
//                  .aws_credentials = {.access_key_id = ..., .secret_access_key = ...}}
//     signed with SigV4 on every attempt (Session does it; see SignRequest), or
//   ProviderConfig{.provider = Provider::kBedrock, .api_key = bedrock_api_key, .region = ...}
//     a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), sent as `Authorization: Bearer`, unsigned.
struct ProviderConfig {
  Provider provider = Provider::kOpenAI;
  // Sent as `Authorization: Bearer` (Chat Completions, Responses, Cohere, Ollama, and a Bedrock API
  // key), `x-api-key` (Anthropic Messages), `x-goog-api-key` (Gemini) or `api-key` (Azure). For
  // Bedrock, pass either this or aws_credentials, not both. May be empty for
  // kCompatible / kLocal / kOllama (no auth header is sent then). For a hosted provider at its
  // default URL an empty key is an error, unless `headers` carries the auth header itself (a
  // proxy or a custom base_url may not need one).
  std::string api_key{};
  // Empty = the provider's default. Accepted with or without a trailing slash. OpenAI-style
  // bases include the version segment ("http://127.0.0.1:8787/v1"); a bare origin
  // ("http://127.0.0.1:8787") gets "/v1" appended, so both SDK conventions work. For Anthropic,
  // "https://api.anthropic.com" and "https://api.anthropic.com/v1" both work; a bare origin gets
  // "/v1beta" for Gemini and "/v2" for Cohere, and Ollama's "/api" is added unless present.
  // Azure: the resource endpoint ("https://NAME.openai.azure.com", required), completed to
  // ".../openai/deployments/{model}/chat/completions?api-version=2025-04-01-preview" (a base
  // with its own ?api-version= keeps it; one that already names /deployments/NAME is used as it
  // is) or ".../openai/v1/responses".
  std::string base_url{};
  // Extra headers (OpenAI-Organization, anthropic-beta, HTTP-Referer, X-Title ...). A header
  // named like a default one (case-insensitively) replaces it. Browsers calling Anthropic
  // directly also need `anthropic-dangerous-direct-browser-access: true` (CORS); the core does
  // not know where it runs, so the caller adds it.
  std::vector<std::pair<std::string, std::string>> headers{};
  // Empty = the provider's natural API (Messages for Anthropic, generateContent for Gemini,
  // ConverseStream for Bedrock, /api/chat for Ollama, v2 chat for Cohere, Chat Completions
  // otherwise).
  std::optional<WireApi> api{};
  // Bedrock: the AWS region ("us-east-1"; AWS_REGION or AWS_DEFAULT_REGION). It names the default
  // endpoint, https://bedrock-runtime.{region}.amazonaws.com (a base_url replaces it), and is the
  // region of the signature, so it is required with aws_credentials even when base_url is set.
  std::string region{};
  // Bedrock: IAM credentials; the request is then signed (SigV4) for each attempt. Empty = none
  // (a Bedrock API key in api_key, or a proxy at base_url that signs itself).
  AwsCredentials aws_credentials{};
};

// A tool call the assistant made earlier in the conversation, echoed back so that the following
// tool-result message can refer to it by id.
struct ToolCallRequest {
  std::string id{};  // "call_..." (OpenAI), "toolu_..." (Anthropic), Responses call_id
  std::string name{};
  std::string arguments{};  // the arguments JSON text as the model produced it; "" means {}
};

// What one piece of an assistant turn is (MessagePart::kind).
enum class PartKind : uint8_t {
  kText = 0,               // visible answer text
  kReasoning = 1,          // readable reasoning (thinking) text, with its signature when signed
  kRedactedReasoning = 2,  // opaque reasoning data: Anthropic redacted_thinking `data`, Bedrock
                           // redactedContent, Responses `encrypted_content`, OpenRouter
                           // reasoning.encrypted `data`
  kToolCall = 3,           // a call the model made (`tool_call`)
  kProviderBlock = 4,      // a block only its provider reads (server tool use and its result,
                           // code execution, inline data): `type` and its JSON in `data`
};

// "text", "reasoning", "redacted_reasoning", "tool_call", "provider_block" (the npm package's
// message part `type`); "unknown" for a value outside the enum.
std::string_view PartKindName(PartKind kind);
std::optional<PartKind> ParsePartKind(std::string_view name);

// One piece of an assistant turn, as the model produced it. Providers that check their own
// output on the next turn (Anthropic thinking signatures, Gemini thought signatures, Responses
// reasoning items) need these pieces back exactly, in order: AssistantMessage builds them from a
// Completion (llmstream/conversation.h).
struct MessagePart {
  PartKind kind = PartKind::kText;
  std::string text{};       // kText, kReasoning: the text ("" for a signature-only part)
  std::string signature{};  // kReasoning: the thinking signature; Gemini: the part's
                            // thoughtSignature, on a part of any kind
  std::string data{};       // kRedactedReasoning: the opaque data; kProviderBlock: the JSON
  std::string id{};         // the provider's id of the item, when it has one (Responses "rs_...")
  std::string type{};       // the provider's name of the block ("thinking", "thought",
                            // "web_search_tool_result", "reasoning.encrypted" ...)
  ToolCallRequest tool_call{};  // kToolCall
};

// Which provider and wire API produced an assistant turn.
struct MessageOrigin {
  Provider provider = Provider::kOpenAI;
  WireApi api = WireApi::kChatCompletions;
  bool operator==(const MessageOrigin&) const = default;
};

// One conversation turn. The same Message list works for every provider:
//  - role "system" / "developer": instructions. Anthropic has no such role: their content is
//    joined into the top-level `system` field (after CompletionRequest::system).
//  - role "user": `content`.
//  - role "assistant": `content` and/or `tool_calls` (the calls the model made).
//  - role "tool": the result of one tool call: `tool_call_id` + `content`. Mapped to
//    {"role":"tool"} (Chat), {"type":"function_call_output"} (Responses) or a user
//    `tool_result` block (Anthropic; consecutive results are merged into one user turn, as
//    Anthropic requires for parallel calls).
struct Message {
  std::string role{};
  std::string content{};
  // Optional participant name (Chat Completions `name`); other APIs ignore it.
  std::string name{};
  // role "tool": the id of the call this message answers.
  std::string tool_call_id{};
  // role "assistant": the tool calls the model made in this turn.
  std::vector<ToolCallRequest> tool_calls{};
  // Escape hatch for content this struct cannot express (images, documents): a JSON value in
  // the target API's own content format, sent verbatim instead of `content`. Empty = use
  // `content`.
  std::string content_json{};
  // role "assistant": the turn exactly as a model produced it, in order (AssistantMessage and
  // Conversation::Append fill it, with `content` and `tool_calls` as readable copies). When not
  // empty it is what is sent, and `content`, `content_json` and `tool_calls` are not: to edit
  // such a turn, edit its parts (or clear them).
  std::vector<MessagePart> parts{};
  // Who produced `parts`. Parts only a provider reads back (reasoning, signatures, redacted
  // data, provider blocks) are sent only to the same provider and wire API; to any other, the
  // turn is sent as its text and tool calls, which every provider takes. Unset = hand-written:
  // everything is sent.
  std::optional<MessageOrigin> origin{};
  // role "tool": the tool failed and `content` says why. Anthropic `is_error`, Bedrock
  // `status: "error"`; the other APIs have no flag and read it from the content.
  bool is_error = false;
};

// A function the model may call. Responses API tools are sent with "strict": false (that API
// defaults to strict schemas, which reject ordinary ones); for strict mode, replace `tools`
// through extra_body_json.
struct ToolDefinition {
  std::string name{};
  std::string description{};
  // JSON Schema of the arguments object, as text. Empty = no arguments ({"type":"object",
  // "properties":{}}). Must be a JSON object.
  std::string parameters_json{};
};

// What kind of answer CompletionRequest::response_format asks for.
enum class ResponseFormatType : uint8_t {
  kText = 0,        // plain text: the default, nothing is sent
  kJsonObject = 1,  // any JSON object (OpenAI's "JSON mode"); not on Anthropic Messages nor
                    // Bedrock, which only take a schema
  kJsonSchema = 2,  // JSON matching `schema_json` (structured outputs); not on DeepSeek, which
                    // only takes kJsonObject
};

// JSON output. Written as each wire API documents it (docs/wire-formats.md, "JSON output"): Chat
// Completions `response_format`, Responses `text.format`, Anthropic `output_config.format`,
// Gemini `generationConfig.responseMimeType` + `responseJsonSchema`, Ollama `format`, Cohere
// `response_format`, Bedrock `outputConfig.textFormat`. With a JSON format the Session checks the
// final answer (llmstream/json_schema.h) and fails with kSchemaMismatch when it does not fit.
struct ResponseFormat {
  ResponseFormatType type = ResponseFormatType::kText;
  // kJsonSchema: the schema's name, 1-64 of [A-Za-z0-9_-] (OpenAI's rule); "response" when empty.
  std::string name{};
  // kJsonSchema: a JSON Schema object, as text (required).
  std::string schema_json{};
  // kJsonSchema: ask for constrained decoding where the API has the switch (Chat Completions,
  // Responses: `strict`). Off by default, as there: strict mode refuses ordinary schemas (every
  // property must be required, additionalProperties false).
  bool strict = false;
};

// What to ask for, independent of the provider (the seed API's model, prompt | messages,
// maxTokens, temperature, tools ...). Options a provider cannot express are rejected with a clear
// kInvalidRequest rather than silently dropped, except where noted.
struct CompletionRequest {
  std::string model{};
  // Shortcut for one user message. With `messages` too, it is appended as the last user turn.
  std::string prompt{};
  // System instructions: Chat "system" message first, Anthropic top-level `system`, Responses
  // `instructions`.
  std::string system{};
  std::vector<Message> messages{};
  // OpenAI Chat: max_completion_tokens; Responses: max_output_tokens; others: max_tokens.
  // Anthropic requires a value: 4096 when unset (plus the thinking budget when thinking is on).
  std::optional<int> max_tokens{};
  std::optional<double> temperature{};  // 0..2 (Anthropic 0..1)
  std::optional<double> top_p{};        // 0..1
  // Stop sequences (Anthropic: stop_sequences). Not supported by the Responses API.
  std::vector<std::string> stop{};
  std::vector<ToolDefinition> tools{};
  // "" (provider default), "auto", "none", "required" (alias "any"), or the name of one tool to
  // force.
  std::string tool_choice{};
  // A JSON object merged into the finished body last (RFC 7386 merge patch: a null removes a
  // key), for provider options this struct does not model (OpenRouter `provider` routing, Groq
  // `reasoning_format`, `service_tier`, `seed`, `logprobs` ...).
  std::string extra_body_json{};
  // "minimal" / "low" / "medium" / "high" (provider-specific values pass through). OpenAI Chat
  // and Groq `reasoning_effort`, Responses and OpenRouter `reasoning.effort`; for Anthropic it
  // selects a thinking budget (low 1024, medium 2048, high 4096 tokens) when
  // reasoning_budget_tokens is unset ("none" disables thinking).
  std::optional<std::string> reasoning_effort{};
  // Anthropic `thinking: {type: "enabled", budget_tokens}` (>= 1024), OpenRouter
  // `reasoning.max_tokens`. Ignored by APIs that only take an effort.
  std::optional<int> reasoning_budget_tokens{};
  // Number of choices. Only Chat Completions on OpenAI / compatible servers support n > 1.
  int n = 1;
  // JSON output instead of text (see ResponseFormat).
  ResponseFormat response_format{};
};

// True when the request asks for JSON output (response_format kJsonObject or kJsonSchema).
inline bool IsJsonOutput(const CompletionRequest& request) {
  return request.response_format.type != ResponseFormatType::kText;
}

// A transport-neutral HTTP request: what the platform layer (libcurl, fetch) sends.
struct HttpRequest {
  std::string method{};
  std::string url{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
};

// The API a config uses: `config.api` if set, else the provider's natural one (see
// ProviderConfig::api).
WireApi ResolveApi(const ProviderConfig& config);

// The provider's default base URL ("https://api.openai.com/v1", ...); "" for kCompatible and
// kAzure; Bedrock's is the pattern "https://bedrock-runtime.{region}.amazonaws.com".
std::string_view DefaultBaseUrl(Provider provider);

// Builds the streaming HTTP request (`"stream": true` or Gemini's `?alt=sse`, usage reporting on,
// Accept: text/event-stream, application/x-ndjson for Ollama, application/vnd.amazon.eventstream
// for Bedrock). A Bedrock request with aws_credentials is built unsigned: SignRequest signs it
// (Session does, for every attempt). Bedrock refuses here: no region without a base_url, an
// access key id without its secret (or the reverse), a session token alone, api_key and
// aws_credentials together, no credentials at all at the default endpoint. The web core module
// (wasm) refuses Gemini, Ollama, Cohere and Bedrock requests: it cannot read their streams (the
// npm package loads the full module for them). Returns false and sets `error`
// (kInvalidRequest, a message naming the offending field) when the request cannot be expressed:
// empty model, no prompt and no messages, a bad role, invalid tool / extra_body JSON, a value out
// of range, an option the provider lacks. `out` is left untouched on failure. `error` may be null.
[[nodiscard]] bool BuildRequest(const ProviderConfig& config, const CompletionRequest& request,
                                HttpRequest* out, Error* error);

// Signs `request` (built by BuildRequest from `config`) for sending at Unix time `unix_ms`, when
// the config's auth is a signature: AWS SigV4 for Bedrock with aws_credentials (the Authorization,
// X-Amz-Date, X-Amz-Content-Sha256 and, with a session token, X-Amz-Security-Token headers;
// signing again replaces them). AWS refuses a signature more than 5 minutes from its own clock,
// so sign each attempt, retries included, right before it is sent. Any other config: returns true
// and leaves `request` as it is. Returns false and sets `error` (kInvalidRequest; `request`
// untouched) when a signature is needed and `unix_ms` is nullopt (no wall time is known) or the
// credentials cannot sign. Reads no clock. `error` may be null.
[[nodiscard]] bool SignRequest(const ProviderConfig& config, std::optional<int64_t> unix_ms,
                               HttpRequest* request, Error* error);

// True for headers whose values are secrets (Authorization, x-api-key, api-key, cookies, and any
// name mentioning key, token, secret or auth).
bool IsSensitiveHeader(std::string_view name);

// A copy safe to log: sensitive header values become "[redacted]" and the URL goes through
// RedactUrl (llmstream/url_redaction.h: userinfo, secret query parameters, the fragment). The body
// is kept: bodies built by BuildRequest never contain the key.
HttpRequest Redacted(const HttpRequest& request);

// "POST <url>\n<Name>: <value>\n...\n\n<body>" of the redacted request, for debug logs.
std::string ToLogString(const HttpRequest& request);

}  // namespace llmstream
