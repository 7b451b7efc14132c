// BuildRequest and SignRequest for AWS Bedrock (llmstream/request.h): the two ways in (IAM
// credentials signed with SigV4, or a Bedrock API key as a Bearer token), the region, and what is
// refused. The bodies themselves: bedrock_request_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "llmstream/request.h"
#include "support/request_helpers.h"

namespace llmstream {
namespace {

using test::BuildFails;
using test::BuildOk;
using test::HeaderOf;
using test::kSecretKey;

// The AWS documentation's example credentials (never valid).
constexpr char kAccessKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "FwoGZXIvYXdzEXAMPLETOKEN";
constexpr int64_t kTime = 1735787045000;  // 2025-01-02T03:04:05Z

ProviderConfig Signed(std::string region = "us-west-2") {
  return {
      .provider = Provider::kBedrock,
      .region = std::move(region),
      .aws_credentials = {
          .access_key_id = kAccessKeyId, .secret_access_key = kSecret, .session_token = kToken}};
}

// The request bedrock_request_test.cpp signs and @smithy/signature-v4 and botocore agree on.
CompletionRequest SdkRequest() {
  return {.model =
              "arn:aws:bedrock:us-west-2:123456789012:inference-profile/"
              "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
          .prompt = "Hello",
          .max_tokens = 100};
}

TEST(RequestBedrock, CredentialsBuildAnUnsignedRequestForTheRegion) {
  const test::BuiltRequest built = BuildOk(Signed(), SdkRequest());
  EXPECT_EQ(
      built.http.url,
      "https://bedrock-runtime.us-west-2.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A"
      "123456789012%3Ainference-profile%2Fus.anthropic.claude-3-7-sonnet-20250219-v1%3A0/"
      "converse-stream");
  EXPECT_EQ(HeaderOf(built.http, "accept"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(HeaderOf(built.http, "authorization"), "<absent>");  // signed per attempt
  EXPECT_EQ(built.body["inferenceConfig"]["maxTokens"], 100);
  EXPECT_EQ(built.http.body.find(kSecret), std::string::npos);
  EXPECT_EQ(built.http.body.find(kToken), std::string::npos);
}

// Signed at a fixed time, the request carries the Authorization that @smithy/signature-v4 5.7.5
// computed offline for the same bytes (SignatureV4 as @aws-sdk/client-bedrock-runtime configures
// it: service "bedrock", region us-west-2, uriEscapePath and applyChecksum on; signingDate
// 2025-01-02T03:04:05Z), and botocore 1.43 too (bedrock_request_test.cpp).
TEST(RequestBedrock, SignRequestMatchesTheAwsSdk) {
  const ProviderConfig config = Signed();
  HttpRequest http = BuildOk(config, SdkRequest()).http;
  Error error;
  ASSERT_TRUE(SignRequest(config, kTime, &http, &error)) << error.message;
  EXPECT_EQ(HeaderOf(http, "x-amz-date"), "20250102T030405Z");
  EXPECT_EQ(HeaderOf(http, "x-amz-security-token"), kToken);
  EXPECT_EQ(HeaderOf(http, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request, "
            "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-security-token, "
            "Signature=ccbf28885ce8aa7083729848bbccad972132ac29a439d47f5a2dc638eab00c6e");
  // Logs never show the signature nor the token; the secret was never in the request.
  const std::string log = ToLogString(http);
  EXPECT_EQ(log.find("ccbf28885ce8"), std::string::npos);
  EXPECT_EQ(log.find(kToken), std::string::npos);
  EXPECT_EQ(log.find(kSecret), std::string::npos);
}

TEST(RequestBedrock, SigningWithoutAWallTimeIsRefused) {
  const ProviderConfig config = Signed();
  HttpRequest http = BuildOk(config, SdkRequest()).http;
  const HttpRequest before = http;
  Error error;
  EXPECT_FALSE(SignRequest(config, std::nullopt, &http, &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_NE(error.message.find("wall time"), std::string::npos) << error.message;
  EXPECT_EQ(http.headers, before.headers);
}

TEST(RequestBedrock, OtherConfigsAreNotSigned) {
  ProviderConfig openai{.provider = Provider::kOpenAI, .api_key = kSecretKey};
  HttpRequest http = BuildOk(openai, {.model = "gpt-4o", .prompt = "x"}).http;
  const HttpRequest before = http;
  EXPECT_TRUE(SignRequest(openai, std::nullopt, &http, nullptr));
  EXPECT_EQ(http.headers, before.headers);
  ProviderConfig bearer{
      .provider = Provider::kBedrock, .api_key = kSecretKey, .region = "eu-west-1"};
  http = BuildOk(bearer, SdkRequest()).http;
  EXPECT_TRUE(SignRequest(bearer, kTime, &http, nullptr));
  EXPECT_EQ(HeaderOf(http, "x-amz-date"), "<absent>");
}

TEST(RequestBedrock, AnApiKeyIsABearerTokenAndNothingIsSigned) {
  const ProviderConfig config{
      .provider = Provider::kBedrock, .api_key = kSecretKey, .region = "eu-central-1"};
  const HttpRequest http = BuildOk(config, SdkRequest()).http;
  EXPECT_TRUE(http.url.starts_with("https://bedrock-runtime.eu-central-1.amazonaws.com/model/"))
      << http.url;
  EXPECT_EQ(HeaderOf(http, "authorization"), std::string("Bearer ") + kSecretKey);
  EXPECT_EQ(ToLogString(http).find(kSecretKey), std::string::npos);
}

TEST(RequestBedrock, BaseUrlReplacesTheRegionsEndpoint) {
  ProviderConfig config = Signed();
  config.base_url = "http://127.0.0.1:8787/";
  EXPECT_EQ(BuildOk(config, {.model = "amazon.nova-lite-v1:0", .prompt = "x"}).http.url,
            "http://127.0.0.1:8787/model/amazon.nova-lite-v1%3A0/converse-stream");
  // No credentials at all: a proxy that signs for us.
  const ProviderConfig proxy{.provider = Provider::kBedrock, .base_url = "https://proxy.example"};
  EXPECT_EQ(HeaderOf(BuildOk(proxy, SdkRequest()).http, "authorization"), "<absent>");
  // The local provider server speaking ConverseStream.
  const ProviderConfig local{.provider = Provider::kLocal, .api = WireApi::kBedrockConverse};
  EXPECT_TRUE(BuildOk(local, SdkRequest()).http.url.starts_with("http://127.0.0.1:8787/model/"));
  config.base_url = "ftp://x";
  EXPECT_NE(BuildFails(config, SdkRequest()).find("http://"), std::string::npos);
}

TEST(RequestBedrock, MissingRegionOrCredentialsAreNamed) {
  struct Case {
    ProviderConfig config;
    std::string expected;
  };
  ProviderConfig no_region = Signed("");
  ProviderConfig bad_region = Signed("us-east-1/x");
  ProviderConfig no_secret = Signed();
  no_secret.aws_credentials.secret_access_key.clear();
  ProviderConfig no_id = Signed();
  no_id.aws_credentials.access_key_id.clear();
  ProviderConfig token_only{.provider = Provider::kBedrock,
                            .region = "us-east-1",
                            .aws_credentials = {.session_token = kToken}};
  ProviderConfig both = Signed();
  both.api_key = kSecretKey;
  ProviderConfig signed_proxy = Signed("");
  signed_proxy.base_url = "http://127.0.0.1:8787";
  ProviderConfig bearer_no_region{.provider = Provider::kBedrock, .api_key = kSecretKey};
  const Case cases[] = {
      {{.provider = Provider::kBedrock, .region = "us-east-1"}, "AWS_BEARER_TOKEN_BEDROCK"},
      {no_region, "needs an AWS region"},
      {bad_region, "is not a region name"},
      {no_secret, "AWS_SECRET_ACCESS_KEY"},
      {no_id, "AWS_ACCESS_KEY_ID"},
      {token_only, "AWS_ACCESS_KEY_ID"},
      {both, "pass one of them"},
      {signed_proxy, "to sign with"},  // the signature's scope needs it whatever the URL
      {bearer_no_region, "pass region (AWS_REGION)"},
  };
  for (const Case& c : cases) {
    const std::string message = BuildFails(c.config, SdkRequest());
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
    EXPECT_EQ(message.find(kToken), std::string::npos) << message;
    EXPECT_EQ(message.find(kSecretKey), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace llmstream
