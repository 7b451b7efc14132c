// Errors are values. Nothing in llmstream throws across its public C++ API or the wasm boundary;
// a failure is an `Error` with a stable `ErrorCode` that the C++, wasm and JS faces share (the JS
// error classes carry the same code string, see ErrorCodeName).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmstream {

// Stable codes: never renumber, only append. The string form (ErrorCodeName) is the public name
// used in JSON events and by the npm package's `error.code`.
enum class ErrorCode : uint16_t {
  kNone = 0,
  // --- SSE framing ---
  kSseLineTooLong = 1,    // one line exceeded SseLimits::max_line_bytes; the stream is ended
  kSseEventTooLarge = 2,  // one event's data exceeded SseLimits::max_event_bytes; stream ended
  // --- the other framings (llmstream/framing.h) ---
  kFrameTooLarge = 3,  // an NDJSON line, JSON-array element or AWS event-stream message exceeded
                       // FramingLimits::max_frame_bytes; the stream is ended
  kBadFrame = 4,  // bytes that are not the framing: an AWS event-stream CRC mismatch, impossible
                  // lengths, malformed headers; a streamed JSON array broken between elements.
                  // Retryable: a checksum exists to catch bytes corrupted on the way
  // --- payloads ---
  kBadJson = 10,           // a data payload that must be JSON was not valid JSON
  kBadToolArguments = 11,  // a completed tool call's arguments were not valid JSON
  // --- bounds (StreamLimits): the stream is ended, what came before is kept ---
  kLimitExceeded = 12,       // more choices, metadata keys, blocks or tool calls than allowed
  kCompletionTooLarge = 13,  // the assembled output passed StreamLimits::max_completion_bytes
  // --- the answer itself ---
  kSchemaMismatch = 14,  // a JSON output (CompletionRequest::response_format) is not valid JSON,
                         // or does not match its schema; the message names the JSON path
  // --- the provider said so, in band (HTTP 200 then an error event / error object) ---
  kProviderError = 20,
  kContentFilter = 21,  // the provider stopped the output for policy reasons
  // --- HTTP, before streaming started ---
  kHttpStatus = 30,      // any non-2xx without a more specific code below
  kAuth = 31,            // 401 / 403
  kRateLimited = 32,     // 429 (and Groq 498); retry_after_ms tells when to retry
  kServer = 33,          // 5xx, Anthropic 529 overloaded
  kBadRequest = 34,      // 400 / 404 / 413 / 422: retrying will not help
  kNotEventStream = 35,  // a 2xx response that was not text/event-stream
  // --- transport / lifecycle ---
  kTimeout = 40,         // connect or first-byte timeout
  kStalled = 41,         // no byte for longer than the idle timeout
  kAborted = 42,         // the caller cancelled
  kNetwork = 43,         // connection refused / reset / DNS ...
  kTruncated = 44,       // the body ended without the provider's terminal signal
  kOverflow = 45,        // a bounded buffer (a Tee consumer too far behind) would have to grow
  kInvalidRequest = 50,  // the request could not be built (missing model, bad option ...)
  // --- llmstream itself ---
  kInternal = 60,    // a bug: the wasm module aborted, a driver invariant broke. Not retryable:
                     // the same input would hit it again
  kModuleLoad = 61,  // the platform could not load the WebAssembly module (missing or
                     // mis-served file, an engine without SIMD); nothing was sent
  // --- a relay (docs/relay-protocol.md) ---
  kPolicyViolation = 70,  // the relay's policy refused the request (a model it does not allow,
                          // maxTokens past its cap, a tool it does not have); nothing was sent
};

// The stable public name of a code, e.g. "rate_limited". Never empty.
std::string_view ErrorCodeName(ErrorCode code);

// True when re-sending the same request may succeed (rate limits, 5xx, network, timeouts,
// truncation). Whether a retry is *allowed* also depends on whether output was delivered: see
// the retry policy.
bool IsRetryable(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kNone;
  // Human-readable, one line. Never contains an API key.
  std::string message;
  // The provider's own error type / code string when it gave one ("overloaded_error",
  // "server_error", "rate_limit_exceeded" ...), else empty.
  std::string provider_type;
  int http_status = 0;                    // 0 when no HTTP status applies
  std::optional<int64_t> retry_after_ms;  // from Retry-After / retry-after-ms headers

  explicit operator bool() const { return code != ErrorCode::kNone; }
};

}  // namespace llmstream
