#include "support/expected.h"

#include "support/fixtures.h"
#include "support/sha256.h"

namespace llmstream::testing {

const nlohmann::json& Expected() {
  static const nlohmann::json expected =
      nlohmann::json::parse(ReadFixture("expected.json"), nullptr, /*allow_exceptions=*/false);
  return expected;
}

const nlohmann::json& ExpectedMoreProviders() {
  static const nlohmann::json expected = nlohmann::json::parse(
      ReadFixture("more-providers/expected.json"), nullptr, /*allow_exceptions=*/false);
  return expected;
}

::testing::AssertionResult MatchesExpectedText(std::string_view actual,
                                               const nlohmann::json& expected) {
  if (expected.is_null()) {
    if (actual.empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected nothing, got \"" << actual << "\"";
  }
  if (expected.is_string()) {
    if (actual == expected.get<std::string>()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "expected \"" << expected.get<std::string>() << "\", got \"" << actual << "\"";
  }
  if (expected.is_object()) {
    if (expected.contains("sha256") && Sha256Hex(actual) != expected["sha256"].get<std::string>()) {
      return ::testing::AssertionFailure() << "sha256 differs; got " << actual.size()
                                           << " bytes starting \"" << actual.substr(0, 80) << "\"";
    }
    if (expected.contains("chars") && CountCodePoints(actual) != expected["chars"].get<size_t>()) {
      return ::testing::AssertionFailure()
             << "expected " << expected["chars"] << " chars, got " << CountCodePoints(actual);
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "unexpected expected-value shape " << expected.dump();
}

::testing::AssertionResult SameJson(std::string_view actual, const nlohmann::json& expected) {
  nlohmann::json parsed = nlohmann::json::parse(actual, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return ::testing::AssertionFailure() << "not JSON: " << actual;
  }
  if (parsed == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << expected.dump() << ", got " << parsed.dump();
}

}  // namespace llmstream::testing
