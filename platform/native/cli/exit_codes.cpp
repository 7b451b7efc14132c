#include "cli/exit_codes.h"

namespace llmstream::cli {

ExitCode ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNone:
      return kExitOk;
    case ErrorCode::kAuth:
      return kExitAuth;
    case ErrorCode::kRateLimited:
      return kExitRateLimited;
    case ErrorCode::kTimeout:
    case ErrorCode::kStalled:
    case ErrorCode::kNetwork:
      return kExitNetwork;
    case ErrorCode::kHttpStatus:
    case ErrorCode::kServer:
    case ErrorCode::kBadRequest:
    case ErrorCode::kNotEventStream:
    case ErrorCode::kPolicyViolation:  // a relay's refusal, an HTTP 403
      return kExitHttp;
    case ErrorCode::kTruncated:
      return kExitTruncated;
    case ErrorCode::kAborted:
      return kExitInterrupted;
    case ErrorCode::kInvalidRequest:
      return kExitUsage;
    case ErrorCode::kSseLineTooLong:
    case ErrorCode::kSseEventTooLarge:
    case ErrorCode::kFrameTooLarge:
    case ErrorCode::kBadFrame:
    case ErrorCode::kBadJson:
    case ErrorCode::kBadToolArguments:
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kCompletionTooLarge:
    case ErrorCode::kSchemaMismatch:
    case ErrorCode::kProviderError:
    case ErrorCode::kContentFilter:
    case ErrorCode::kOverflow:
    case ErrorCode::kInternal:
    case ErrorCode::kModuleLoad:
      break;
  }
  return kExitStream;
}

}  // namespace llmstream::cli
