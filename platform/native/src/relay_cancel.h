// The DELETE that stops a relay's upstream request (Session::relay_cancel_request), sent when a
// relayed stream is cancelled or dropped unfinished.
#pragma once

#include <cstdint>
#include <string>

#include "llmstream/request.h"

namespace llmstream::native {

// How long a cancel may hold the stream's thread: the relay answers a DELETE at once (204), and
// one that does not still cancels the stream when no client came back (its resume window).
inline constexpr int64_t kRelayCancelTimeoutMs = 2000;

// Sends `request` and waits for the answer, at most kRelayCancelTimeoutMs. Best effort: the
// outcome is not reported (the stream already ended with kAborted).
void SendRelayCancel(const HttpRequest& request, const std::string& user_agent);

}  // namespace llmstream::native
