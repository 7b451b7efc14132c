#include "llmstream/error.h"

namespace llmstream {

// The names are public API (JSON events, the npm package's error.code): snake_case of the
// enumerator, never changed once published.
std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
      return "none";
    case ErrorCode::kSseLineTooLong:
      return "sse_line_too_long";
    case ErrorCode::kSseEventTooLarge:
      return "sse_event_too_large";
    case ErrorCode::kFrameTooLarge:
      return "frame_too_large";
    case ErrorCode::kBadFrame:
      return "bad_frame";
    case ErrorCode::kBadJson:
      return "bad_json";
    case ErrorCode::kBadToolArguments:
      return "bad_tool_arguments";
    case ErrorCode::kLimitExceeded:
      return "limit_exceeded";
    case ErrorCode::kCompletionTooLarge:
      return "completion_too_large";
    case ErrorCode::kSchemaMismatch:
      return "schema_mismatch";
    case ErrorCode::kProviderError:
      return "provider_error";
    case ErrorCode::kContentFilter:
      return "content_filter";
    case ErrorCode::kHttpStatus:
      return "http_status";
    case ErrorCode::kAuth:
      return "auth";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kServer:
      return "server";
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kNotEventStream:
      return "not_event_stream";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kStalled:
      return "stalled";
    case ErrorCode::kAborted:
      return "aborted";
    case ErrorCode::kNetwork:
      return "network";
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kOverflow:
      return "overflow";
    case ErrorCode::kInvalidRequest:
      return "invalid_request";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kModuleLoad:
      return "module_load";
    case ErrorCode::kPolicyViolation:
      return "policy_violation";
  }
  return "unknown";
}

bool IsRetryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRateLimited:
    case ErrorCode::kServer:
    case ErrorCode::kTimeout:
    case ErrorCode::kStalled:
    case ErrorCode::kNetwork:
    case ErrorCode::kTruncated:
    // In-band provider errors are mostly transient (overloaded_error, api_error, server_error);
    // the retry policy refuses the ones whose provider type says otherwise, and never retries
    // once output was delivered.
    case ErrorCode::kProviderError:
    // Corrupted bytes (what the event-stream CRCs catch) are a transport fault like a cut body;
    // a server that always sends the same broken framing is stopped by the retry budget.
    case ErrorCode::kBadFrame:
      return true;
    case ErrorCode::kNone:
    case ErrorCode::kOverflow:
    case ErrorCode::kSseLineTooLong:
    case ErrorCode::kSseEventTooLarge:
    case ErrorCode::kFrameTooLarge:
    case ErrorCode::kBadJson:
    case ErrorCode::kBadToolArguments:
    case ErrorCode::kLimitExceeded:  // the same request would make the same answer
    case ErrorCode::kCompletionTooLarge:
    // The answer was delivered; a retry would be a different answer (SessionOptions has no
    // "retry until it fits": that is the caller's call).
    case ErrorCode::kSchemaMismatch:
    case ErrorCode::kContentFilter:
    case ErrorCode::kHttpStatus:
    case ErrorCode::kAuth:
    case ErrorCode::kBadRequest:
    case ErrorCode::kNotEventStream:
    case ErrorCode::kAborted:
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kInternal:
    case ErrorCode::kModuleLoad:
    case ErrorCode::kPolicyViolation:  // the same request is refused again
      return false;
  }
  return false;
}

}  // namespace llmstream
