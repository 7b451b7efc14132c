// Turning a non-2xx HTTP response into an Error, and reading the retry / rate-limit headers
// (wire-formats.md section 6).
//
// Errors that happen before the stream starts arrive as ordinary HTTP responses with a JSON body,
// not as SSE. The platform layer reads the (small) body and calls ClassifyHttpError; the result
// carries a stable code, the provider's own message and error type, and the server's retry hint.
// Everything here is pure: "now" is passed in, so HTTP-date arithmetic is testable and works the
// same in wasm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/request.h"

namespace llmstream {

// Response headers as the transport saw them. Names are matched case-insensitively (HTTP/2
// lower-cases them, HTTP/1.1 servers do not).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The first header named `name` (any case), or nullopt.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

// The Error for a failed response.
//  - code from the status: 401/403 kAuth; 429 and Groq's 498 (flex capacity) kRateLimited
//    (Cohere's 498, an invalid token, is kAuth); 5xx and Anthropic's 529 kServer;
//    400/404/413/422 kBadRequest; anything else kHttpStatus. Google's 400 with ErrorInfo reason
//    API_KEY_INVALID (Gemini's answer to a bad key) is kAuth.
//  - message: the provider's `error.message` (OpenAI / Groq / OpenRouter `{"error":{...}}`,
//    Anthropic `{"type":"error","error":{...}}`, compatible servers' `{"error":"..."}`,
//    `{"message":...}` (Cohere, Bedrock) or `{"detail":...}`), else a trimmed one-line snippet of
//    the body, prefixed with "HTTP <status> from <provider>: ". OpenRouter upstream details
//    (metadata.provider_name, metadata.raw) and moderation reasons are appended.
//  - provider_type: `error.code` when it is a string ("rate_limit_exceeded",
//    "context_length_exceeded"), else `error.type` ("overloaded_error"), else a Google status
//    name (Gemini `{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}`, also inside the
//    one-element array Gemini's JSON-array stream answers with), else the exception named by
//    AWS's `x-amzn-ErrorType` header (Bedrock, "ThrottlingException").
//  - retry_after_ms: see RetryAfterMs; without a header, a google.rpc.RetryInfo `retryDelay`
//    in the body's details ("17s").
// Everything the error quotes from the body (message, snippet, OpenRouter details, provider_type)
// is one line (whitespace runs, CR and LF included, become one space) and masked before it is cut
// to its length: `api_key` (the configured key; empty: none) wherever it occurs, words that look
// like a key ("sk-", "gsk_", "xai-" or "AIza" and 16+ letters, digits, '-' or '_', where a word
// starts) and secrets in URLs (url_redaction.h). So no prefix of a key survives at a cut either. A
// body whose JSON has an object of more than 256 keys is shown as text, like any body that is not
// JSON (its objects are never built: time linear in the body).
Error ClassifyHttpError(Provider provider, int status, const HeaderList& headers,
                        std::string_view body, int64_t now_unix_ms, std::string_view api_key = {});

// How long the server asked us to wait: `retry-after-ms` (milliseconds, as the OpenAI and
// Anthropic SDKs read it), else `retry-after` as seconds (fractional accepted) or as an HTTP date
// (IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT"), relative to now_unix_ms. Within 0 .. 9e15 ms
// (285,000 years, exact as a JS number): larger values are clamped to 9e15, a past date is 0.
// nullopt when absent or unparsable.
std::optional<int64_t> RetryAfterMs(const HeaderList& headers, int64_t now_unix_ms);

// The `x-should-retry: true|false` header the OpenAI and Anthropic APIs send to overrule the
// status-based decision; nullopt when absent.
std::optional<bool> ShouldRetryHeader(const HeaderList& headers);

// The SDKs' rule: x-should-retry when present, else 408, 409, 429, Groq's 498 and >= 500.
bool ShouldRetryStatus(int status, const HeaderList& headers);

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"; the day name is optional) into Unix
// milliseconds. nullopt on anything else.
std::optional<int64_t> ParseHttpDate(std::string_view text);

// Parses an RFC 3339 timestamp ("2024-10-17T21:31:52Z", fractions and +hh:mm offsets accepted)
// into Unix milliseconds, as Anthropic sends rate-limit resets.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Parses a Go-style duration as OpenAI and Groq send rate-limit resets ("6m0s", "4ms", "1.5s",
// "2m59.56s", "1h2m", "0s", "250us") into milliseconds (rounded to nearest). A bare number is
// seconds. Within 0 .. 9e15 ms: larger values are clamped to 9e15. nullopt on anything else.
std::optional<int64_t> ParseDurationMs(std::string_view text);

// One rate-limit window (requests, tokens ...). Reset is kept raw because providers disagree on
// its form (a duration for OpenAI / Groq, an RFC 3339 time for Anthropic).
struct RateLimitWindow {
  std::optional<int64_t> limit{};
  std::optional<int64_t> remaining{};
  std::string reset{};  // raw header value, "" when absent
  // Time until reset, from either form, within 0 .. 9e15 (clamped); nullopt if unknown.
  std::optional<int64_t> reset_ms{};

  bool empty() const { return !limit && !remaining && reset.empty(); }
};

// Rate-limit state from the x-ratelimit-* (OpenAI, Groq, OpenRouter) or anthropic-ratelimit-*
// headers. Useful for pacing before a 429 happens; a transport can surface it as metadata.
struct RateLimitInfo {
  RateLimitWindow requests;
  RateLimitWindow tokens;
  RateLimitWindow input_tokens;   // Anthropic only
  RateLimitWindow output_tokens;  // Anthropic only

  bool empty() const {
    return requests.empty() && tokens.empty() && input_tokens.empty() && output_tokens.empty();
  }
};

// Reads both header families. now_unix_ms turns Anthropic's reset timestamps into reset_ms.
RateLimitInfo ParseRateLimitHeaders(const HeaderList& headers, int64_t now_unix_ms);

}  // namespace llmstream
