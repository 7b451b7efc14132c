// A Session for AWS Bedrock: each attempt signed (SigV4) at its own wall time, the signatures
// checked against @smithy/signature-v4 (the AWS JS SDK's signer) for the same bytes and times;
// no wall time, no request; Bedrock's HTTP errors classified by their exception names; the AWS
// secrets masked in what the session reports. Scripted like session_test.cpp: no network, no
// sleeps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmstream/session.h"
#include "support/fixtures.h"
#include "support/request_helpers.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;
using test::HeaderOf;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "FwoGZXIvYXdzEXAMPLETOKEN";
constexpr int64_t kFirstSend = 1735787045000;  // 2025-01-02T03:04:05Z

// What @smithy/signature-v4 5.7.5 signs for this request (service "bedrock", us-west-2,
// uriEscapePath and applyChecksum on, as @aws-sdk/client-bedrock-runtime configures it), computed
// offline at 03:04:05Z and 03:04:08Z. The first is also botocore's (bedrock_request_test.cpp).
constexpr char kAuthorizationAt05[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request, "
    "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "
    "Signature=ccbf28885ce8aa7083729848bbccad972132ac29a439d47f5a2dc638eab00c6e";
constexpr char kAuthorizationAt08[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request, "
    "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "
    "Signature=6d8f876750411e7387ebf53bdfa4bfeba685bc509aae53ea412fde346335eea4";

SessionOptions Options() {
  SessionOptions options;
  options.provider = {
      .provider = Provider::kBedrock,
      .region = "us-west-2",
      .aws_credentials = {
          .access_key_id = "AKIDEXAMPLE", .secret_access_key = kSecret, .session_token = kToken}};
  options.request = {.model =
                         "arn:aws:bedrock:us-west-2:123456789012:inference-profile/"
                         "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                     .prompt = "Hello",
                     .max_tokens = 100};
  // The caller's clock reads 1000 at the first send.
  options.unix_ms_at_zero = kFirstSend - 1000;
  options.retry.max_retries = 1;
  options.retry.base_delay_ms = 2900;
  options.retry.jitter = 0;
  return options;
}

std::vector<Error> Errors(std::span<const Event> events) {
  std::vector<Error> out;
  for (const Event& event : events) {
    if (event.kind == EventKind::kError || event.kind == EventKind::kRetry) {
      out.push_back(*event.error);
    }
  }
  return out;
}

TEST(SessionBedrock, EachAttemptIsSignedAtItsOwnTime) {
  Session session(Options());
  SessionStep step = session.Poll(1000);
  ASSERT_EQ(step.action, SessionAction::kSend) << session.error().message;
  EXPECT_EQ(HeaderOf(session.http_request(), "x-amz-date"), "20250102T030405Z");
  EXPECT_EQ(HeaderOf(session.http_request(), "authorization"), kAuthorizationAt05);

  // Throttled at 1100: retried 2.9 s later, signed again at the retry's own time.
  const std::vector<Error> retried = Errors(session.OnResponse(
      429, {{"x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/"}}, 1100));
  EXPECT_TRUE(retried.empty());
  session.OnBody(R"({"message":"Too many requests, please wait before trying again."})", 1100);
  ASSERT_EQ(Errors(session.OnEnd(1100)).size(), 1u);
  EXPECT_EQ(session.Poll(1100).action, SessionAction::kWait);
  step = session.Poll(4000);
  ASSERT_EQ(step.action, SessionAction::kSend);
  EXPECT_EQ(step.attempt, 1);
  EXPECT_EQ(HeaderOf(session.http_request(), "x-amz-date"), "20250102T030408Z");
  EXPECT_EQ(HeaderOf(session.http_request(), "authorization"), kAuthorizationAt08);
  int signatures = 0;
  for (const auto& header : session.http_request().headers) {
    signatures += HeaderOf({.headers = {header}}, "authorization") != "<absent>";
  }
  EXPECT_EQ(signatures, 1);  // replaced, not added

  // The answer streams as Bedrock's event-stream frames.
  session.OnResponse(200, {{"Content-Type", "application/vnd.amazon.eventstream"}}, 4100);
  session.OnBody(lt::ReadFixture("more-providers/bedrock-claude-reasoning-signature.eventstream"),
                 4100);
  session.OnEnd(4200);
  EXPECT_EQ(session.Poll(4200).action, SessionAction::kDone);
  EXPECT_FALSE(session.error()) << session.error().message;
  EXPECT_FALSE(session.result().text().empty());
  EXPECT_EQ(session.attempts(), 2);
}

TEST(SessionBedrock, NoWallTimeNoRequest) {
  SessionOptions options = Options();
  options.unix_ms_at_zero.reset();
  Session session(std::move(options));
  const SessionStep step = session.Poll(0);
  EXPECT_EQ(step.action, SessionAction::kDone);
  EXPECT_EQ(session.attempts(), 0);
  EXPECT_EQ(session.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(session.error().message.find("wall time"), std::string::npos)
      << session.error().message;
  // A Bedrock API key needs no time: it is sent as it is.
  options = Options();
  options.unix_ms_at_zero.reset();
  options.provider.aws_credentials = {};
  options.provider.api_key = "bedrock-api-key-0123456789";
  Session bearer(std::move(options));
  EXPECT_EQ(bearer.Poll(0).action, SessionAction::kSend);
  EXPECT_EQ(HeaderOf(bearer.http_request(), "authorization"), "Bearer bedrock-api-key-0123456789");
}

// By the exception's name, not the status: a 400 ThrottlingException from a front end is a rate
// limit (ClassifyHttpError alone says kBadRequest). The secrets a server echoes are masked.
TEST(SessionBedrock, HttpErrorsByExceptionNameWithSecretsMasked) {
  SessionOptions options = Options();
  options.retry.max_retries = 0;
  Session session(std::move(options));
  ASSERT_EQ(session.Poll(1000).action, SessionAction::kSend);
  session.OnResponse(400, {{"x-amzn-ErrorType", "ThrottlingException:http://internal/"}}, 1100);
  session.OnBody(std::string(R"({"message":"slow down, )") + kSecret + " " + kToken + R"("})",
                 1100);
  const std::vector<Error> errors = Errors(session.OnEnd(1100));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kRateLimited);
  EXPECT_EQ(errors[0].provider_type, "ThrottlingException");
  EXPECT_NE(errors[0].message.find("slow down"), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[0].message.find(kSecret), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[0].message.find(kToken), std::string::npos) << errors[0].message;
  EXPECT_EQ(session.error().code, ErrorCode::kRateLimited);
}

// A secret that straddles the place where the quoted message is cut: masked before the cut, or a
// prefix of it would survive where no later masking recognizes it.
TEST(SessionBedrock, SecretsAreMaskedBeforeTheMessageIsCut) {
  for (const std::string secret : {kSecret, kToken}) {
    SessionOptions options = Options();
    options.retry.max_retries = 0;
    Session session(std::move(options));
    ASSERT_EQ(session.Poll(1000).action, SessionAction::kSend);
    session.OnResponse(403, {{"x-amzn-ErrorType", "AccessDeniedException"}}, 1100);
    session.OnBody(R"({"message":")" + std::string(995, 'x') + secret + R"("})", 1100);
    const std::vector<Error> errors = Errors(session.OnEnd(1100));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, ErrorCode::kAuth);
    EXPECT_EQ(errors[0].message.find(secret.substr(0, 4)), std::string::npos) << errors[0].message;
  }
}

}  // namespace
}  // namespace llmstream
