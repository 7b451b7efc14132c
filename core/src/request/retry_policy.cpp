#include "llmstream/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace llmstream {

namespace {

// Provider error types that mean the request itself (or the account) is at fault, even when the
// status or in-band event looked transient.
bool IsPermanentProviderType(std::string_view type) {
  for (std::string_view permanent :
       {"insufficient_quota", "invalid_request_error", "authentication_error", "permission_error",
        "billing_error", "not_found_error", "request_too_large", "context_length_exceeded",
        "invalid_api_key", "model_not_found"}) {
    if (type == permanent) return true;
  }
  return false;
}

// A uniform double in [0, 1) from the top 53 bits.
double UnitInterval(uint64_t bits) {
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

std::string Describe(const Error& error) {
  std::string out(ErrorCodeName(error.code));
  if (error.http_status != 0) out += " (HTTP " + std::to_string(error.http_status) + ")";
  if (!error.provider_type.empty()) out += " " + error.provider_type;
  return out;
}

RetryDecision GiveUp(std::string reason) { return RetryDecision{false, 0, std::move(reason)}; }

}  // namespace

bool IsRetryableError(const Error& error) {
  if (!error) return false;
  if (IsPermanentProviderType(error.provider_type)) return false;
  if (IsRetryable(error.code)) return true;
  // Request timeout and conflict (lock contention) are worth another try, as the SDKs do.
  return error.code == ErrorCode::kHttpStatus &&
         (error.http_status == 408 || error.http_status == 409);
}

RetryDecision Decide(const RetryPolicy& policy, int attempt, const Error& error,
                     bool output_delivered, uint64_t random_bits,
                     std::optional<bool> server_should_retry) {
  if (!error) return GiveUp("no error");
  const std::string what = Describe(error);
  if (output_delivered) return GiveUp(what + ": output was already delivered, not retrying");

  bool retryable = IsRetryableError(error);
  if (server_should_retry) {
    // The server knows whether a re-send can help, but never override quota / bad requests we
    // can see for ourselves, nor codes unrelated to the response (aborted by the caller).
    if (!*server_should_retry) return GiveUp(what + ": server said x-should-retry: false");
    retryable = error.code != ErrorCode::kAborted && error.code != ErrorCode::kInvalidRequest &&
                !IsPermanentProviderType(error.provider_type);
  }
  if (!retryable) return GiveUp(what + ": not retryable");

  attempt = std::max(attempt, 0);
  if (attempt >= policy.max_retries) {
    return GiveUp(what + ": gave up after " + std::to_string(attempt) + " retries");
  }

  const int64_t max_delay = std::max<int64_t>(policy.max_delay_ms, 0);
  if (error.retry_after_ms) {
    const int64_t wait = std::max<int64_t>(*error.retry_after_ms, 0);
    if (wait > max_delay) {
      return GiveUp(what + ": server asked to wait " + std::to_string(wait) +
                    " ms, more than max_delay_ms " + std::to_string(max_delay));
    }
    return RetryDecision{true, wait,
                         what + ": retry " + std::to_string(attempt + 1) + " in " +
                             std::to_string(wait) + " ms (Retry-After)"};
  }

  // base * 2^attempt in floating point: no overflow for large attempts, then capped.
  const double nominal = std::min(static_cast<double>(std::max<int64_t>(policy.base_delay_ms, 0)) *
                                      std::ldexp(1.0, std::min(attempt, 62)),
                                  static_cast<double>(max_delay));
  const double jitter = policy.jitter >= 0 ? std::min(policy.jitter, 1.0) : 0.0;  // NaN -> 0
  const int64_t delay = static_cast<int64_t>(nominal * (1.0 - jitter * UnitInterval(random_bits)));
  return RetryDecision{true, delay,
                       what + ": retry " + std::to_string(attempt + 1) + " in " +
                           std::to_string(delay) + " ms (backoff)"};
}

}  // namespace llmstream
