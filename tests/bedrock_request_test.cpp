// AWS Bedrock ConverseStream requests (request/bedrock_request.h) and their HTTP errors
// (request/bedrock_http_error.h). Shapes from the Bedrock Converse API reference; the URL and the
// signature checked against what @aws-sdk/client-bedrock-runtime 3.1178 sends (captured from the
// SDK with a request handler that never sends) and botocore 1.43's SigV4Auth.
#include "request/bedrock_request.h"

#include <gtest/gtest.h>

#include <string>

#include "llmstream/http_error.h"
#include "request/bedrock_http_error.h"
#include "request/sigv4.h"

namespace llmstream::request_internal {
namespace {

const ProviderConfig kBedrockConfig{.provider = Provider::kBedrock};

Json Body(const CompletionRequest& request) {
  Json body = Json::object();
  Error error;
  EXPECT_TRUE(BuildBedrockBody(kBedrockConfig, request, &body, &error)) << error.message;
  return body;
}

// The AWS documentation's example credentials (never valid).
const AwsCredentials kExampleCredentials{
    .access_key_id = "AKIDEXAMPLE",
    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    .session_token = "FwoGZXIvYXdzEXAMPLETOKEN"};

Json ParseOrDie(const std::string& text) {
  Json out;
  EXPECT_TRUE(ParseJson(text, &out)) << text;
  return out;
}

std::string Refused(const CompletionRequest& request) {
  Json body = Json::object();
  Error error;
  EXPECT_FALSE(BuildBedrockBody(kBedrockConfig, request, &body, &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  return error.message;
}

std::string HeaderValue(const HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

TEST(BedrockRequest, UrlEncodesTheModelIdWhole) {
  EXPECT_EQ(BedrockDefaultBaseUrl("us-east-1"), "https://bedrock-runtime.us-east-1.amazonaws.com");
  EXPECT_EQ(BedrockDefaultBaseUrl("cn-north-1"),
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(BedrockDefaultBaseUrl(""), "");
  EXPECT_EQ(BedrockDefaultBaseUrl("us-east-1.evil.com/"), "");
  EXPECT_EQ(BedrockConverseStreamUrl("https://bedrock-runtime.us-east-1.amazonaws.com/",
                                     "anthropic.claude-3-haiku-20240307-v1:0"),
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
            "anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
  // The path @aws-sdk/client-bedrock-runtime sends for this ARN (captured).
  EXPECT_EQ(BedrockConverseStreamUrl("https://bedrock-runtime.us-west-2.amazonaws.com",
                                     "arn:aws:bedrock:us-west-2:123456789012:inference-profile/"
                                     "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            "https://bedrock-runtime.us-west-2.amazonaws.com/model/"
            "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2F"
            "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream");
}

TEST(BedrockRequest, PromptBody) {
  const Json body = Body({.model = "amazon.nova-lite-v1:0",
                          .prompt = "Hello",
                          .system = "Be brief.",
                          .max_tokens = 100,
                          .temperature = 0.5,
                          .top_p = 0.9,
                          .stop = {"END"}});
  EXPECT_EQ(body, ParseOrDie(R"({
    "messages": [{"role": "user", "content": [{"text": "Hello"}]}],
    "system": [{"text": "Be brief."}],
    "inferenceConfig": {"maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]}
  })"));
  EXPECT_FALSE(body.contains("model"));  // the model is in the URL
  EXPECT_EQ(Body({.model = "m", .prompt = "Hi"}),
            ParseOrDie(R"({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]})"));
}

TEST(BedrockRequest, ConversationWithToolsMergesResultsIntoOneUserTurn) {
  CompletionRequest request{
      .model = "us.anthropic.claude-sonnet-4-20250514-v1:0",
      .messages =
          {{.role = "system", .content = "Use tools."},
           {.role = "user", .content = "Weather in Paris and Rome?"},
           {.role = "assistant",
            .content = "Checking.",
            .tool_calls = {{.id = "t1", .name = "weather", .arguments = R"({"city":"Paris"})"},
                           {.id = "t2", .name = "weather", .arguments = ""}}},
           {.role = "tool", .content = "18C", .tool_call_id = "t1"},
           {.role = "tool", .tool_call_id = "t2", .content_json = R"({"celsius":21})"},
           {.role = "user", .content = "Thanks. Which is warmer?"}},
      .tools = {{.name = "weather",
                 .description = "Current weather",
                 .parameters_json = R"({"type":"object","properties":{"city":{"type":"string"}}})"},
                {.name = "time"}},
      .tool_choice = "auto"};
  EXPECT_EQ(Body(request), ParseOrDie(R"({
    "messages": [
      {"role": "user", "content": [{"text": "Weather in Paris and Rome?"}]},
      {"role": "assistant", "content": [
        {"text": "Checking."},
        {"toolUse": {"toolUseId": "t1", "name": "weather", "input": {"city": "Paris"}}},
        {"toolUse": {"toolUseId": "t2", "name": "weather", "input": {}}}]},
      {"role": "user", "content": [
        {"toolResult": {"toolUseId": "t1", "content": [{"text": "18C"}]}},
        {"toolResult": {"toolUseId": "t2", "content": [{"json": {"celsius": 21}}]}},
        {"text": "Thanks. Which is warmer?"}]}
    ],
    "system": [{"text": "Use tools."}],
    "toolConfig": {
      "tools": [
        {"toolSpec": {"name": "weather", "description": "Current weather",
                      "inputSchema": {"json": {"type": "object",
                                               "properties": {"city": {"type": "string"}}}}}},
        {"toolSpec": {"name": "time",
                      "inputSchema": {"json": {"type": "object", "properties": {}}}}}],
      "toolChoice": {"auto": {}}}
  })"));

  request.tool_choice = "required";
  EXPECT_EQ(Body(request)["toolConfig"]["toolChoice"], ParseOrDie(R"({"any": {}})"));
  request.tool_choice = "time";
  EXPECT_EQ(Body(request)["toolConfig"]["toolChoice"], ParseOrDie(R"({"tool": {"name": "time"}})"));
  request.tool_choice = "none";  // Converse has no "none", and this history needs the tools
  EXPECT_NE(Refused(request).find("tool_choice 'none'"), std::string::npos);
  request.tool_choice = "";
  request.tools.clear();
  EXPECT_NE(Refused(request).find("tools is empty"), std::string::npos);
}

TEST(BedrockRequest, ToolChoiceNoneWithoutToolHistoryOffersNoTools) {
  const Json body =
      Body({.model = "m", .prompt = "Hi", .tools = {{.name = "f"}}, .tool_choice = "none"});
  EXPECT_FALSE(body.contains("toolConfig"));
}

TEST(BedrockRequest, ConsecutiveTurnsOfOneRoleMerge) {
  const Json body = Body({.model = "m",
                          .prompt = "third",
                          .messages = {{.role = "user", .content = "first"},
                                       {.role = "user", .content = "second"},
                                       {.role = "assistant", .content = "a"},
                                       {.role = "assistant", .content = "b"}}});
  EXPECT_EQ(body["messages"], ParseOrDie(R"([
    {"role": "user", "content": [{"text": "first"}, {"text": "second"}]},
    {"role": "assistant", "content": [{"text": "a"}, {"text": "b"}]},
    {"role": "user", "content": [{"text": "third"}]}])"));
}

TEST(BedrockRequest, ContentJsonIsBedrockBlocks) {
  const Json body = Body(
      {.model = "anthropic.claude-3-7-sonnet-20250219-v1:0",
       .messages = {{.role = "user", .content = "Hi"},
                    {.role = "assistant", .content_json = R"([{"reasoningContent": {"reasoningText":
                        {"text": "hm", "signature": "sig"}}}, {"text": "Hello"}])"},
                    {.role = "user", .content_json = R"({"text": "again"})"}}});
  EXPECT_EQ(body["messages"][1]["content"][0]["reasoningContent"]["reasoningText"]["signature"],
            "sig");
  EXPECT_EQ(body["messages"][2]["content"], ParseOrDie(R"([{"text": "again"}])"));
}

TEST(BedrockRequest, ReasoningOptionsByModelFamily) {
  // Claude: the Anthropic budgets, maxTokens raised to leave room for the answer.
  Json body = Body({.model = "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                    .prompt = "Think",
                    .reasoning_effort = "medium"});
  EXPECT_EQ(body["additionalModelRequestFields"],
            ParseOrDie(R"({"thinking": {"type": "enabled", "budget_tokens": 2048}})"));
  EXPECT_EQ(body["inferenceConfig"]["maxTokens"], 4096 + 2048);
  body = Body({.model = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-v1:0",
               .prompt = "Think",
               .max_tokens = 8000,
               .reasoning_budget_tokens = 5000});
  EXPECT_EQ(body["additionalModelRequestFields"]["thinking"]["budget_tokens"], 5000);
  EXPECT_EQ(body["inferenceConfig"]["maxTokens"], 8000);
  EXPECT_FALSE(Body({.model = "anthropic.claude-3-7-sonnet-20250219-v1:0",
                     .prompt = "x",
                     .reasoning_effort = "none"})
                   .contains("additionalModelRequestFields"));
  EXPECT_NE(Refused({.model = "anthropic.claude-3-7-sonnet-20250219-v1:0",
                     .prompt = "x",
                     .max_tokens = 1024,
                     .reasoning_budget_tokens = 1024})
                .find("greater than the thinking budget"),
            std::string::npos);
  EXPECT_NE(Refused({.model = "anthropic.claude-3-7-sonnet-20250219-v1:0",
                     .prompt = "x",
                     .reasoning_budget_tokens = 500})
                .find("at least 1024"),
            std::string::npos);
  // gpt-oss: a flat reasoning_effort; Nova 2: reasoningConfig.
  EXPECT_EQ(Body({.model = "openai.gpt-oss-120b-1:0",
                  .prompt = "x",
                  .reasoning_effort = "high"})["additionalModelRequestFields"],
            ParseOrDie(R"({"reasoning_effort": "high"})"));
  EXPECT_EQ(Body({.model = "us.amazon.nova-2-lite-v1:0",
                  .prompt = "x",
                  .reasoning_effort = "low"})["additionalModelRequestFields"],
            ParseOrDie(R"({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}})"));
  // An application inference profile does not say what it serves.
  EXPECT_NE(Refused({.model = "arn:aws:bedrock:us-east-1:123456789012:application-inference-"
                              "profile/a1b2c3",
                     .prompt = "x",
                     .reasoning_effort = "high"})
                .find("additionalModelRequestFields"),
            std::string::npos);
}

// Claude on Bedrock keeps Anthropic's rules for thinking (written in
// additionalModelRequestFields): temperature 1 only, top_p within [0.95, 1], no forced tool use.
TEST(BedrockRequest, ClaudeThinkingRefusesSamplingAndForcedToolUse) {
  const std::string model = "anthropic.claude-3-7-sonnet-20250219-v1:0";
  EXPECT_EQ(
      Refused({.model = model, .prompt = "x", .temperature = 0.2, .reasoning_effort = "high"}),
      "temperature must be 1 or unset when Claude thinking is on (reasoning_effort / "
      "reasoning_budget_tokens), got 0.2: leave temperature unset, or turn thinking off "
      "(reasoning_effort 'none')");
  EXPECT_EQ(Refused({.model = model, .prompt = "x", .top_p = 0.5, .reasoning_effort = "high"}),
            "top_p must be within [0.95, 1] or unset when Claude thinking is on "
            "(reasoning_effort / reasoning_budget_tokens), got 0.5: leave top_p unset, or turn "
            "thinking off (reasoning_effort 'none')");
  EXPECT_EQ(Refused({.model = model,
                     .prompt = "x",
                     .tools = {{.name = "f"}},
                     .tool_choice = "required",
                     .reasoning_effort = "high"}),
            "tool_choice 'required' forces tool use, which Claude refuses when Claude thinking is "
            "on (reasoning_effort / reasoning_budget_tokens): use tool_choice 'auto', or turn "
            "thinking off (reasoning_effort 'none')");
  const Json body = Body({.model = model,
                          .prompt = "x",
                          .temperature = 1.0,
                          .top_p = 0.95,
                          .tools = {{.name = "f"}},
                          .tool_choice = "auto",
                          .reasoning_effort = "high"});
  EXPECT_EQ(body["inferenceConfig"]["temperature"], 1.0);
  EXPECT_EQ(body["toolConfig"]["toolChoice"], ParseOrDie(R"({"auto": {}})"));
  // Other families, and Claude without thinking, take them as asked.
  EXPECT_EQ(Body({.model = "openai.gpt-oss-120b-1:0",
                  .prompt = "x",
                  .temperature = 0.2,
                  .reasoning_effort = "high"})["inferenceConfig"]["temperature"],
            0.2);
  EXPECT_EQ(
      Body({.model = model, .prompt = "x", .temperature = 0.2})["inferenceConfig"]["temperature"],
      0.2);
}

TEST(BedrockRequest, RefusesWhatBedrockRefuses) {
  EXPECT_NE(Refused({.model = "m", .messages = {{.role = "user", .content = ""}}})
                .find("messages[0] has empty content"),
            std::string::npos);
  EXPECT_NE(Refused({.model = "m",
                     .messages = {{.role = "user", .content = "q"},
                                  {.role = "assistant", .tool_calls = {{.id = "1", .name = "f"}}},
                                  {.role = "tool", .content = "", .tool_call_id = "1"}},
                     .tools = {{.name = "f"}}})
                .find("messages[2] has empty content"),
            std::string::npos);
  EXPECT_NE(Refused({.model = "m", .messages = {{.role = "assistant"}}}).find("empty content"),
            std::string::npos);
  EXPECT_NE(Refused({.model = "m", .prompt = "x", .temperature = 1.5}).find("[0, 1]"),
            std::string::npos);
  EXPECT_NE(Refused({.model = "m",
                     .messages = {{.role = "assistant",
                                   .tool_calls = {{.id = "1", .name = "f", .arguments = "[1]"}}}},
                     .tools = {{.name = "f"}}})
                .find("must be a JSON object"),
            std::string::npos);
}

TEST(BedrockRequest, UnsignedRequestCarriesUrlHeadersAndMergedBody) {
  HttpRequest http;
  Error error;
  ASSERT_TRUE(
      BuildBedrockRequest({.provider = Provider::kBedrock,
                           .headers = {{"accept", "*/*"}, {"X-Custom", "1"}},
                           .region = "us-east-1",
                           .aws_credentials = kExampleCredentials},
                          {.model = "anthropic.claude-3-haiku-20240307-v1:0",
                           .prompt = "Hi",
                           .extra_body_json = R"({"performanceConfig": {"latency": "optimized"}})"},
                          &http, &error))
      << error.message;
  EXPECT_EQ(http.method, "POST");
  EXPECT_EQ(http.url,
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
            "anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
  EXPECT_EQ(HeaderValue(http, "content-type"), "application/json");
  EXPECT_EQ(HeaderValue(http, "accept"), "*/*");  // replaced, not doubled
  EXPECT_EQ(http.headers.size(), 3u);
  EXPECT_EQ(ParseOrDie(http.body)["performanceConfig"]["latency"], "optimized");
  EXPECT_FALSE(
      BuildBedrockRequest({.provider = Provider::kBedrock, .aws_credentials = kExampleCredentials},
                          {.model = "m", .prompt = "x"}, &http, &error));
  EXPECT_NE(error.message.find("region"), std::string::npos);
}

// Our request, signed, against two independent signers fed the same bytes: @smithy/signature-v4
// 5.7.5 (SignatureV4 as @aws-sdk/client-bedrock-runtime configures it: service "bedrock",
// uriEscapePath and applyChecksum on) and botocore 1.43.11 (SigV4Auth, "bedrock"), both giving
// the signature below.
TEST(BedrockRequest, SignedRequestMatchesTheAwsSdks) {
  HttpRequest http;
  ASSERT_TRUE(BuildBedrockRequest({.provider = Provider::kBedrock,
                                   .region = "us-west-2",
                                   .aws_credentials = kExampleCredentials},
                                  {.model = "arn:aws:bedrock:us-west-2:123456789012:inference-"
                                            "profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                                   .prompt = "Hello",
                                   .max_tokens = 100},
                                  &http, nullptr));
  ASSERT_EQ(http.body, R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}],)"
                       R"("inferenceConfig":{"maxTokens":100}})");
  const SigV4Credentials credentials{
      .access_key_id = "AKIDEXAMPLE",
      .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      .session_token = "FwoGZXIvYXdzEXAMPLETOKEN",
      .region = "us-west-2"};
  SigV4Steps steps;
  ASSERT_TRUE(SignSigV4(credentials, {.service = kBedrockSigningName, .unix_ms = 1735787045000},
                        &http, nullptr, &steps));
  EXPECT_EQ(HeaderValue(http, "x-amz-date"), "20250102T030405Z");
  EXPECT_EQ(HeaderValue(http, "x-amz-security-token"), "FwoGZXIvYXdzEXAMPLETOKEN");
  EXPECT_EQ(HeaderValue(http, "x-amz-content-sha256"),
            "a70104911e71b59bfbdea1cc07d6b598b7013d3a263546af5dc9e53f8f57c8f1");
  EXPECT_NE(steps.canonical_request.find("\n/model/arn%253Aaws%253Abedrock%253Aus-west-2%253A"
                                         "123456789012%253Ainference-profile%252Fus.anthropic."),
            std::string::npos)
      << steps.canonical_request;
  EXPECT_EQ(HeaderValue(http, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request, "
            "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-security-token, "
            "Signature=ccbf28885ce8aa7083729848bbccad972132ac29a439d47f5a2dc638eab00c6e");
}

// The request @aws-sdk/client-bedrock-runtime 3.1178 built and signed for the same
// ConverseStream call (captured before sending; Date.now fixed at 2025-01-02T03:04:05Z): its
// headers (user-agent is not signed) and body, signed here, give the SDK's own Authorization.
TEST(BedrockRequest, SignsTheOfficialSdksRequestAsTheSdkDid) {
  HttpRequest http{
      .method = "POST",
      .url =
          "https://bedrock-runtime.us-west-2.amazonaws.com/model/"
          "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2F"
          "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream",
      .headers = {{"content-type", "application/json"},
                  {"content-length", "95"},
                  {"x-amz-user-agent", "aws-sdk-js/3.1177.0"},
                  {"user-agent", "aws-sdk-js/3.1177.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2"},
                  {"host", "bedrock-runtime.us-west-2.amazonaws.com"},
                  {"amz-sdk-invocation-id", "9d82244c-c3c5-45ea-81c9-080b5e24debf"},
                  {"amz-sdk-request", "attempt=1; max=1"}},
      .body = R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}],)"
              R"("inferenceConfig":{"maxTokens":100}})"};
  ASSERT_TRUE(SignSigV4({.access_key_id = "AKIDEXAMPLE",
                         .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                         .session_token = "FwoGZXIvYXdzEXAMPLETOKEN",
                         .region = "us-west-2"},
                        {.service = kBedrockSigningName, .unix_ms = 1735787045000}, &http,
                        nullptr));
  EXPECT_EQ(HeaderValue(http, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request, "
            "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
            "x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-user-agent, "
            "Signature=acada8f2fed7f164d0a53de42a6fd5ffe7141fa6bd637305877c9351026f17a3");
}

TEST(BedrockRequest, HttpErrorsByType) {
  struct Case {
    int status;
    HeaderList headers;
    std::string body;
    ErrorCode code;
    std::string type;
  };
  const std::vector<Case> cases = {
      {429,
       {{"x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/"}},
       R"({"message":"Too many requests, please wait before trying again."})",
       ErrorCode::kRateLimited,
       "ThrottlingException"},
      {400,
       {{"X-Amzn-Errortype", "ValidationException"}},
       R"({"message":"The model returned the following errors: messages: roles must alternate"})",
       ErrorCode::kBadRequest,
       "ValidationException"},
      {403,
       {},
       R"({"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"})",
       ErrorCode::kAuth,
       "AccessDeniedException"},
      {408,
       {{"x-amzn-ErrorType", "ModelTimeoutException"}},
       R"({"message":"slow"})",
       ErrorCode::kHttpStatus,
       "ModelTimeoutException"},
      {503,
       {{"x-amzn-ErrorType", "ServiceUnavailableException"}},
       R"({"message":"busy"})",
       ErrorCode::kServer,
       "ServiceUnavailableException"},
      {429,
       {{"x-amzn-ErrorType", "ModelNotReadyException"}},
       R"({"message":"warming"})",
       ErrorCode::kRateLimited,
       "ModelNotReadyException"},
      {424,
       {{"x-amzn-ErrorType", "ModelStreamErrorException"}},
       R"({"message":"x"})",
       ErrorCode::kServer,
       "ModelStreamErrorException"},
      // A front end that answers 500 for a documented 400 type: the type decides.
      {500,
       {{"x-amzn-ErrorType", "ServiceQuotaExceededException"}},
       R"({"message":"quota"})",
       ErrorCode::kBadRequest,
       "ServiceQuotaExceededException"},
      {502, {}, "<html>Bad Gateway</html>", ErrorCode::kServer, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const Error error = ClassifyBedrockHttpError(c.status, c.headers, c.body, 0);
    EXPECT_EQ(error.code, c.code);
    EXPECT_EQ(error.provider_type, c.type);
    EXPECT_EQ(error.http_status, c.status);
    EXPECT_TRUE(error.message.starts_with("HTTP " + std::to_string(c.status) + " from bedrock: "))
        << error.message;
  }
  const Error throttled = ClassifyBedrockHttpError(
      429, {{"x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/"}},
      R"({"message":"Too many requests"})", 0);
  EXPECT_EQ(throttled.message, "HTTP 429 from bedrock: ThrottlingException: Too many requests");
  EXPECT_TRUE(IsRetryable(throttled.code));
  const Error denied = ClassifyBedrockHttpError(
      403, {}, R"({"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"})", 0);
  EXPECT_EQ(denied.message, "HTTP 403 from bedrock: AccessDeniedException: no");
  // A credential echoed by the server is masked.
  const Error echoed = ClassifyBedrockHttpError(
      403, {{"x-amzn-ErrorType", "UnrecognizedClientException"}},
      R"({"message":"The security token FwoGZXIvYXdzEXAMPLETOKEN is invalid."})", 0,
      "FwoGZXIvYXdzEXAMPLETOKEN");
  EXPECT_EQ(echoed.message.find("FwoGZXIvYXdzEXAMPLETOKEN"), std::string::npos) << echoed.message;
  EXPECT_EQ(echoed.code, ErrorCode::kAuth);
}

}  // namespace
}  // namespace llmstream::request_internal
