#include "llmstream/http_error.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>

namespace llmstream {
namespace {

// 2015-10-21T07:28:00Z, the MDN Retry-After example date.
constexpr int64_t kExampleDateMs = 1445412480000;

TEST(HttpErrorStatus, CodesFromStatus) {
  const std::pair<int, ErrorCode> cases[] = {
      {400, ErrorCode::kBadRequest}, {401, ErrorCode::kAuth},        {402, ErrorCode::kHttpStatus},
      {403, ErrorCode::kAuth},       {404, ErrorCode::kBadRequest},  {408, ErrorCode::kHttpStatus},
      {409, ErrorCode::kHttpStatus}, {413, ErrorCode::kBadRequest},  {422, ErrorCode::kBadRequest},
      {424, ErrorCode::kHttpStatus}, {429, ErrorCode::kRateLimited}, {498, ErrorCode::kRateLimited},
      {500, ErrorCode::kServer},     {502, ErrorCode::kServer},      {503, ErrorCode::kServer},
      {504, ErrorCode::kServer},     {529, ErrorCode::kServer}};
  for (const auto& [status, code] : cases) {
    Error error = ClassifyHttpError(Provider::kGroq, status, {}, "", 0);
    EXPECT_EQ(error.code, code) << status;
    EXPECT_EQ(error.http_status, status);
    EXPECT_FALSE(error.message.empty());
  }
}

TEST(HttpErrorBody, OpenAIShape) {
  Error error = ClassifyHttpError(
      Provider::kOpenAI, 400, {},
      R"({"error":{"message":"This model's maximum context length is 128000 tokens.",
          "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kBadRequest);
  EXPECT_EQ(error.provider_type, "context_length_exceeded");
  EXPECT_EQ(error.message,
            "HTTP 400 from openai: This model's maximum context length is 128000 tokens.");
}

TEST(HttpErrorBody, OpenAITypeWhenCodeIsNull) {
  Error error = ClassifyHttpError(
      Provider::kOpenAI, 500, {},
      R"({"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kServer);
  EXPECT_EQ(error.provider_type, "server_error");
}

TEST(HttpErrorBody, OpenAIInsufficientQuota) {
  Error error = ClassifyHttpError(
      Provider::kOpenAI, 429, {},
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(error.provider_type, "insufficient_quota");
}

TEST(HttpErrorBody, AnthropicShape) {
  Error error = ClassifyHttpError(
      Provider::kAnthropic, 529, {},
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kServer);
  EXPECT_EQ(error.provider_type, "overloaded_error");
  EXPECT_EQ(error.message, "HTTP 529 from anthropic: Overloaded");
}

TEST(HttpErrorBody, AnthropicPromptTooLong) {
  Error error = ClassifyHttpError(
      Provider::kAnthropic, 400, {},
      R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 205429 tokens > 200000 maximum"}})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kBadRequest);
  EXPECT_EQ(error.provider_type, "invalid_request_error");
  EXPECT_NE(error.message.find("205429 tokens"), std::string::npos);
}

TEST(HttpErrorBody, GroqRateLimitAndFlexCapacity) {
  Error limited = ClassifyHttpError(
      Provider::kGroq, 429, {{"retry-after", "7"}},
      R"({"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile`","type":"tokens","code":"rate_limit_exceeded"}})",
      0);
  EXPECT_EQ(limited.code, ErrorCode::kRateLimited);
  EXPECT_EQ(limited.provider_type, "rate_limit_exceeded");
  EXPECT_EQ(limited.retry_after_ms, 7000);
  Error flex = ClassifyHttpError(
      Provider::kGroq, 498, {},
      R"({"error":{"message":"Flex tier capacity exceeded","type":"capacity_exceeded"}})", 0);
  EXPECT_EQ(flex.code, ErrorCode::kRateLimited);
  EXPECT_EQ(flex.provider_type, "capacity_exceeded");
}

TEST(HttpErrorBody, OpenRouterNumericCodeAndUpstreamDetails) {
  Error error = ClassifyHttpError(
      Provider::kOpenRouter, 502, {},
      R"({"error":{"code":502,"message":"Provider returned error","metadata":{"provider_name":"Google","raw":"{\"error\":\"upstream boom\"}"}}})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kServer);
  EXPECT_EQ(error.provider_type, "");
  EXPECT_NE(error.message.find("Provider returned error [Google: "), std::string::npos)
      << error.message;
  EXPECT_NE(error.message.find("upstream boom"), std::string::npos);
}

TEST(HttpErrorBody, OpenRouterModerationReasons) {
  Error error = ClassifyHttpError(
      Provider::kOpenRouter, 403, {},
      R"({"error":{"code":403,"message":"Input was flagged","metadata":{"reasons":["violence","hate"],"flagged_input":"..."}}})",
      0);
  EXPECT_EQ(error.code, ErrorCode::kAuth);
  EXPECT_NE(error.message.find("reasons: violence, hate"), std::string::npos) << error.message;
}

TEST(HttpErrorBody, OpenRouterInsufficientCredits) {
  Error error = ClassifyHttpError(Provider::kOpenRouter, 402, {},
                                  R"({"error":{"code":402,"message":"Insufficient credits"}})", 0);
  EXPECT_EQ(error.code, ErrorCode::kHttpStatus);
  EXPECT_EQ(error.message, "HTTP 402 from openrouter: Insufficient credits");
}

TEST(HttpErrorBody, CompatibleServerShapes) {
  EXPECT_EQ(ClassifyHttpError(Provider::kCompatible, 404, {},
                              R"({"error":"model 'llama9' not found"})", 0)
                .message,
            "HTTP 404 from compatible: model 'llama9' not found");
  Error vllm = ClassifyHttpError(
      Provider::kCompatible, 400, {},
      R"({"object":"error","message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400})",
      0);
  EXPECT_EQ(vllm.message, "HTTP 400 from compatible: max_tokens is too large");
  EXPECT_EQ(vllm.provider_type, "BadRequestError");
  EXPECT_EQ(ClassifyHttpError(Provider::kLocal, 422, {}, R"({"detail":"bad field"})", 0).message,
            "HTTP 422 from local: bad field");
}

TEST(HttpErrorBody, NonJsonBodiesBecomeOneLineSnippets) {
  Error html = ClassifyHttpError(
      Provider::kOpenAI, 502, {},
      "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>cloudflare</body></html>", 0);
  EXPECT_EQ(html.message, "HTTP 502 from openai: 502 Bad Gateway");
  Error text = ClassifyHttpError(Provider::kAnthropic, 413, {}, "  request\n too   large \n", 0);
  EXPECT_EQ(text.message, "HTTP 413 from anthropic: request too large");
  Error empty = ClassifyHttpError(Provider::kGroq, 503, {}, "", 0);
  EXPECT_EQ(empty.message, "HTTP 503 from groq: Service Unavailable");
  Error huge = ClassifyHttpError(Provider::kGroq, 500, {}, std::string(5000, 'x'), 0);
  EXPECT_LT(huge.message.size(), 300u);
  EXPECT_EQ(huge.message.find('\n'), std::string::npos);
}

TEST(HttpErrorBody, EchoedKeysAreMasked) {
  Error echoed = ClassifyHttpError(
      Provider::kCompatible, 401, {},
      R"({"error":"invalid key sk-abcdefghijklmnopqrstuvwxyz012345 and gsk_ABCDEFGHIJKLMNOPQRST"})",
      0);
  EXPECT_EQ(echoed.message,
            "HTTP 401 from compatible: invalid key sk-[redacted] and gsk_[redacted]");
  Error masked = ClassifyHttpError(
      Provider::kOpenAI, 401, {},
      R"({"error":{"message":"Incorrect API key provided: sk-proj-********abcd.","type":"invalid_request_error","code":"invalid_api_key"}})",
      0);
  EXPECT_EQ(masked.message,
            "HTTP 401 from openai: Incorrect API key provided: sk-proj-********abcd.");
  EXPECT_EQ(masked.code, ErrorCode::kAuth);
  EXPECT_EQ(masked.provider_type, "invalid_api_key");
}

// Issue 13 (fuzz_http_error): everything an HTTP error quotes from the body is masked the same
// way, and the configured key is masked wherever it stands.
TEST(HttpErrorBody, ProviderTypeIsMaskedLikeTheMessage) {
  const std::string key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
  const std::string body = R"({"error":{"message":"denied","code":")" + key + R"("}})";
  const Error error = ClassifyHttpError(Provider::kOpenAI, 401, {}, body, 0);
  EXPECT_EQ(error.provider_type, "sk-[redacted]");
  EXPECT_EQ(error.message, "HTTP 401 from openai: denied");
  // A configured key of no known shape, glued to what precedes it: masked all the same.
  const Error glued =
      ClassifyHttpError(Provider::kCompatible, 401, {},
                        R"({"error":{"type":"badtenant.Zq81-secret"}})", 0, "tenant.Zq81-secret");
  EXPECT_EQ(glued.provider_type, "bad[redacted]");
  EXPECT_EQ(glued.message, "HTTP 401 from compatible: Unauthorized");
}

TEST(HttpErrorBody, ConfiguredKeyIsMaskedWhereverItStands) {
  const std::string key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
  const std::string body = R"({"error":"keys: x)" + key + " " + key + R"(_2 sk-)" + key + R"("})";
  // Unknown to the classifier, a key-shaped word counts only where a word starts.
  EXPECT_EQ(ClassifyHttpError(Provider::kCompatible, 401, {}, body, 0).message,
            "HTTP 401 from compatible: keys: x" + key + " sk-[redacted] sk-[redacted]");
  // The configured key is masked everywhere, glued to letters, digits, '-' or '_' included.
  EXPECT_EQ(ClassifyHttpError(Provider::kCompatible, 401, {}, body, 0, key).message,
            "HTTP 401 from compatible: keys: x[redacted] [redacted]_2 sk-[redacted]");
}

// A key straddling the 1,000-byte cut of the message (or the 100-byte one of provider_type) is
// masked before the cut: no prefix of it remains, at any position.
TEST(HttpErrorBody, KeyAtTheCutLeavesNoPrefix) {
  const std::string known = "tenant.Zq81-secret-0042";  // of no known shape: only given, masked
  const std::string shaped = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
  for (const auto& [key, api_key] :
       {std::pair<std::string, std::string>{known, known}, {shaped, ""}}) {
    // The message is "aaa... <key> tail": the key starts at byte before + 1.
    for (size_t before = 1000 - key.size() - 1; before < 1000; ++before) {
      const std::string body =
          R"({"error":{"message":")" + std::string(before, 'a') + " " + key + R"( tail"}})";
      const Error error = ClassifyHttpError(Provider::kOpenAI, 400, {}, body, 0, api_key);
      EXPECT_EQ(error.message.find(key.substr(0, 4)), std::string::npos)
          << before << ": " << error.message.substr(error.message.size() - 40);
    }
    for (size_t before = 100 - key.size() - 1; before < 100; ++before) {
      const std::string body = R"({"error":{"message":"m","type":")" + std::string(before, 'b') +
                               " " + key + R"( tail"}})";
      const Error error = ClassifyHttpError(Provider::kOpenAI, 400, {}, body, 0, api_key);
      EXPECT_EQ(error.provider_type.find(key.substr(0, 4)), std::string::npos)
          << before << ": " << error.provider_type;
    }
  }
}

TEST(HttpErrorBody, OpenRouterDetailsAreOneLineAndMasked) {
  const std::string key = "or-tenant-Zq81-secret";
  const std::string body =
      R"({"error":{"code":403,"message":"Input was flagged","metadata":{"provider_name":"Up\r\nstream )" +
      key + R"(","reasons":["vio\nlence","ha\r\nte )" + key + R"(","x"],"raw":"a\n\nb"}}})";
  const Error error = ClassifyHttpError(Provider::kOpenRouter, 403, {}, body, 0, key);
  EXPECT_EQ(error.message,
            "HTTP 403 from openrouter: Input was flagged [Up stream [redacted]: a b; reasons: "
            "vio lence, ha te [redacted], x]");
}

// A body whose JSON has an object of more than 256 keys is refused before it is built (nlohmann's
// ordered_json inserts a key by linear search: n^2), and shown as text like any non-JSON body.
TEST(HttpErrorBody, ObjectsOfMoreThan256KeysAreShownAsText) {
  auto body_with_keys = [](int keys) {
    std::string body = R"({"error":{"message":"many keys")";
    for (int i = 1; i < keys; ++i) body += ",\"k" + std::to_string(i) + "\":0";
    return body + "}}";
  };
  EXPECT_EQ(ClassifyHttpError(Provider::kOpenAI, 400, {}, body_with_keys(256), 0).message,
            "HTTP 400 from openai: many keys");
  const Error over = ClassifyHttpError(Provider::kOpenAI, 400, {}, body_with_keys(257), 0);
  EXPECT_EQ(
      over.message.rfind(R"(HTTP 400 from openai: {"error":{"message":"many keys","k1":0)", 0), 0u)
      << over.message.substr(0, 80);
}

TEST(HttpErrorRetryAfter, MillisecondsHeaderWins) {
  HeaderList headers = {{"Retry-After", "30"}, {"retry-after-ms", "1500"}};
  EXPECT_EQ(RetryAfterMs(headers, 0), 1500);
  EXPECT_EQ(ClassifyHttpError(Provider::kOpenAI, 429, headers, "", 0).retry_after_ms, 1500);
}

TEST(HttpErrorRetryAfter, SecondsIncludingFractions) {
  EXPECT_EQ(RetryAfterMs({{"retry-after", "20"}}, 0), 20000);
  EXPECT_EQ(RetryAfterMs({{"RETRY-AFTER", " 1.5 "}}, 0), 1500);
  EXPECT_EQ(RetryAfterMs({{"retry-after", "0"}}, 0), 0);
  EXPECT_EQ(RetryAfterMs({{"retry-after", "-3"}}, 0), std::nullopt);
  EXPECT_EQ(RetryAfterMs({{"retry-after", "soon"}}, 0), std::nullopt);
  EXPECT_EQ(RetryAfterMs({}, 0), std::nullopt);
}

TEST(HttpErrorRetryAfter, HttpDateRelativeToNow) {
  HeaderList headers = {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  EXPECT_EQ(RetryAfterMs(headers, kExampleDateMs - 12'345), 12'345);
  EXPECT_EQ(RetryAfterMs(headers, kExampleDateMs + 5'000), 0) << "a past date means now";
  Error error = ClassifyHttpError(Provider::kAnthropic, 429, headers, "", kExampleDateMs - 2'000);
  EXPECT_EQ(error.retry_after_ms, 2'000);
}

TEST(HttpErrorRetryAfter, ParseHttpDate) {
  EXPECT_EQ(ParseHttpDate("Wed, 21 Oct 2015 07:28:00 GMT"), kExampleDateMs);
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777000);
  EXPECT_EQ(ParseHttpDate("Tue, 29 Feb 2028 23:59:59 GMT"), 1835481599000);
  EXPECT_EQ(ParseHttpDate("21 Oct 2015 07:28:00 GMT"), kExampleDateMs);
  EXPECT_EQ(ParseHttpDate("Wed, 21 Foo 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Wed, 21 Oct 2015 25:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Wed, 21 Oct 2015 07:28:00 PST"), std::nullopt);
  EXPECT_EQ(ParseHttpDate(""), std::nullopt);
}

TEST(HttpErrorRetry, StatusRuleAndShouldRetryHeader) {
  for (int status : {408, 409, 429, 498, 500, 502, 503, 504, 529}) {
    EXPECT_TRUE(ShouldRetryStatus(status, {})) << status;
  }
  for (int status : {400, 401, 403, 404, 413, 422}) EXPECT_FALSE(ShouldRetryStatus(status, {}));
  EXPECT_FALSE(ShouldRetryStatus(503, {{"x-should-retry", "false"}}));
  EXPECT_TRUE(ShouldRetryStatus(400, {{"X-Should-Retry", "true"}}));
  EXPECT_TRUE(ShouldRetryStatus(500, {{"x-should-retry", "maybe"}}));
  EXPECT_EQ(ShouldRetryHeader({{"x-should-retry", "False"}}), false);
  EXPECT_EQ(ShouldRetryHeader({}), std::nullopt);
}

TEST(HttpErrorRateLimit, DurationForms) {
  EXPECT_EQ(ParseDurationMs("6m0s"), 360000);
  EXPECT_EQ(ParseDurationMs("4ms"), 4);
  EXPECT_EQ(ParseDurationMs("1.5s"), 1500);
  EXPECT_EQ(ParseDurationMs("0s"), 0);
  EXPECT_EQ(ParseDurationMs("2m59.56s"), 179560);
  EXPECT_EQ(ParseDurationMs("1h2m3s"), 3723000);
  EXPECT_EQ(ParseDurationMs("7.66"), 7660);
  EXPECT_EQ(ParseDurationMs("250us"), 0);
  EXPECT_EQ(ParseDurationMs("1500us"), 2);
  EXPECT_EQ(ParseDurationMs("6x"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("s"), std::nullopt);
  EXPECT_EQ(ParseDurationMs(""), std::nullopt);
}

TEST(HttpErrorRateLimit, OpenAIAndGroqHeaders) {
  HeaderList headers = {
      {"x-ratelimit-limit-requests", "10000"},    {"X-RateLimit-Limit-Tokens", "30000000"},
      {"x-ratelimit-remaining-requests", "9999"}, {"x-ratelimit-remaining-tokens", "29999990"},
      {"x-ratelimit-reset-requests", "6ms"},      {"x-ratelimit-reset-tokens", "6m0s"}};
  RateLimitInfo info = ParseRateLimitHeaders(headers, 0);
  EXPECT_EQ(info.requests.limit, 10000);
  EXPECT_EQ(info.requests.remaining, 9999);
  EXPECT_EQ(info.requests.reset, "6ms");
  EXPECT_EQ(info.requests.reset_ms, 6);
  EXPECT_EQ(info.tokens.limit, 30000000);
  EXPECT_EQ(info.tokens.remaining, 29999990);
  EXPECT_EQ(info.tokens.reset, "6m0s");
  EXPECT_EQ(info.tokens.reset_ms, 360000);
  EXPECT_TRUE(info.input_tokens.empty());
  EXPECT_FALSE(info.empty());
}

TEST(HttpErrorRateLimit, AnthropicHeadersWithRfc3339Resets) {
  const int64_t now = ParseRfc3339("2024-10-17T21:31:00Z").value();
  HeaderList headers = {{"anthropic-ratelimit-requests-limit", "50"},
                        {"anthropic-ratelimit-requests-remaining", "49"},
                        {"anthropic-ratelimit-requests-reset", "2024-10-17T21:31:52Z"},
                        {"anthropic-ratelimit-tokens-limit", "40000"},
                        {"anthropic-ratelimit-tokens-remaining", "39000"},
                        {"anthropic-ratelimit-tokens-reset", "2024-10-17T21:31:01.500Z"},
                        {"anthropic-ratelimit-input-tokens-limit", "30000"},
                        {"anthropic-ratelimit-output-tokens-remaining", "7000"}};
  RateLimitInfo info = ParseRateLimitHeaders(headers, now);
  EXPECT_EQ(info.requests.limit, 50);
  EXPECT_EQ(info.requests.remaining, 49);
  EXPECT_EQ(info.requests.reset, "2024-10-17T21:31:52Z");
  EXPECT_EQ(info.requests.reset_ms, 52000);
  EXPECT_EQ(info.tokens.reset_ms, 1500);
  EXPECT_EQ(info.input_tokens.limit, 30000);
  EXPECT_EQ(info.output_tokens.remaining, 7000);
}

TEST(HttpErrorRateLimit, OpenRouterTimestampReset) {
  RateLimitInfo info = ParseRateLimitHeaders({{"X-RateLimit-Limit", "20"},
                                              {"X-RateLimit-Remaining", "0"},
                                              {"X-RateLimit-Reset", "1741305600000"}},
                                             1741305590000);
  EXPECT_EQ(info.requests.limit, 20);
  EXPECT_EQ(info.requests.remaining, 0);
  EXPECT_EQ(info.requests.reset_ms, 10000);
}

TEST(HttpErrorRateLimit, Rfc3339Forms) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2015-10-21T07:28:00Z"), kExampleDateMs);
  EXPECT_EQ(ParseRfc3339("2015-10-21T09:28:00+02:00"), kExampleDateMs);
  EXPECT_EQ(ParseRfc3339("2015-10-21T07:28:00.25Z"), kExampleDateMs + 250);
  EXPECT_EQ(ParseRfc3339("2015-10-21 07:28:00"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("yesterday"), std::nullopt);
}

// Issue 13 (fuzz_http_error): waits and resets are clamped to 0 .. 9e15 ms (below 2^53, exact in
// JS), never wrapped negative, and computed without signed overflow for any "now".
constexpr int64_t kMaxWaitMs = 9000000000000000;
constexpr int64_t kMinNow = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxNow = std::numeric_limits<int64_t>::max();

TEST(HttpErrorRateLimit, HugeDurationsAreClamped) {
  EXPECT_EQ(ParseDurationMs("9000000000000"), kMaxWaitMs);     // 9e12 s, exactly the bound
  EXPECT_EQ(ParseDurationMs("9300000000000000"), kMaxWaitMs);  // was negative (llround overflow)
  EXPECT_EQ(ParseDurationMs("92233720368547758070"), kMaxWaitMs);
  EXPECT_EQ(ParseDurationMs("1" + std::string(400, '0')), kMaxWaitMs);  // beyond a double too
  EXPECT_EQ(ParseDurationMs("99999999999999999h59m"), kMaxWaitMs);
  EXPECT_EQ(ParseDurationMs(std::string(4000, '9') + "h"), kMaxWaitMs);
  EXPECT_EQ(ParseDurationMs("8999999999999.5"), kMaxWaitMs - 500);
}

TEST(HttpErrorRetryAfter, HugeWaitsAreClamped) {
  EXPECT_EQ(RetryAfterMs({{"retry-after", "9300000000000000"}}, 0), kMaxWaitMs);
  EXPECT_EQ(RetryAfterMs({{"retry-after", "10000000000000"}}, 0), kMaxWaitMs);
  EXPECT_EQ(RetryAfterMs({{"retry-after-ms", "9300000000000000000"}}, 0), kMaxWaitMs);
  EXPECT_EQ(RetryAfterMs({{"retry-after-ms", std::string(400, '9')}}, 0), kMaxWaitMs);
  const HeaderList date = {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  EXPECT_EQ(RetryAfterMs(date, kMinNow), kMaxWaitMs);  // date - now: no signed overflow
  EXPECT_EQ(RetryAfterMs(date, kMaxNow), 0);
  EXPECT_EQ(ClassifyHttpError(Provider::kOpenAI, 429, date, "", kMinNow).retry_after_ms,
            kMaxWaitMs);
}

TEST(HttpErrorRateLimit, HugeResetsAreClamped) {
  for (const char* reset : {"9300000000000000000", "92233720368547758080", "9223372036854775807",
                            "18446744073709551616000"}) {
    for (int64_t now : {int64_t{0}, int64_t{1741305590000}, kMinNow}) {
      const RateLimitInfo info = ParseRateLimitHeaders({{"x-ratelimit-reset", reset}}, now);
      EXPECT_EQ(info.requests.reset_ms, kMaxWaitMs) << reset << " at " << now;
    }
  }
  // Seconds since the epoch, and an RFC 3339 time, against the extreme "now"s.
  EXPECT_EQ(ParseRateLimitHeaders({{"x-ratelimit-reset", "1741305600"}}, kMinNow).requests.reset_ms,
            kMaxWaitMs);
  const HeaderList rfc3339 = {{"anthropic-ratelimit-tokens-reset", "2024-10-17T21:31:52Z"}};
  EXPECT_EQ(ParseRateLimitHeaders(rfc3339, kMinNow).tokens.reset_ms, kMaxWaitMs);
  EXPECT_EQ(ParseRateLimitHeaders(rfc3339, kMaxNow).tokens.reset_ms, 0);
}

TEST(HttpErrorRateLimit, NoHeadersIsEmpty) {
  EXPECT_TRUE(ParseRateLimitHeaders({{"content-type", "application/json"}}, 0).empty());
}

}  // namespace
}  // namespace llmstream
