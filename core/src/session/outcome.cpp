// How a Session attempt ends (session_impl.h): success, a retry that starts over, a continuation
// of the partial answer, or the one final kError (with estimated usage when the provider sent
// none).
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "session/continuation.h"
#include "session/response_class.h"
#include "session/session_impl.h"
#include "session/usage_estimate.h"

namespace llmstream {

using session_internal::AddCost;
using session_internal::AddUsage;
using session_internal::PriceUsage;

void Session::Impl::AttemptFailed(Error error, bool transfer_open,
                                  std::optional<bool> server_should_retry, int64_t now_ms) {
  // In-band errors quote what the server sent (a chunk that is not JSON, a provider message): a
  // server that echoes the key must not put it into an error a caller logs. (Keys shorter than 8
  // bytes are test placeholders such as "k": masking them would garble every message.)
  for (std::string_view key : session_internal::ConfigSecrets(options_.provider)) {
    if (key.size() < 8) continue;
    error.message = session_internal::MaskKey(std::move(error.message), key);
    error.provider_type = session_internal::MaskKey(std::move(error.provider_type), key);
  }
  if (api_ == WireApi::kRelay && RelayAttemptFailed(error, transfer_open, now_ms)) return;
  FlushSplice();
  response_.ended_ms = now_ms;
  // After output a plain retry would show the text twice; a continuation would not, so with one
  // possible the policy judges the error alone.
  const bool can_continue = output_started_ && options_.continuation &&
                            session_internal::CanContinue(options_.request, assembler_.result());
  RetryDecision decision =
      Decide(options_.retry, attempts_ - 1, error, output_started_ && !can_continue, NextRandom(),
             server_should_retry);
  std::optional<Attempt> next;
  if (decision.retry && can_continue) {
    std::string why;
    next = ContinuationAttempt(&why);
    if (!next) {
      decision.retry = false;
      decision.reason += "; not continued: " + why;
    }
  }
  if (!decision.retry) {
    FailFinally(std::move(error), transfer_open, now_ms);
    return;
  }

  if (can_continue) {
    CarryUsage();
    next_ = std::move(next);
  } else {
    // Starting over: nothing of the failed attempt reached the caller as output, and its
    // metadata or usage belong to a response that no longer counts.
    assembler_.Reset();
  }
  accepted_ = false;  // the failed attempt is settled: a Cancel in the delay estimates nothing
  usage_final_ = false;
  attempt_usage_ = Usage{};

  RetryInfo retry;
  retry.attempt = static_cast<uint32_t>(attempts_);
  retry.delay_ms = static_cast<uint32_t>(
      std::clamp<int64_t>(decision.delay_ms, 0, std::numeric_limits<uint32_t>::max()));
  retry.continuation = can_continue;
  out_.EmitRetry(std::move(error), decision.reason, retry);

  phase_ = Phase::kBackoff;
  retry_at_ms_ = now_ms + decision.delay_ms;
  abort_pending_ = transfer_open;
}

void Session::Impl::FailFinally(Error error, bool transfer_open, int64_t now_ms) {
  FlushSplice();
  if (response_.sent_ms >= 0 && response_.ended_ms < 0) response_.ended_ms = now_ms;
  if (std::optional<Usage> estimate = EstimateAttemptUsage()) {
    const Cost cost =
        PriceUsage(*estimate, options_.prices, stream_.result().model, options_.request.model);
    if (carrying_) {
      EmitUsageAndCost(AddUsage(carried_usage_, *estimate), AddCost(carried_cost_, cost));
    } else {
      EmitUsageAndCost(*estimate, cost);
    }
  }
  if (error.code == ErrorCode::kTruncated) assembler_.MarkTruncated();
  out_.EmitError(error);
  assembler_.Apply(out_.events().back());
  if (api_ == WireApi::kRelay) RelayAmendResult();
  error_ = std::move(error);
  phase_ = Phase::kFinished;
  abort_pending_ = transfer_open;
}

void Session::Impl::Succeeded(int64_t now_ms) {
  FlushSplice();
  if (api_ == WireApi::kRelay) RelayAmendResult();
  response_.ended_ms = now_ms;
  error_ = Error{};
  phase_ = Phase::kFinished;
}

const CompletionRequest& Session::Impl::AttemptRequest() const {
  return attempt_.continuation ? attempt_.continuation_request : options_.request;
}

std::optional<Usage> Session::Impl::EstimateAttemptUsage() const {
  // Only a 2xx event stream means the model ran (and bills); an HTTP error or a cancel before
  // the response costs nothing that could be estimated.
  if (!options_.estimate_usage || !accepted_ || usage_final_) return std::nullopt;
  return session_internal::EstimateUsage(AttemptRequest(), AttemptOutput(), attempt_usage_);
}

const Completion& Session::Impl::AttemptOutput() const {
  // Only a continuation attempt starts from a non-empty result (AttemptFailed resets it for a
  // plain retry), and only its Stream assembles the deltas.
  return attempt_.continuation ? stream_.result() : assembler_.result();
}

void Session::Impl::CarryUsage() {
  Usage usage;
  bool estimated = false;
  if (usage_final_) {
    usage = attempt_usage_;  // the caller has this already, added to what was carried before
  } else if (std::optional<Usage> estimate = EstimateAttemptUsage()) {
    usage = *estimate;
    estimated = true;
  } else {
    carrying_ = true;
    return;
  }
  carried_usage_ = AddUsage(carried_usage_, usage);
  carried_cost_ = AddCost(carried_cost_, PriceUsage(usage, options_.prices, stream_.result().model,
                                                    options_.request.model));
  carrying_ = true;
  if (estimated) EmitUsageAndCost(carried_usage_, carried_cost_);
}

std::optional<Session::Impl::Attempt> Session::Impl::ContinuationAttempt(std::string* why) const {
  std::optional<CompletionRequest> request =
      session_internal::ContinuationRequest(options_.request, api_, assembler_.result().text());
  if (!request) {
    *why = "the partial answer is only whitespace";
    return std::nullopt;
  }
  Attempt next;
  next.continuation = true;
  next.continuation_request = std::move(*request);
  Error error;
  if (!BuildRequest(options_.provider, next.continuation_request, &next.http, &error)) {
    *why = error.message;
    return std::nullopt;
  }
  return next;
}

// splitmix64 (Steele, Lea, Flood 2014): tiny, seedable with any value, and the same natively
// and in wasm, so a seed reproduces the jitter everywhere.
uint64_t Session::Impl::NextRandom() {
  uint64_t z = (random_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace llmstream
