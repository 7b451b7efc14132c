// When to re-send a failed request, as a pure function: the platform layer asks Decide after each
// failure and carries out the answer (sleep, re-send, or give up). No clock, no sleep, no
// randomness source inside: the caller passes random bits, so decisions are reproducible in
// tests and identical natively and in wasm.
//
// Rules, in order:
//  1. Never retry once output was delivered to the caller: a retry would repeat text the user
//     already saw (and is billed again). The partial result stays with the caller instead.
//  2. Only errors where a re-send can help: IsRetryable(code) (rate limits, 5xx, network,
//     timeouts, truncation), plus 408 / 409 HTTP statuses; never quota exhaustion
//     (`insufficient_quota`) nor in-band errors whose provider type says the request itself is
//     wrong (invalid_request_error, authentication_error, ...).
//  3. The server's x-should-retry header, when the caller passes it, overrules rule 2.
//  4. At most max_retries retries.
//  5. Delay: the server's Retry-After when present (exactly, it knows best). If it asks for
//     longer than max_delay_ms, give up with a reason rather than hammering it early. Otherwise
//     exponential backoff min(base * 2^attempt, max) minus up to `jitter` of it (the OpenAI SDK
//     scheme: spreads clients apart, never waits longer than the nominal delay).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "llmstream/error.h"

namespace llmstream {

struct RetryPolicy {
  int max_retries = 2;           // retries after the first attempt (0 disables retrying)
  int64_t base_delay_ms = 500;   // delay before the first retry, doubled for each further one
  int64_t max_delay_ms = 30000;  // cap on backoff, and the most a Retry-After may ask for
  double jitter = 0.25;          // fraction of the delay randomly removed, 0..1
};

struct RetryDecision {
  bool retry = false;
  int64_t delay_ms = 0;  // how long to wait before re-sending (when retry)
  std::string reason{};  // one line for logs: why we retry or give up
};

// `attempt`: retries already done (0 after the first failure). `output_delivered`: any text,
// reasoning or tool call reached the caller (Stream::output_started()). `random_bits`: any
// uniformly random 64-bit value; only used for jitter. `server_should_retry`: the response's
// x-should-retry header (ShouldRetryHeader in http_error.h), when there was one.
RetryDecision Decide(const RetryPolicy& policy, int attempt, const Error& error,
                     bool output_delivered, uint64_t random_bits,
                     std::optional<bool> server_should_retry = std::nullopt);

// Rule 2 alone: whether this error is worth re-sending at all, ignoring attempts and output.
bool IsRetryableError(const Error& error);

}  // namespace llmstream
