// AWS Signature Version 4 (request/sigv4.h) against AWS's published test suite
// (aws-sig-v4-test-suite, 2015-08-30: AKIDEXAMPLE, us-east-1, service "service"), as the AWS
// SDKs carry it: the awslabs/aws-c-auth copy (tests/aws-signing-test-suite/v4/<name>/
// request.txt, context.json, header-signed-request.txt; the "normalized" variants, as every
// service but S3 signs) and smithy-lang/smithy-typescript's packages/signature-v4/src/
// suite.fixture.ts (the same suite as @aws-sdk's SignatureV4 runs it). Each expected
// Authorization header is pinned as published. HMAC-SHA256 against RFC 4231.
#include "request/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/hmac_sha256.h"
#include "llmstream/request.h"
#include "request/request_internal.h"

namespace llmstream::request_internal {
namespace {

constexpr int64_t kSuiteTime = 1440938160000;  // 2015-08-30T12:36:00Z
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// post-sts-header-before's token (the suite's), get-vanilla-with-session-token's (aws-c-auth's).
constexpr const char* kTokenA =
    "AQoDYXdzEPT//////////"
    "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIe"
    "oIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0w"
    "q5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
    "scqKmlzm8FDrypNC9"
    "Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
constexpr const char* kTokenB = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

struct Vector {
  const char* name;
  const char* method;
  const char* target;  // the request line's target: path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  const char* body;
  const char* token;
  const char* authorization;
};

const std::vector<Vector>& SuiteVectors() {
  static const std::vector<Vector> vectors = {
      {"get-vanilla",
       "GET",
       "/",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case",
       "GET",
       "/?Param2=value2&Param1=value1",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-encoded",
       "GET",
       "/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"},
      {"get-vanilla-query-unreserved",
       "GET",
       "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-empty-query-key",
       "GET",
       "/?Param1=value1",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-utf8-query",
       "GET",
       "/?\xE1"
       "\x88"
       "\xB4"
       "=bar",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved",
       "GET",
       "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8",
       "GET",
       "/\xE1"
       "\x88"
       "\xB4"
       "",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-space-normalized",
       "GET",
       "/example space/",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-slashes-normalized",
       "GET",
       "//example//",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
      {"get-slash-dot-slash-normalized",
       "GET",
       "/./",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-pointless-dot-normalized",
       "GET",
       "/./example",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
      {"get-relative-relative-normalized",
       "GET",
       "/example1/example2/../..",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-header-key-duplicate",
       "GET",
       "/",
       {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;my-header1;x-amz-date, "
       "Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order",
       "GET",
       "/",
       {{"My-Header1", "value4"},
        {"My-Header1", "value1"},
        {"My-Header1", "value3"},
        {"My-Header1", "value2"}},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;my-header1;x-amz-date, "
       "Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim",
       "GET",
       "/",
       {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
       "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-header-value-multiline",
       "GET",
       "/",
       {{"My-Header1", "value1\n  value2\n     value3"}},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;my-header1;x-amz-date, "
       "Signature=cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"},
      {"post-vanilla",
       "POST",
       "/",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query",
       "POST",
       "/?Param1=value1",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-case",
       "POST",
       "/",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-header-key-sort",
       "POST",
       "/",
       {{"My-Header1", "value1"}},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;my-header1;x-amz-date, "
       "Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case",
       "POST",
       "/",
       {{"My-Header1", "VALUE1"}},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;my-header1;x-amz-date, "
       "Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"get-vanilla-with-session-token",
       "GET",
       "/",
       {},
       "",
       kTokenB,
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date;x-amz-security-token, "
       "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
      {"post-sts-header-before",
       "POST",
       "/",
       {},
       "",
       kTokenA,
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date;x-amz-security-token, "
       "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
      // smithy-typescript suite.fixture.ts (no aws-c-auth counterpart in this form).
      {"post-x-www-form-urlencoded",
       "POST",
       "/",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "Param1=value1",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-x-www-form-urlencoded-parameters",
       "POST",
       "/",
       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
       "Param1=value1",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
      {"post-vanilla-query-nonunreserved",
       "POST",
       "/?%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"},
      {"post-vanilla-query-space",
       "POST",
       "/?p",
       {},
       "",
       "",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b"},
  };
  return vectors;
}

SigV4Credentials SuiteCredentials(const char* token = "") {
  return {.access_key_id = "AKIDEXAMPLE",
          .secret_access_key = kSecret,
          .session_token = token,
          .region = "us-east-1"};
}

HttpRequest SuiteRequest(const Vector& v) {
  return {.method = v.method,
          .url = std::string("https://example.amazonaws.com") + v.target,
          .headers = v.headers,
          .body = v.body};
}

std::string HeaderValue(const HttpRequest& request, std::string_view name) {
  std::string found;
  for (const auto& [key, value] : request.headers) {
    if (EqualsIgnoreCase(key, name)) found = value;
  }
  return found;
}

size_t HeaderCount(const HttpRequest& request, std::string_view name) {
  size_t count = 0;
  for (const auto& header : request.headers) count += EqualsIgnoreCase(header.first, name);
  return count;
}

TEST(SigV4Suite, EveryVectorSignsAsPublished) {
  for (const Vector& v : SuiteVectors()) {
    SCOPED_TRACE(v.name);
    HttpRequest request = SuiteRequest(v);
    Error error;
    ASSERT_TRUE(
        SignSigV4(SuiteCredentials(v.token),
                  {.service = "service", .unix_ms = kSuiteTime, .add_content_sha256 = false},
                  &request, &error))
        << error.message;
    EXPECT_EQ(HeaderValue(request, "authorization"), v.authorization);
    EXPECT_EQ(HeaderValue(request, "x-amz-date"), "20150830T123600Z");
    EXPECT_EQ(HeaderValue(request, "x-amz-security-token"), v.token);
    EXPECT_EQ(HeaderCount(request, "x-amz-content-sha256"), 0u);
    EXPECT_EQ(HeaderCount(request, "host"), 0u);  // signed, but the transport sets it
  }
}

// The intermediate steps of two vectors, as the suite publishes them (header-canonical-request.txt,
// header-string-to-sign.txt): a failure here says which step broke.
TEST(SigV4Suite, CanonicalRequestAndStringToSign) {
  HttpRequest request{
      .method = "GET",
      .url = "https://example.amazonaws.com/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1"};
  SigV4Steps steps;
  ASSERT_TRUE(SignSigV4(SuiteCredentials(),
                        {.service = "service", .unix_ms = kSuiteTime, .add_content_sha256 = false},
                        &request, nullptr, &steps));
  EXPECT_EQ(steps.canonical_request,
            "GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n"
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(steps.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "868294f5c38bd141c4972a373a76654f1418a8e4fc18b2e7903ae45e8ae0ec71");
  EXPECT_EQ(steps.signed_headers, "host;x-amz-date");

  HttpRequest trim{.method = "GET",
                   .url = "https://example.amazonaws.com/",
                   .headers = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}};
  ASSERT_TRUE(SignSigV4(SuiteCredentials(),
                        {.service = "service", .unix_ms = kSuiteTime, .add_content_sha256 = false},
                        &trim, nullptr, &steps));
  EXPECT_EQ(steps.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// aws-c-auth's post-x-www-form-urlencoded signs the body hash as X-Amz-Content-Sha256 (its
// sign_body), as the AWS JS SDK does for every request: the vector for add_content_sha256.
TEST(SigV4Suite, ContentSha256HeaderIsAddedAndSigned) {
  HttpRequest request{
      .method = "POST",
      .url = "https://example.amazonaws.com/",
      .headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Content-Length", "13"}},
      .body = "Param1=value1"};
  ASSERT_TRUE(SignSigV4(SuiteCredentials(), {.service = "service", .unix_ms = kSuiteTime}, &request,
                        nullptr));
  EXPECT_EQ(HeaderValue(request, "x-amz-content-sha256"),
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(HeaderValue(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
            "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
}

TEST(SigV4, ResigningReplacesTheSigningHeaders) {
  HttpRequest request{.method = "POST", .url = "https://example.amazonaws.com/", .body = "{}"};
  const SigV4Credentials credentials = SuiteCredentials(kTokenB);
  ASSERT_TRUE(
      SignSigV4(credentials, {.service = "service", .unix_ms = kSuiteTime}, &request, nullptr));
  const std::string first = HeaderValue(request, "authorization");
  ASSERT_TRUE(SignSigV4(credentials, {.service = "service", .unix_ms = kSuiteTime + 60000},
                        &request, nullptr));
  for (const char* name :
       {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}) {
    EXPECT_EQ(HeaderCount(request, name), 1u) << name;
  }
  EXPECT_EQ(HeaderValue(request, "x-amz-date"), "20150830T123700Z");
  EXPECT_NE(HeaderValue(request, "authorization"), first);
  // Signing the re-signed request at the first time gives the first signature again.
  ASSERT_TRUE(
      SignSigV4(credentials, {.service = "service", .unix_ms = kSuiteTime}, &request, nullptr));
  EXPECT_EQ(HeaderValue(request, "authorization"), first);
}

TEST(SigV4, HostFromTheUrlWithoutDefaultPortOrUserinfo) {
  SigV4Steps steps;
  for (const char* url :
       {"https://example.amazonaws.com:443/", "https://u:p@example.amazonaws.com/",
        "https://example.amazonaws.com#frag"}) {
    HttpRequest request{.method = "GET", .url = url};
    ASSERT_TRUE(
        SignSigV4(SuiteCredentials(),
                  {.service = "service", .unix_ms = kSuiteTime, .add_content_sha256 = false},
                  &request, nullptr, &steps));
    EXPECT_EQ(HeaderValue(request, "authorization"), SuiteVectors()[0].authorization) << url;
  }
  HttpRequest port{.method = "GET", .url = "http://127.0.0.1:8787/x"};
  ASSERT_TRUE(SignSigV4(SuiteCredentials(), {.service = "service", .unix_ms = kSuiteTime}, &port,
                        nullptr, &steps));
  EXPECT_NE(steps.canonical_request.find("\nhost:127.0.0.1:8787\n"), std::string::npos);
}

TEST(SigV4, UnsignableHeadersStayOutOfTheSignature) {
  HttpRequest request{.method = "GET",
                      .url = "https://example.amazonaws.com/",
                      .headers = {{"User-Agent", "llmstream"},
                                  {"X-Amzn-Trace-Id", "Root=1"},
                                  {"Proxy-Authorization", "x"},
                                  {"Connection", "keep-alive"}}};
  ASSERT_TRUE(SignSigV4(SuiteCredentials(),
                        {.service = "service", .unix_ms = kSuiteTime, .add_content_sha256 = false},
                        &request, nullptr));
  EXPECT_EQ(HeaderValue(request, "authorization"), SuiteVectors()[0].authorization);
  EXPECT_EQ(HeaderValue(request, "user-agent"), "llmstream");  // still sent
}

TEST(SigV4, AmzDate) {
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
  EXPECT_EQ(AmzDate(kSuiteTime + 999), "20150830T123600Z");
  EXPECT_EQ(AmzDate(951782400000), "20000229T000000Z");  // a leap day of a century leap year
  EXPECT_EQ(AmzDate(253402300799999), "99991231T235959Z");
  EXPECT_EQ(AmzDate(-1), "");
  EXPECT_EQ(AmzDate(253402300800000), "");
}

TEST(SigV4, CanonicalUriEncodesTheWirePathAgain) {
  // The path as sent carries the model id encoded once; the canonical URI encodes it again.
  EXPECT_EQ(
      SigV4CanonicalUri("/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream"),
      "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%253A0/converse-stream");
  EXPECT_EQ(SigV4CanonicalUri(""), "/");
  EXPECT_EQ(SigV4CanonicalUri("/a/./b/../c/"), "/a/c/");
}

TEST(SigV4, RefusesWhatCannotBeSigned) {
  const HttpRequest request{.method = "POST", .url = "https://example.amazonaws.com/"};
  const SigV4Params params{.service = "bedrock", .unix_ms = kSuiteTime};
  struct Case {
    SigV4Credentials credentials;
    SigV4Params params;
    std::string url;
  };
  const SigV4Credentials good = SuiteCredentials();
  SigV4Credentials no_secret = good;
  no_secret.secret_access_key.clear();
  SigV4Credentials no_key = good;
  no_key.access_key_id.clear();
  SigV4Credentials bad_region = good;
  bad_region.region = "us-east-1/x";
  SigV4Credentials no_region = good;
  no_region.region.clear();
  SigV4Credentials token_break = good;
  token_break.session_token = "abc\r\nX-Evil: 1";
  const std::vector<Case> cases = {
      {no_secret, params, request.url},
      {no_key, params, request.url},
      {bad_region, params, request.url},
      {no_region, params, request.url},
      {token_break, params, request.url},
      {good, {.service = "", .unix_ms = kSuiteTime}, request.url},
      {good, {.service = "bedrock", .unix_ms = -1}, request.url},
      {good, params, "example.amazonaws.com/"},
      {good, params, "ftp://example.amazonaws.com/"},
      {good, params, "https:///path"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    HttpRequest copy = request;
    copy.url = cases[i].url;
    const HttpRequest before = copy;
    Error error;
    EXPECT_FALSE(SignSigV4(cases[i].credentials, cases[i].params, &copy, &error)) << i;
    EXPECT_EQ(error.code, ErrorCode::kInvalidRequest) << i;
    EXPECT_EQ(copy.headers, before.headers) << i;  // untouched
    EXPECT_EQ(error.message.find(kSecret), std::string::npos);
  }
}

TEST(SigV4, LogsMaskTheSignatureAndTheSessionToken) {
  HttpRequest request{.method = "POST", .url = "https://example.amazonaws.com/", .body = "{}"};
  ASSERT_TRUE(SignSigV4(SuiteCredentials(kTokenA), {.service = "bedrock", .unix_ms = kSuiteTime},
                        &request, nullptr));
  const std::string signature =
      HeaderValue(request, "authorization")
          .substr(HeaderValue(request, "authorization").find("Signature=") + 10);
  const std::string log = ToLogString(request);
  EXPECT_EQ(log.find(signature), std::string::npos) << log;
  EXPECT_EQ(log.find(kTokenA), std::string::npos) << log;
  EXPECT_EQ(log.find("AQoDYXdz"), std::string::npos) << log;  // no prefix of the token either
  EXPECT_EQ(log.find(kSecret), std::string::npos);
  EXPECT_NE(log.find("X-Amz-Date: 20150830T123600Z"), std::string::npos) << log;
}

// RFC 4231 test cases 1, 2 and 6 (a key longer than the block is hashed first).
TEST(SigV4Hmac, Rfc4231) {
  const auto hex = [](const crypto_internal::Sha256Digest& d) {
    return crypto_internal::ToHex(d.data(), d.size());
  };
  EXPECT_EQ(hex(crypto_internal::HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(crypto_internal::HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(
      hex(crypto_internal::HmacSha256(std::string(131, '\xaa'),
                                      "Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace
}  // namespace llmstream::request_internal
