// HTTP error bodies of the providers added with issue 14, classified into our codes.
#include <gtest/gtest.h>

#include <string>

#include "llmstream/http_error.h"

namespace llmstream {
namespace {

TEST(HttpErrorProviders, GeminiRateLimitWithRetryInfo) {
  const Error error = ClassifyHttpError(Provider::kGemini, 429, {}, R"({"error":{"code":429,
    "message":"You exceeded your current quota, please check your plan and billing details.",
    "status":"RESOURCE_EXHAUSTED","details":[
      {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
      {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}})",
                                        0);
  EXPECT_EQ(error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(error.provider_type, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(error.retry_after_ms, 17000);
  EXPECT_EQ(error.message,
            "HTTP 429 from gemini: You exceeded your current quota, please check your plan and "
            "billing details.");
  // A Retry-After header wins over the body's hint.
  const Error with_header = ClassifyHttpError(
      Provider::kGemini, 429, {{"Retry-After", "3"}},
      R"({"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED","details":[
        {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17.5s"}]}})",
      0);
  EXPECT_EQ(with_header.retry_after_ms, 3000);
}

TEST(HttpErrorProviders, GeminiBadKeyIsAuthAndArrayBodiesAreRead) {
  // Gemini answers a bad key with 400; streamGenerateContent without alt=sse wraps the error in
  // an array.
  const Error error = ClassifyHttpError(Provider::kGemini, 400, {}, R"([{"error":{"code":400,
    "message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
    "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",
    "domain":"googleapis.com"}]}}])",
                                        0);
  EXPECT_EQ(error.code, ErrorCode::kAuth);
  EXPECT_EQ(error.provider_type, "INVALID_ARGUMENT");
  EXPECT_EQ(error.message, "HTTP 400 from gemini: API key not valid. Please pass a valid API key.");
  const Error overloaded = ClassifyHttpError(
      Provider::kGemini, 503, {},
      R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})", 0);
  EXPECT_EQ(overloaded.code, ErrorCode::kServer);
  EXPECT_EQ(overloaded.provider_type, "UNAVAILABLE");
  EXPECT_FALSE(overloaded.retry_after_ms.has_value());
}

TEST(HttpErrorProviders, CohereMessageAndItsInvalidToken) {
  const Error error = ClassifyHttpError(
      Provider::kCohere, 429, {},
      R"({"message":"You are using a Trial key, which is limited to 10 API calls / minute."})", 0);
  EXPECT_EQ(error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(error.message,
            "HTTP 429 from cohere: You are using a Trial key, which is limited to 10 API calls / "
            "minute.");
  // 498 is Groq's "capacity exceeded" but Cohere's "invalid token".
  EXPECT_EQ(
      ClassifyHttpError(Provider::kCohere, 498, {}, R"({"message":"invalid api token"})", 0).code,
      ErrorCode::kAuth);
  EXPECT_EQ(ClassifyHttpError(Provider::kGroq, 498, {}, "", 0).code, ErrorCode::kRateLimited);
}

TEST(HttpErrorProviders, OllamaErrorString) {
  const Error error =
      ClassifyHttpError(Provider::kOllama, 404, {},
                        R"({"error":"model 'llama9' not found, try pulling it first"})", 0);
  EXPECT_EQ(error.code, ErrorCode::kBadRequest);
  EXPECT_EQ(error.message, "HTTP 404 from ollama: model 'llama9' not found, try pulling it first");
}

TEST(HttpErrorProviders, MistralDeepSeekAzureXai) {
  const Error mistral = ClassifyHttpError(Provider::kMistral, 401, {},
                                          R"({"message":"Unauthorized","request_id":"abc"})", 0);
  EXPECT_EQ(mistral.code, ErrorCode::kAuth);
  EXPECT_EQ(mistral.message, "HTTP 401 from mistral: Unauthorized");

  const Error deepseek = ClassifyHttpError(Provider::kDeepSeek, 402, {},
                                           R"({"error":{"message":"Insufficient Balance",
    "type":"unknown_error","param":null,"code":"invalid_request_error"}})",
                                           0);
  EXPECT_EQ(deepseek.code, ErrorCode::kHttpStatus);
  EXPECT_EQ(deepseek.message, "HTTP 402 from deepseek: Insufficient Balance");

  const Error azure = ClassifyHttpError(
      Provider::kAzure, 429, {{"retry-after", "12"}},
      R"({"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded call rate limit."}})",
      0);
  EXPECT_EQ(azure.code, ErrorCode::kRateLimited);
  EXPECT_EQ(azure.retry_after_ms, 12000);
  EXPECT_EQ(azure.provider_type, "429");

  // xAI puts the message in a string `error` and echoes a key look-alike.
  const Error xai = ClassifyHttpError(
      Provider::kXai, 400, {},
      R"({"code":"Client specified an invalid argument","error":"Incorrect API key provided: xai-abcdefghijklmnopqrstuvwxyz0123. You can obtain an API key from https://console.x.ai."})",
      0);
  EXPECT_EQ(xai.code, ErrorCode::kBadRequest);
  EXPECT_EQ(xai.message.find("abcdefghijklmnop"), std::string::npos) << xai.message;
  EXPECT_NE(xai.message.find("Incorrect API key provided: xai-"), std::string::npos);
}

TEST(HttpErrorProviders, GoogleKeyLookAlikesAreMasked) {
  const Error error = ClassifyHttpError(
      Provider::kGemini, 400, {},
      R"({"error":{"code":400,"message":"key AIzaSyA1234567890abcdefghijklmnopqrstu rejected","status":"INVALID_ARGUMENT"}})",
      0);
  EXPECT_EQ(error.message.find("SyA1234567890"), std::string::npos) << error.message;
}

TEST(HttpErrorProviders, BedrockExceptionHeader) {
  const Error error = ClassifyHttpError(
      Provider::kBedrock, 429,
      {{"x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/"}},
      R"({"message":"Too many requests, please wait before trying again."})", 0);
  EXPECT_EQ(error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(error.provider_type, "ThrottlingException");
  EXPECT_EQ(error.message,
            "HTTP 429 from bedrock: Too many requests, please wait before trying again.");
}

}  // namespace
}  // namespace llmstream
