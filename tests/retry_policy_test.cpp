#include "llmstream/retry_policy.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace llmstream {
namespace {

constexpr uint64_t kNoJitter = 0;              // random 0 removes nothing
constexpr uint64_t kMaxJitter = ~uint64_t{0};  // random ~1 removes the full jitter fraction

Error MakeError(ErrorCode code, int status = 0, std::string provider_type = "") {
  Error error;
  error.code = code;
  error.http_status = status;
  error.provider_type = std::move(provider_type);
  error.message = "test";
  return error;
}

TEST(RetryPolicy, ExponentialBackoffWithoutJitter) {
  RetryPolicy policy;
  policy.max_retries = 5;
  const Error error = MakeError(ErrorCode::kServer, 503);
  EXPECT_EQ(Decide(policy, 0, error, false, kNoJitter).delay_ms, 500);
  EXPECT_EQ(Decide(policy, 1, error, false, kNoJitter).delay_ms, 1000);
  EXPECT_EQ(Decide(policy, 2, error, false, kNoJitter).delay_ms, 2000);
  EXPECT_EQ(Decide(policy, 3, error, false, kNoJitter).delay_ms, 4000);
  EXPECT_TRUE(Decide(policy, 0, error, false, kNoJitter).retry);
}

TEST(RetryPolicy, BackoffIsCappedAndNeverOverflows) {
  RetryPolicy policy;
  policy.max_retries = 1000;
  const Error error = MakeError(ErrorCode::kNetwork);
  EXPECT_EQ(Decide(policy, 10, error, false, kNoJitter).delay_ms, 30000);
  EXPECT_EQ(Decide(policy, 500, error, false, kNoJitter).delay_ms, 30000);
}

TEST(RetryPolicy, JitterOnlyShortensTheDelay) {
  RetryPolicy policy;  // jitter 0.25
  const Error error = MakeError(ErrorCode::kTimeout);
  const RetryDecision most = Decide(policy, 1, error, false, kMaxJitter);
  EXPECT_TRUE(most.retry);
  EXPECT_GE(most.delay_ms, 750);
  EXPECT_LE(most.delay_ms, 751);
  const RetryDecision half = Decide(policy, 1, error, false, uint64_t{1} << 63);
  EXPECT_EQ(half.delay_ms, 875);  // 1000 * (1 - 0.25 * 0.5)
  for (uint64_t bits = 1; bits != 0; bits <<= 1) {
    const int64_t delay = Decide(policy, 1, error, false, bits * 0x9E3779B97F4A7C15ull).delay_ms;
    EXPECT_GE(delay, 750);
    EXPECT_LE(delay, 1000);
  }
}

TEST(RetryPolicy, NeverAfterOutputWasDelivered) {
  const RetryDecision d = Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kTruncated), true, 0);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("output"), std::string::npos);
  EXPECT_FALSE(Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kRateLimited, 429), true, 0).retry);
}

TEST(RetryPolicy, OnlyRetryableCodes) {
  for (ErrorCode code :
       {ErrorCode::kRateLimited, ErrorCode::kServer, ErrorCode::kTimeout, ErrorCode::kStalled,
        ErrorCode::kNetwork, ErrorCode::kTruncated, ErrorCode::kProviderError}) {
    EXPECT_TRUE(Decide(RetryPolicy{}, 0, MakeError(code), false, 0).retry) << ErrorCodeName(code);
  }
  for (ErrorCode code :
       {ErrorCode::kAuth, ErrorCode::kBadRequest, ErrorCode::kInvalidRequest, ErrorCode::kAborted,
        ErrorCode::kBadJson, ErrorCode::kContentFilter, ErrorCode::kNotEventStream,
        ErrorCode::kSseLineTooLong, ErrorCode::kHttpStatus}) {
    const RetryDecision d = Decide(RetryPolicy{}, 0, MakeError(code, 400), false, 0);
    EXPECT_FALSE(d.retry) << ErrorCodeName(code);
    EXPECT_NE(d.reason.find("not retryable"), std::string::npos) << d.reason;
  }
  EXPECT_FALSE(Decide(RetryPolicy{}, 0, Error{}, false, 0).retry);
}

TEST(RetryPolicy, RequestTimeoutAndConflictStatusesAreRetried) {
  EXPECT_TRUE(Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kHttpStatus, 408), false, 0).retry);
  EXPECT_TRUE(Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kHttpStatus, 409), false, 0).retry);
  EXPECT_FALSE(Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kHttpStatus, 402), false, 0).retry);
}

TEST(RetryPolicy, QuotaAndInvalidRequestTypesAreNotRetried) {
  EXPECT_FALSE(Decide(RetryPolicy{}, 0,
                      MakeError(ErrorCode::kRateLimited, 429, "insufficient_quota"), false, 0)
                   .retry);
  EXPECT_FALSE(Decide(RetryPolicy{}, 0,
                      MakeError(ErrorCode::kProviderError, 0, "invalid_request_error"), false, 0)
                   .retry);
  EXPECT_TRUE(Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kProviderError, 0, "overloaded_error"),
                     false, 0)
                  .retry);
}

TEST(RetryPolicy, GivesUpAfterMaxRetries) {
  RetryPolicy policy;  // max_retries 2
  const Error error = MakeError(ErrorCode::kServer, 500);
  EXPECT_TRUE(Decide(policy, 1, error, false, 0).retry);
  const RetryDecision d = Decide(policy, 2, error, false, 0);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("2 retries"), std::string::npos) << d.reason;
  policy.max_retries = 0;
  EXPECT_FALSE(Decide(policy, 0, error, false, 0).retry);
}

TEST(RetryPolicy, RetryAfterWinsExactly) {
  Error error = MakeError(ErrorCode::kRateLimited, 429);
  error.retry_after_ms = 7000;
  const RetryDecision d = Decide(RetryPolicy{}, 0, error, false, kMaxJitter);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay_ms, 7000);
  EXPECT_NE(d.reason.find("Retry-After"), std::string::npos);
  error.retry_after_ms = 0;
  EXPECT_EQ(Decide(RetryPolicy{}, 0, error, false, kMaxJitter).delay_ms, 0);
}

TEST(RetryPolicy, RetryAfterBeyondTheCapGivesUp) {
  Error error = MakeError(ErrorCode::kRateLimited, 429);
  error.retry_after_ms = 120000;
  const RetryDecision d = Decide(RetryPolicy{}, 0, error, false, 0);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("120000"), std::string::npos) << d.reason;
  RetryPolicy patient;
  patient.max_delay_ms = 180000;
  EXPECT_EQ(Decide(patient, 0, error, false, 0).delay_ms, 120000);
}

TEST(RetryPolicy, ShouldRetryHeaderOverrules) {
  const Error server = MakeError(ErrorCode::kServer, 503);
  const RetryDecision no = Decide(RetryPolicy{}, 0, server, false, 0, false);
  EXPECT_FALSE(no.retry);
  EXPECT_NE(no.reason.find("x-should-retry"), std::string::npos);
  EXPECT_TRUE(
      Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kBadRequest, 400), false, 0, true).retry);
  EXPECT_FALSE(Decide(RetryPolicy{}, 0, server, true, 0, true).retry) << "output still wins";
}

TEST(RetryPolicy, ReasonNamesTheError) {
  const RetryDecision d =
      Decide(RetryPolicy{}, 0, MakeError(ErrorCode::kRateLimited, 429, "rate_limit_exceeded"),
             false, kNoJitter);
  EXPECT_EQ(d.reason, "rate_limited (HTTP 429) rate_limit_exceeded: retry 1 in 500 ms (backoff)");
}

TEST(RetryErrorCodes, NamesAreStableSnakeCase) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNone), "none");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kSseLineTooLong), "sse_line_too_long");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kSseEventTooLarge), "sse_event_too_large");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kRateLimited), "rate_limited");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotEventStream), "not_event_stream");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidRequest), "invalid_request");
  EXPECT_EQ(ErrorCodeName(static_cast<ErrorCode>(999)), "unknown");
  for (int i = 0; i <= 60; ++i) {
    std::string_view name = ErrorCodeName(static_cast<ErrorCode>(i));
    EXPECT_FALSE(name.empty());
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
  }
}

TEST(RetryErrorCodes, RetryableSet) {
  EXPECT_TRUE(IsRetryable(ErrorCode::kRateLimited));
  EXPECT_TRUE(IsRetryable(ErrorCode::kServer));
  EXPECT_TRUE(IsRetryable(ErrorCode::kNetwork));
  EXPECT_TRUE(IsRetryable(ErrorCode::kTruncated));
  EXPECT_FALSE(IsRetryable(ErrorCode::kAuth));
  EXPECT_FALSE(IsRetryable(ErrorCode::kAborted));
  EXPECT_FALSE(IsRetryable(ErrorCode::kNone));
}

}  // namespace
}  // namespace llmstream
