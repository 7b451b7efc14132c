// The native client streaming AWS Bedrock ConverseStream from the local provider, signed with
// SigV4 by the core at the wall time (the server checks the signature of its test credentials:
// server/lib/sigv4-verify.mjs), every attempt anew; and a Bedrock API key sent as a Bearer token.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmstream/client.h"
#include "local_provider.h"

namespace llmstream {
namespace {

using testing::Hello;
using testing::LocalProvider;
using testing::UniqueKey;

std::string Header(const HttpRequest& http, std::string_view name) {
  for (const auto& [n, v] : http.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST(ClientBedrock, SignedRequestsStreamTextAndUsage) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  ClientOptions options = server.BedrockOptions("tokens=20");
  std::vector<std::string> dates;
  options.wire_tap.on_request = [&](int, const HttpRequest& http) {
    dates.push_back(Header(http, "X-Amz-Date"));
  };
  CompletionRequest request = Hello();
  request.model = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
  const Completion completion = Client(options).Complete(request);
  ASSERT_FALSE(completion.error) << completion.error.message;
  EXPECT_FALSE(completion.text().empty());
  EXPECT_EQ(completion.usage.output_tokens.value_or(0), 20);
  EXPECT_FALSE(completion.usage.estimated);
  ASSERT_EQ(dates.size(), 1u);
  EXPECT_EQ(dates[0].size(), 16u) << dates[0];  // "YYYYMMDDTHHMMSSZ"
}

// Throttled twice, then answered: three attempts, each signed (a wrong signature would be a 403,
// which is not retried).
TEST(ClientBedrock, EveryRetryIsSignedAgain) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  const std::string key = UniqueKey();
  ClientOptions options = server.BedrockOptions("tokens=5; status=429; times=2; key=" + key);
  int signed_attempts = 0;
  options.wire_tap.on_request = [&](int, const HttpRequest& http) {
    signed_attempts +=
        Header(http, "Authorization") != "<absent>" && Header(http, "X-Amz-Date") != "<absent>";
  };
  const Completion completion = Client(options).Complete(Hello());
  ASSERT_FALSE(completion.error) << completion.error.message;
  EXPECT_FALSE(completion.text().empty());
  EXPECT_EQ(signed_attempts, 3);
}

TEST(ClientBedrock, AWrongSecretIsRefusedAsAwsRefusesIt) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  ClientOptions options = server.BedrockOptions("tokens=5");
  options.provider.aws_credentials.secret_access_key = "not-the-local-provider-secret-0000";
  const Completion completion = Client(options).Complete(Hello());
  EXPECT_EQ(completion.error.code, ErrorCode::kAuth) << completion.error.message;
  EXPECT_EQ(completion.error.provider_type, "InvalidSignatureException");
  EXPECT_EQ(completion.error.message.find("not-the-local-provider-secret"), std::string::npos);
}

TEST(ClientBedrock, AnApiKeyIsSentAsABearerToken) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  ClientOptions options = server.BedrockOptions("tokens=4");
  options.provider.aws_credentials = {};
  options.provider.api_key = "bedrock-api-key-for-the-local-provider";
  const Completion completion = Client(options).Complete(Hello());
  ASSERT_FALSE(completion.error) << completion.error.message;
  EXPECT_FALSE(completion.text().empty());
}

}  // namespace
}  // namespace llmstream
