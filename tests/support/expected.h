// Reading ../shared/fixtures/expected.json and comparing assembled values with it.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace llmstream::testing {

// The whole expected.json (parsed once).
const nlohmann::json& Expected();
// more-providers/expected.json: the same string conventions, one shape per provider (its
// `_about` entry gives the rules).
const nlohmann::json& ExpectedMoreProviders();

// expected.json writes strings either as JSON strings (null meaning "none": compares equal to
// "") or, when long, as {chars, sha256, head, tail}. Returns a failure describing the mismatch.
::testing::AssertionResult MatchesExpectedText(std::string_view actual,
                                               const nlohmann::json& expected);

// Parses both as JSON and compares the values.
::testing::AssertionResult SameJson(std::string_view actual, const nlohmann::json& expected);

}  // namespace llmstream::testing
