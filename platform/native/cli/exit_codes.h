// The CLI's exit codes, one per class of failure, so that scripts and CI can tell "the key is
// wrong" from "the provider is down" without parsing stderr. Documented in --help and README.
#pragma once

#include "llmstream/error.h"

namespace llmstream::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitStream = 1,         // in-band provider error, content filter, bad JSON / SSE framing
  kExitUsage = 2,          // bad command line, missing key, request that cannot be built
  kExitFile = 3,           // cannot read / write a file (--replay, --record, stdin)
  kExitAuth = 4,           // HTTP 401 / 403
  kExitRateLimited = 5,    // HTTP 429 (after the retries)
  kExitNetwork = 6,        // connection failed or reset, timeout, stall
  kExitHttp = 7,           // HTTP 5xx or any other non-2xx status
  kExitTruncated = 8,      // the stream ended without the provider's terminal signal
  kExitInterrupted = 130,  // SIGINT (Ctrl-C), as shells report 128 + 2
};

// The exit code for the error that ended a stream (kNone: kExitOk). kAborted maps to
// kExitInterrupted: the CLI only aborts on Ctrl-C.
ExitCode ExitCodeFor(const Error& error);

}  // namespace llmstream::cli
