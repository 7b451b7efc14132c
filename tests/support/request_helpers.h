// Helpers for the request builder tests: build a request and parse its body, read a header, a
// conversation with a tool round trip, what must never reach a log.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/conversation.h"
#include "llmstream/request.h"
#include "support/fixtures.h"

namespace llmstream::test {

inline constexpr char kSecretKey[] = "sk-test-SECRET-1234567890";

struct BuiltRequest {
  HttpRequest http;
  nlohmann::json body;
};

inline BuiltRequest BuildOk(const ProviderConfig& config, const CompletionRequest& request) {
  BuiltRequest built;
  Error error;
  EXPECT_TRUE(BuildRequest(config, request, &built.http, &error)) << error.message;
  built.body = nlohmann::json::parse(built.http.body, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(built.body.is_object()) << built.http.body;
  return built;
}

// The kInvalidRequest message of a request that cannot be built.
inline std::string BuildFails(const ProviderConfig& config, const CompletionRequest& request) {
  HttpRequest http;
  Error error;
  EXPECT_FALSE(BuildRequest(config, request, &http, &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_TRUE(http.url.empty()) << "out must stay untouched on failure";
  return error.message;
}

inline std::string HeaderOf(const HttpRequest& http, std::string_view name) {
  for (const auto& [n, v] : http.headers) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "<absent>";
}

// `secret` reaches nothing a log shows: not the body, not a redacted header, not ToLogString.
inline void ExpectNeverLogged(const HttpRequest& http, std::string_view secret) {
  EXPECT_EQ(http.body.find(secret), std::string::npos) << http.body;
  for (const auto& [name, value] : Redacted(http).headers) {
    EXPECT_EQ(value.find(secret), std::string::npos) << name;
  }
  const std::string log = ToLogString(http);
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
}

inline ProviderConfig ConfigFor(Provider provider, std::optional<WireApi> api = std::nullopt,
                                std::string base_url = "") {
  ProviderConfig config;
  config.provider = provider;
  config.api_key = kSecretKey;
  config.api = api;
  config.base_url = std::move(base_url);
  return config;
}

// The body `provider` is sent for `request` over `api` (its own when none), with the test key.
inline nlohmann::json BodyFor(Provider provider, const CompletionRequest& request,
                              std::optional<WireApi> api = std::nullopt) {
  return BuildOk(ConfigFor(provider, api), request).body;
}

inline CompletionRequest Prompt(std::string model, std::string prompt = "Hello") {
  CompletionRequest request;
  request.model = std::move(model);
  request.prompt = std::move(prompt);
  return request;
}

// System + a user turn, an assistant turn with text and two tool calls, their two results, and
// the tool they called.
inline CompletionRequest ToolRoundTrip(std::string model) {
  CompletionRequest request;
  request.model = std::move(model);
  request.system = "Be brief.";
  request.messages.push_back(Message{.role = "user", .content = "Weather in Paris and Rome?"});
  Message call{.role = "assistant", .content = "Checking."};
  call.tool_calls.push_back({"call_1", "get_weather", R"({"city":"Paris"})"});
  call.tool_calls.push_back({"call_2", "get_weather", R"({"city":"Rome"})"});
  request.messages.push_back(call);
  request.messages.push_back(Message{.role = "tool", .content = "18C", .tool_call_id = "call_1"});
  request.messages.push_back(
      Message{.role = "tool", .content = R"({"celsius":24})", .tool_call_id = "call_2"});
  request.tools.push_back({"get_weather", "Current weather",
                           R"({"type":"object","properties":{"city":{"type":"string"}}})"});
  return request;
}

// The tool the round-trip tests' conversations call.
inline const ToolDefinition kRoundTripWeatherTool{
    "get_weather", "Current weather",
    R"({"type":"object","properties":{"city":{"type":"string"}}})"};

// The body of the next request after a recorded turn, in every split the recording is fed in:
// `next(turn)` builds the request around the assistant turn AssistantMessage makes of the
// recording (as `config`'s provider and API produced it). Returns the bodies, split by split.
template <typename Next>
std::vector<std::pair<std::string, nlohmann::json>> NextTurnBodies(const std::string& file,
                                                                   const ProviderConfig& config,
                                                                   Next next) {
  std::vector<std::pair<std::string, nlohmann::json>> bodies;
  const std::string recording = testing::ReadFixture(file);
  const StreamOptions options = testing::OptionsForFixture(file);
  for (const testing::Split& split : testing::StandardSplits(recording.size())) {
    const Completion completion = testing::RunStream(options, recording, split).completion;
    Message turn = AssistantMessage(completion, OriginOf(config));
    bodies.emplace_back(split.name, BuildOk(config, next(std::move(turn))).body);
  }
  return bodies;
}

}  // namespace llmstream::test
