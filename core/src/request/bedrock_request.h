// AWS Bedrock ConverseStream requests (wire-formats.md, "AWS Bedrock"): the URL, the headers and
// the body from a ProviderConfig and a CompletionRequest (BuildRequest's kBedrockConverse branch),
// and their signing (SignRequest: request/sigv4.h with the config's credentials). Nothing here
// reads a clock or the environment: the signing time is passed in.
//
//   POST {base}/model/{modelId}/converse-stream
//   {"messages": [...], "system": [{"text"}], "inferenceConfig": {...}, "toolConfig": {...},
//    "additionalModelRequestFields": {...}}
//
// The model is in the URL, not the body; the answer is application/vnd.amazon.eventstream.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/request.h"
#include "request/request_internal.h"

namespace llmstream::request_internal {

// The SigV4 signing name of bedrock-runtime (its endpoints' credential scope), not
// "bedrock-runtime".
inline constexpr std::string_view kBedrockSigningName = "bedrock";

// "https://bedrock-runtime.{region}.amazonaws.com" (".amazonaws.com.cn" for the cn- regions);
// "" when `region` is not a region name (empty, or other than a-z, 0-9 and '-').
std::string BedrockDefaultBaseUrl(std::string_view region);

// "{base}/model/{model}/converse-stream" with the model id URI-encoded whole, as the AWS SDKs
// encode a path label: ARNs and inference profiles carry ':' and '/' ("arn:aws:bedrock:...:
// inference-profile/us.anthropic..." -> "arn%3Aaws%3Abedrock%3A...%2Fus.anthropic..."). A
// trailing '/' of the base is dropped.
std::string BedrockConverseStreamUrl(std::string_view base_url, std::string_view model_id);

// The ConverseStream body of a request BuildRequest has validated (roles, tool JSON, ranges):
//  - system / developer messages (after request.system) become `system: [{text}]` blocks;
//  - user and tool turns that follow each other merge into one user turn, and so do assistant
//    turns: Bedrock requires the roles to alternate, and all results of one assistant turn's
//    tool calls in the one user turn after it;
//  - assistant tool_calls become `toolUse {toolUseId, name, input}` (arguments must be a JSON
//    object), tool messages `toolResult {toolUseId, content}`: content_json as blocks when it is
//    an array, as `{json}` when it is an object or number (a string as text), else `[{text}]`;
//  - content_json of user / assistant / system messages is Bedrock content blocks, sent as they
//    are (images, documents, reasoningContent to echo back, cachePoint);
//  - inferenceConfig {maxTokens, temperature, topP, stopSequences}; toolConfig {tools:
//    [{toolSpec: {name, description, inputSchema: {json}}}], toolChoice {auto} | {any} |
//    {tool: {name}}};
//  - reasoning by model family, in additionalModelRequestFields: Anthropic Claude `thinking
//    {type: enabled, budget_tokens}` (the Anthropic budgets: low 1024, medium 2048, high 4096;
//    maxTokens defaults to 4096 + budget), OpenAI gpt-oss `reasoning_effort`, Amazon Nova
//    `reasoningConfig {type: enabled, maxReasoningEffort}`.
// Refused (kInvalidRequest) where Bedrock would refuse or cannot express it: empty text (Bedrock
// rejects blank text blocks), a temperature above 1, tool calls or results in the conversation
// without tools (Bedrock requires toolConfig then), tool_choice "none" with such a history
// (Converse has no "none"; without that history "none" is sent as no toolConfig), reasoning
// options for a
// model whose family is not known from its id (an application inference profile ARN: pass them
// in extra_body_json's additionalModelRequestFields). `config` decides what of an assistant
// turn's parts goes back (TurnParts: reasoning and signatures only to the Bedrock that made them).
bool BuildBedrockBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                      Error* error);

// The unsigned request for BuildRequest (which has validated the request): POST, the URL (the
// config's base_url, else the region's endpoint for kBedrock, else the provider's default base),
// `Content-Type: application/json`, `Accept: application/vnd.amazon.eventstream`, `Authorization:
// Bearer` with a Bedrock API key (api_key), the config's headers (one named like a default header,
// in any case, replaces it), and the body with request.extra_body_json merged in last (RFC 7386).
// Refuses what could not be sent or signed (kInvalidRequest): see BuildRequest. With
// aws_credentials, sign it with SignRequest before each attempt. `out` is untouched on failure.
[[nodiscard]] bool BuildBedrockRequest(const ProviderConfig& config,
                                       const CompletionRequest& request, HttpRequest* out,
                                       Error* error);

// Whether requests of `config` carry a SigV4 signature: ConverseStream with aws_credentials.
bool SignsWithSigV4(const ProviderConfig& config);

}  // namespace llmstream::request_internal
