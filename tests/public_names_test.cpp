// The public names of the core's enums: the JS package's tables are generated from them by
// walking each enum's value range and keeping the values whose name is not "unknown"
// (platform/wasm/abi_gen.cpp). These tests hold the name functions to that contract and to the
// names the JS API documents.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/request.h"

namespace llmstream {
namespace {

template <typename Enum>
std::vector<std::string> NamedValues(int limit, std::string_view (*name)(Enum)) {
  std::vector<std::string> out;
  for (int v = 0; v < limit; ++v) {
    const std::string_view n = name(static_cast<Enum>(v));
    if (n != "unknown") out.emplace_back(n);
  }
  return out;
}

TEST(PublicNames, EveryEventKindHasOneNameAndNothingElseHasOne) {
  const std::vector<std::string> names = NamedValues<EventKind>(256, &EventKindName);
  ASSERT_EQ(names.size(), static_cast<size_t>(EventKind::kPartialObject) + 1);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(names[static_cast<int>(EventKind::kToolCallEnd)], "tool_call_end");
  EXPECT_EQ(names[static_cast<int>(EventKind::kKeepAlive)], "keep_alive");
}

TEST(PublicNames, PartsAndToolKinds) {
  EXPECT_EQ(NamedValues<ReasoningPart>(256, &ReasoningPartName),
            (std::vector<std::string>{"text", "signature", "redacted", "summary"}));
  EXPECT_EQ(NamedValues<ToolKind>(256, &ToolKindName),
            (std::vector<std::string>{"function", "server"}));
}

TEST(PublicNames, ErrorCodesAreUniqueAndOnlyTheBugsAreNotRetried) {
  std::set<std::string> seen;
  for (int v = 0; v < 1024; ++v) {
    const auto code = static_cast<ErrorCode>(v);
    const std::string_view name = ErrorCodeName(code);
    if (name == "unknown") continue;
    EXPECT_TRUE(seen.emplace(name).second) << name;
  }
  EXPECT_EQ(seen.size(), 28u);  // a new code: add it here, in error.cpp and abi.h's JsErrorClass
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInternal), "internal");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kLimitExceeded), "limit_exceeded");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kCompletionTooLarge), "completion_too_large");
  EXPECT_FALSE(IsRetryable(ErrorCode::kLimitExceeded));
  EXPECT_FALSE(IsRetryable(ErrorCode::kCompletionTooLarge));
  EXPECT_EQ(ErrorCodeName(ErrorCode::kSchemaMismatch), "schema_mismatch");
  EXPECT_FALSE(IsRetryable(ErrorCode::kSchemaMismatch));
  EXPECT_EQ(ErrorCodeName(ErrorCode::kModuleLoad), "module_load");
  EXPECT_FALSE(IsRetryable(ErrorCode::kInternal));
  EXPECT_FALSE(IsRetryable(ErrorCode::kModuleLoad));
  EXPECT_EQ(ErrorCodeName(ErrorCode::kPolicyViolation), "policy_violation");
  EXPECT_FALSE(IsRetryable(ErrorCode::kPolicyViolation));
  EXPECT_TRUE(IsRetryable(ErrorCode::kNetwork));
}

TEST(PublicNames, OneParserOfWireApiNames) {
  for (WireApi api :
       {WireApi::kChatCompletions, WireApi::kResponses, WireApi::kAnthropicMessages}) {
    EXPECT_EQ(ParseWireApi(WireApiName(api)), api);
  }
  EXPECT_EQ(ParseWireApi("chat"), WireApi::kChatCompletions);
  EXPECT_EQ(ParseWireApi("chat-completions"), WireApi::kChatCompletions);
  EXPECT_EQ(ParseWireApi("messages"), WireApi::kAnthropicMessages);
  EXPECT_EQ(ParseWireApi("anthropic-messages"), WireApi::kAnthropicMessages);
  EXPECT_EQ(ParseWireApi("Chat"), std::nullopt);
  EXPECT_EQ(ParseWireApi(""), std::nullopt);
}

TEST(PublicNames, EveryProviderHasOneNameInEnumOrder) {
  // abi_gen walks 0..255 and keeps the named values but "relay": the npm package's PROVIDERS
  // (the package reads a relay with its own client, before any wasm module).
  EXPECT_EQ(NamedValues<Provider>(256, &ProviderName),
            (std::vector<std::string>{"openai", "anthropic", "groq", "openrouter", "compatible",
                                      "local", "gemini", "bedrock", "ollama", "cohere", "mistral",
                                      "deepseek", "azure", "xai", "relay"}));
}

TEST(PublicNames, ProviderDefaults) {
  EXPECT_EQ(DefaultModel(Provider::kAnthropic), "claude-haiku-4-5");
  EXPECT_EQ(DefaultModel(Provider::kCompatible), "");
  EXPECT_EQ(ApiKeyVariable(Provider::kGroq), "GROQ_API_KEY");
  EXPECT_EQ(ApiKeyVariable(Provider::kLocal), "LLMSTREAM_API_KEY");
  EXPECT_TRUE(ApiKeyRequired(Provider::kOpenRouter));
  EXPECT_FALSE(ApiKeyRequired(Provider::kCompatible));
}

TEST(PublicNames, AMissingKeyNamesItsVariable) {
  CompletionRequest request;
  request.model = "gpt-4o-mini";
  request.prompt = "Hi";
  ProviderConfig config;
  config.provider = Provider::kOpenRouter;
  HttpRequest http;
  Error error;
  EXPECT_FALSE(BuildRequest(config, request, &http, &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_NE(error.message.find("OPENROUTER_API_KEY"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace llmstream
