// The ABI of the wasm boundary: every number and name that the npm package shares with the core,
// defined here or in the core headers this file names, never in JS. abi_gen.cpp writes them as
// a JS module (npm/dist/core/abi.js, with its .d.ts) at build time, with a fingerprint of the
// whole table that the module reports too (abiFingerprint()): npm/src/core/load.js refuses a
// module whose fingerprint differs from the abi.js beside the package's code.
//
//   the event model       EventKind, ReasoningPart, ToolKind, MetadataFormat (llmstream/event.h)
//   the session's actions SessionAction (llmstream/session.h)
//   errors                ErrorCode, its public name and retryable flag (llmstream/error.h), and
//                         the JS class thrown for it (JsErrorClass below)
//   providers             names, default models, key variables (llmstream/request.h)
//   packed events         RecordField, PackHeader and their constants (below; packer.h fills them)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/session.h"

namespace llmstream::wasm {

// The packed-event protocol: bump when a field changes meaning (the fingerprint catches moves).
inline constexpr int kProtocolVersion =
    6;  // 6: long result strings are [address, bytes, ...] ranges

// One packed event: kRecordInts int32s (packer.h).
enum RecordField : int {
  kFieldKind = 0,       // EventKind
  kFieldChoice = 1,     // Event::choice (kRetry: RetryInfo::attempt)
  kFieldBlock = 2,      // Event::block (kRetry: RetryInfo::delay_ms)
  kFieldPart = 3,       // Event::part (kRetry: RetryInfo::continuation, 0 or 1)
  kFieldTextStart = 4,  // Event::text as [start, start + len) in the decoded text region; a
  kFieldTextLen = 5,    // text of at least kFarTextMinBytes is not copied there: start is its
                        // address in wasm memory and len is ~(its UTF-8 byte count), negative
  kFieldIdStart = 6,    // Event::id
  kFieldIdLen = 7,
  kFieldNameStart = 8,  // Event::name (kBlockEnd: the block's type, looked up)
  kFieldNameLen = 9,
  kFieldSideIndex = 10,  // index into the side JSON array, -1 = none
  kFieldExtra = 11,      // kToolCallEnd: the call's ToolKind (looked up); kText of at most
                         // kTokenCacheMaxBytes: a 31-bit hash of the text (the decoder's string
                         // cache), with kAsciiBytesFlag when the text region is ASCII up to the
                         // end of this text (its UTF-16 offsets are then its byte offsets)
};
inline constexpr int kRecordInts = 12;
inline constexpr int32_t kAsciiBytesFlag = INT32_MIN;
// Longer text deltas are rare and seldom repeat: they get no hash (0).
inline constexpr size_t kTokenCacheMaxBytes = 32;
// Texts this long (a tool call's whole arguments at its end, one huge delta) are decoded by JS
// straight from where the core holds them: a copy in the text region would stay in the wasm
// heap for good (it never shrinks), at up to twice the text with the region's doubling.
inline constexpr size_t kFarTextMinBytes = 64 * 1024;
// The same for the long strings of the result JSON (packResultJson): [address, byte count].
inline constexpr size_t kResultStringMinBytes = 4096;

// At a fixed address for the session's lifetime; JS reads it after every call (HEAP32 /
// HEAPF64) instead of calling accessors. Little-endian wasm32: pointers fit an int32.
struct PackHeader {
  int32_t event_count = 0;  // records in this call's batch
  int32_t records_ptr = 0;
  int32_t text_ptr = 0;
  int32_t text_bytes = 0;  // UTF-8 bytes of the text region
  int32_t side_count = 0;  // entries in the side array (0: sideJson() need not be called)
  int32_t action = 3;      // the last poll's SessionAction
  int32_t attempt = 0;     // the attempt number of the last kSend
  int32_t done = 0;        // 1 once the session is finished
  double wake_at_ms = -1;  // the last poll's wake-up time, -1 = only on I/O
};
static_assert(sizeof(PackHeader) == 40, "JS reads the header at fixed offsets");
static_assert(offsetof(PackHeader, wake_at_ms) % 8 == 0, "JS reads wake_at_ms through HEAPF64");

// The name JS code uses for an action ("send", "wait", "abort_transfer", "done").
constexpr std::string_view SessionActionName(SessionAction action) {
  switch (action) {
    case SessionAction::kSend:
      return "send";
    case SessionAction::kWait:
      return "wait";
    case SessionAction::kAbortTransfer:
      return "abort_transfer";
    case SessionAction::kDone:
      return "done";
  }
  return "unknown";
}

// The npm package's error class for a code (npm/src/errors.js defines one class per name).
constexpr std::string_view JsErrorClass(ErrorCode code) {
  switch (code) {
    case ErrorCode::kAuth:
      return "AuthenticationError";
    case ErrorCode::kRateLimited:
      return "RateLimitError";
    case ErrorCode::kServer:
      return "ServerError";
    case ErrorCode::kBadRequest:
      return "BadRequestError";
    case ErrorCode::kHttpStatus:
    case ErrorCode::kNotEventStream:
      return "APIStatusError";
    case ErrorCode::kNetwork:
      return "APIConnectionError";
    case ErrorCode::kTimeout:
    case ErrorCode::kStalled:
      return "TimeoutError";
    case ErrorCode::kAborted:
      return "AbortError";
    case ErrorCode::kProviderError:
    case ErrorCode::kContentFilter:
      return "ProviderError";
    case ErrorCode::kTruncated:
      return "TruncatedError";
    case ErrorCode::kInvalidRequest:
      return "InvalidRequestError";
    case ErrorCode::kPolicyViolation:
      return "PolicyViolationError";
    case ErrorCode::kNone:
    case ErrorCode::kSseLineTooLong:
    case ErrorCode::kSseEventTooLarge:
    case ErrorCode::kFrameTooLarge:
    case ErrorCode::kBadFrame:
    case ErrorCode::kBadJson:
    case ErrorCode::kBadToolArguments:
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kCompletionTooLarge:
    case ErrorCode::kSchemaMismatch:
    case ErrorCode::kOverflow:
    case ErrorCode::kInternal:
    case ErrorCode::kModuleLoad:
      break;
  }
  return "LLMStreamError";
}

}  // namespace llmstream::wasm
