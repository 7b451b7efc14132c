// Secrets in URLs (llmstream/url_redaction.h): the hand-written cases of tests/golden/
// url_redaction.json (shared with tests/node/url_redaction.test.mjs, which runs them against the
// npm package's copy of the rule), the places the core shows a URL, and the promises that make
// the functions safe on anything: linear time, no throw.
#include "llmstream/url_redaction.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "llmstream/http_error.h"
#include "llmstream/request.h"

namespace llmstream {
namespace {

using Json = nlohmann::json;

const Json& Golden() {
  static const Json golden = [] {
    std::ifstream file(LLMSTREAM_GOLDEN_DIR "/url_redaction.json");
    return Json::parse(file, nullptr, /*allow_exceptions=*/false);
  }();
  return golden;
}

TEST(UrlRedaction, GoldenFileLoads) {
  ASSERT_TRUE(Golden().is_object()) << "tests/golden/url_redaction.json is missing or invalid";
  EXPECT_GT(Golden()["redactUrl"].size(), 40u);
}

TEST(UrlRedaction, RedactUrlGoldenCases) {
  for (const Json& c : Golden()["redactUrl"]) {
    const std::string input = c[0].get<std::string>();
    EXPECT_EQ(RedactUrl(input), c[1].get<std::string>()) << "input: " << input;
  }
}

TEST(UrlRedaction, RedactUrlsInTextGoldenCases) {
  for (const Json& c : Golden()["redactUrlsInText"]) {
    const std::string input = c[0].get<std::string>();
    EXPECT_EQ(RedactUrlsInText(input), c[1].get<std::string>()) << "input: " << input;
  }
}

TEST(UrlRedaction, UrlSecretsGoldenCases) {
  for (const Json& c : Golden()["urlSecrets"]) {
    const std::string input = c[0].get<std::string>();
    EXPECT_EQ(UrlSecrets(input), c[1].get<std::vector<std::string>>()) << "input: " << input;
  }
}

TEST(UrlRedaction, SecretParamNamesGoldenCases) {
  for (const Json& name : Golden()["secretParams"]["secret"]) {
    EXPECT_TRUE(IsSecretUrlParam(name.get<std::string>())) << name;
  }
  for (const Json& name : Golden()["secretParams"]["notSecret"]) {
    EXPECT_FALSE(IsSecretUrlParam(name.get<std::string>())) << name;
  }
}

TEST(UrlRedaction, EveryTableEntryIsASecretInAnyCase) {
  for (const SecretUrlParam& param : kSecretUrlParams) {
    std::string upper(param.name);
    for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    EXPECT_TRUE(IsSecretUrlParam(param.name)) << param.name;
    EXPECT_TRUE(IsSecretUrlParam(upper)) << upper;
    EXPECT_EQ(RedactUrl("http://h/?" + upper + "=v"), "http://h/?" + upper + "=[redacted]");
    // Only whole words count: glued in front of another word, the name is no secret.
    EXPECT_FALSE(IsSecretUrlParam(std::string(param.name) + "zz")) << param.name;
    // kWordEnd entries are also the end of a longer word or one word of a longer name.
    const bool word = param.match == SecretParamMatch::kWordEnd;
    EXPECT_EQ(IsSecretUrlParam("x_" + std::string(param.name)), word) << param.name;
    EXPECT_EQ(IsSecretUrlParam("my" + std::string(param.name)), word) << param.name;
  }
}

// The drift check shared with tests/node/url_redaction.test.mjs: the same random inputs (the
// golden file's pieces, seed and generator), the same FNV-1a hash of all outputs.
TEST(UrlRedaction, ParityHashMatchesTheJsCopy) {
  const Json& parity = Golden()["parity"];
  const std::vector<std::string> pieces = parity["pieces"].get<std::vector<std::string>>();
  uint32_t state = parity["seed"].get<uint32_t>();
  auto random = [&](uint32_t n) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % n;
  };
  uint32_t hash = 2166136261u;
  auto feed = [&](std::string_view text) {
    for (const unsigned char c : text) hash = (hash ^ c) * 16777619u;
    hash = (hash ^ '\n') * 16777619u;
  };
  const uint32_t count = parity["count"].get<uint32_t>();
  const uint32_t max_pieces = parity["maxPieces"].get<uint32_t>();
  for (uint32_t n = 0; n < count; ++n) {
    std::string input;
    const uint32_t length = random(max_pieces);
    for (uint32_t i = 0; i < length; ++i) {
      input += pieces[random(static_cast<uint32_t>(pieces.size()))];
    }
    if (random(3) == 0) input = "http://" + input;
    feed(RedactUrl(input));
    feed(RedactUrlsInText(input));
    std::string secrets;
    for (const std::string& secret : UrlSecrets(input)) {
      secrets += (secrets.empty() ? "" : "\t") + secret;
    }
    feed(secrets);
    feed(IsSecretUrlParam(input) ? "1" : "0");
  }
  EXPECT_EQ(hash, parity["fnv1a32"].get<uint32_t>())
      << "the rule's output changed: if on purpose, set parity.fnv1a32 in "
         "tests/golden/url_redaction.json to "
      << hash << " and check that the JS test agrees";
}

// ---- Where the core shows a URL -------------------------------------------------------------

TEST(UrlRedaction, RedactedRequestMasksUserinfoQueryAndFragment) {
  HttpRequest http{
      "POST", "http://user:PASS@127.0.0.1:9/v1/chat/completions?sig=SECRET#FRAG", {}, "{}"};
  const HttpRequest safe = Redacted(http);
  EXPECT_EQ(safe.url,
            "http://user:[redacted]@127.0.0.1:9/v1/chat/completions?sig=[redacted]#[redacted]");
  const std::string log = ToLogString(http);
  for (const char* secret : {"PASS", "SECRET", "FRAG"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << log;
  }
}

TEST(UrlRedaction, BaseUrlErrorMessageIsRedacted) {
  ProviderConfig config{.provider = Provider::kCompatible,
                        .base_url = "ftp://user:PASS@host/v1?sig=SECRET"};
  CompletionRequest request{.model = "m", .prompt = "hi"};
  HttpRequest http;
  Error error;
  ASSERT_FALSE(BuildRequest(config, request, &http, &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(error.message,
            "base_url 'ftp://user:[redacted]@host/v1' must start with http:// or https://");

  config.base_url = "user:PASS@host/v1";  // no scheme
  ASSERT_FALSE(BuildRequest(config, request, &http, &error));
  EXPECT_EQ(error.message.find("PASS"), std::string::npos) << error.message;
}

TEST(UrlRedaction, BuiltRequestKeepsTheRealUrl) {
  // Redaction is for showing: the request sent carries the URL as given.
  ProviderConfig config{.provider = Provider::kCompatible,
                        .base_url = "http://user:PASS@host/v1?sig=SECRET"};
  HttpRequest http;
  Error error;
  ASSERT_TRUE(BuildRequest(config, {.model = "m", .prompt = "hi"}, &http, &error)) << error.message;
  EXPECT_EQ(http.url, "http://user:PASS@host/v1/chat/completions?sig=SECRET");
}

TEST(UrlRedaction, EchoedUrlsInHttpErrorsAreRedacted) {
  const Error openai = ClassifyHttpError(
      Provider::kOpenAI, 404, {},
      R"json({"error":{"message":"Invalid URL (POST /v1/chat/completions?key=SECRET)","type":"invalid_request_error"}})json",
      0);
  EXPECT_EQ(openai.message,
            "HTTP 404 from openai: Invalid URL (POST /v1/chat/completions?key=[redacted])");
  const Error proxy = ClassifyHttpError(
      Provider::kCompatible, 502, {},
      R"json({"error":"upstream http://user:PASS@10.0.0.1:8080/v1?sig=SECRET refused"})json", 0);
  EXPECT_EQ(
      proxy.message,
      "HTTP 502 from compatible: upstream http://user:[redacted]@10.0.0.1:8080/v1?sig=[redacted] "
      "refused");
}

// ---- Any input: no throw, linear time ----------------------------------------------------------

TEST(UrlRedaction, RandomInputsNeverThrowAndRedactionIsIdempotent) {
  std::mt19937 rng(13);
  const std::string alphabet = "ab:/@?#&;=%[]\\.-_sigkeyTOKEN019 \t\"'()<>\x80\xc3\xa9";
  for (int n = 0; n < 20000; ++n) {
    std::string input;
    const size_t len = rng() % 40;
    for (size_t i = 0; i < len; ++i) input.push_back(alphabet[rng() % alphabet.size()]);
    if (rng() % 3 == 0) input = "http://" + input;
    std::string redacted;
    ASSERT_NO_THROW(redacted = RedactUrl(input)) << input;
    ASSERT_NO_THROW(RedactUrlsInText(input)) << input;
    ASSERT_NO_THROW(UrlSecrets(input)) << input;
    // What is masked stays masked, and nothing new is: a log line redacted twice is unchanged.
    EXPECT_EQ(RedactUrl(redacted), redacted) << input;
  }
}

// Shapes that would make a naive scanner quadratic: rescanning from every '@', '?', "://", '&' or
// ')' (the trailing-punctuation trim), or re-splitting a long parameter name. At 800 KB each, a
// quadratic scan would run for many minutes and ctest's timeout would fail it; linear ones take
// milliseconds. No wall-clock assert here (they flake on a loaded machine): the figures are the
// fuzzers' per-input timeouts' business (docs/testing.md).
TEST(UrlRedaction, AdversarialInputsOfAMegabyteAreRedactedAndStable) {
  const std::vector<std::string> units = {"@",       "?",    "://", "a://", "&",         "&key=v",
                                          "?key=v&", ")",    "(",   ":",    "http://u:", "%7",
                                          "aB",      "key_", "[",   "#",    "?a=1)",     ";sig=x"};
  for (const std::string& unit : units) {
    std::string big;
    while (big.size() < 800000) big += unit;
    const std::string once = RedactUrl(big);
    EXPECT_EQ(RedactUrl(once), once) << "unit '" << unit << "'";
    const std::string text = RedactUrlsInText(big);
    EXPECT_EQ(RedactUrlsInText(text), text) << "unit '" << unit << "'";
    EXPECT_LE(UrlSecrets(big).size(), big.size());
  }
}

}  // namespace
}  // namespace llmstream
