// The tool loop end to end over real HTTP, for Anthropic Messages, Bedrock ConverseStream and
// Chat Completions: the native client streams a step of the local provider's scripted
// tool-calling model (`tool_steps=1; tool_call=2`, with thinking where the API has it),
// Conversation::Append keeps the turn as it came, the results go back (one of them a failure),
// and the next step is checked by the server as the real provider checks it
// (server/README.md, "Conversations: the next turn"). The broken next turns (a tampered
// signature, the thinking dropped, a result missing) must come back as the provider's 400, its
// message in our Error: the expected messages are written here from the providers' answers
// (docs/wire-formats.md, "Conversations"), not read from the server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llmstream/client.h"
#include "llmstream/conversation.h"
#include "local_provider.h"
#include "nlohmann/json.hpp"

namespace llmstream {
namespace {

using testing::LocalProvider;

constexpr char kScenario[] = "tool_steps=1; tool_call=2";
constexpr char kBedrockModel[] = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

const std::vector<ToolDefinition> kTools = {
    {.name = "get_weather",
     .description = "The weather of a city for some days",
     .parameters_json = R"({"type":"object","properties":{"city":{"type":"string"},)"
                        R"("days":{"type":"integer"}},"required":["city","days"]})"},
    {.name = "get_time",
     .description = "The time in a zone",
     .parameters_json = R"({"type":"object","properties":{"zone":{"type":"string"}}})"},
};

// The two results of step 1, the second a failed tool: step 2 must quote both, in order.
constexpr char kWeather[] = "18C and sunny";
constexpr char kTimeFailure[] = "error: the time service timed out";

enum class Api { kAnthropic, kBedrock, kChat };

std::string ApiName(const ::testing::TestParamInfo<Api>& info) {
  switch (info.param) {
    case Api::kAnthropic:
      return "AnthropicMessages";
    case Api::kBedrock:
      return "BedrockConverseStream";
    case Api::kChat:
      return "ChatCompletions";
  }
  return "Unknown";
}

// A tool loop against one API of the local provider: its client, and the request every step
// sends (model, tools, thinking), with the conversation so far.
class RoundTripTest : public ::testing::TestWithParam<Api> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    conversation_.AppendUser("What is the weather in Paris, and the time there?");
  }

  bool thinking() const { return GetParam() != Api::kChat; }

  ClientOptions Options() const {
    switch (GetParam()) {
      case Api::kAnthropic:
        return server_.Options(kScenario, WireApi::kAnthropicMessages);
      case Api::kBedrock:  // signed, and the signature checked
        return server_.BedrockOptions(kScenario);
      case Api::kChat:
        return server_.Options(kScenario, WireApi::kChatCompletions);
    }
    return {};
  }

  CompletionRequest Request() const {
    CompletionRequest request;
    request.model = GetParam() == Api::kBedrock ? kBedrockModel : "local-echo";
    request.tools = kTools;
    request.messages = conversation_.messages();
    // Anthropic thinking / Bedrock's Claude `additionalModelRequestFields.thinking`.
    if (thinking()) request.reasoning_budget_tokens = 1024;
    return request;
  }

  // Streams the next step from the conversation so far, counts the events that came and keeps
  // the body sent.
  Completion Stream() {
    events_ = 0;
    ClientOptions options = Options();
    options.wire_tap.on_request = [&](int, const HttpRequest& http) { body_ = http.body; };
    return Client(options).StreamCompletion(Request(), [&](const Event&) {
      ++events_;
      return true;
    });
  }

  // Step 1: streamed, appended; the two calls it made.
  std::vector<ToolCallRequest> FirstStep() {
    const Completion completion = Stream();
    EXPECT_FALSE(completion.error) << completion.error.message;
    EXPECT_GT(events_, 3);
    conversation_.Append(completion, Options().provider);
    return conversation_.PendingToolCalls();
  }

  // The assistant turn of step 1 (after the user turn).
  Message& Turn() { return conversation_.messages()[1]; }

  // Step 2 must be refused with the provider's 400 and `provider_message` in our Error.
  void ExpectRefused(const std::string& provider_message) {
    const Completion completion = Stream();
    EXPECT_EQ(completion.error.code, ErrorCode::kBadRequest) << completion.error.message;
    EXPECT_EQ(completion.error.http_status, 400);
    EXPECT_EQ(completion.error.provider_type,
              GetParam() == Api::kBedrock ? "ValidationException" : "invalid_request_error");
    EXPECT_TRUE(completion.error.message.ends_with(": " + provider_message))
        << completion.error.message << "\nexpected to end with: " << provider_message;
    EXPECT_TRUE(completion.text().empty());
  }

  LocalProvider server_;
  Conversation conversation_;
  int events_ = 0;
  std::string body_;  // the last request body sent
};

TEST_P(RoundTripTest, TheNextStepIsAcceptedAndQuotesBothResultsInOrder) {
  const std::vector<ToolCallRequest> calls = FirstStep();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].name, "get_weather");
  EXPECT_EQ(calls[1].name, "get_time");
  EXPECT_NE(calls[0].id, calls[1].id);

  // The turn as the provider made it: its thinking first (signed) where thinking is on.
  const Message& turn = Turn();
  EXPECT_EQ(turn.role, "assistant");
  ASSERT_TRUE(turn.origin.has_value());
  EXPECT_EQ(*turn.origin, OriginOf(Options().provider));
  std::vector<PartKind> kinds;
  for (const MessagePart& part : turn.parts) kinds.push_back(part.kind);
  std::vector<PartKind> expected = {PartKind::kToolCall, PartKind::kToolCall};
  if (thinking()) {
    expected.insert(expected.begin(), PartKind::kReasoning);
    EXPECT_FALSE(turn.parts[0].text.empty());
    EXPECT_FALSE(turn.parts[0].signature.empty());
  }
  EXPECT_EQ(kinds, expected);

  conversation_.AppendToolResult(calls[0].id, kWeather);
  conversation_.AppendToolResult(calls[1].id, kTimeFailure, /*is_error=*/true);
  const Completion last = Stream();
  ASSERT_FALSE(last.error) << last.error.message;
  // The failed tool went as a failure where the API has a flag for it.
  const nlohmann::json sent = nlohmann::json::parse(body_);
  switch (GetParam()) {
    case Api::kAnthropic:
      EXPECT_EQ(sent["messages"][2]["content"][0].value("is_error", false), false);
      EXPECT_EQ(sent["messages"][2]["content"][1]["is_error"], true);
      break;
    case Api::kBedrock:
      EXPECT_FALSE(sent["messages"][2]["content"][0]["toolResult"].contains("status"));
      EXPECT_EQ(sent["messages"][2]["content"][1]["toolResult"]["status"], "error");
      break;
    case Api::kChat:  // no flag: the content says it
      EXPECT_EQ(sent["messages"][3]["content"], kTimeFailure);
      break;
  }
  ASSERT_EQ(last.choices.size(), 1u);
  EXPECT_EQ(last.choices[0].finish_reason, "stop");
  EXPECT_EQ(last.text(), std::string("Results: ") + kWeather + " | " + kTimeFailure);
  conversation_.Append(last, Options().provider);
  EXPECT_TRUE(conversation_.PendingToolCalls().empty());
  EXPECT_EQ(conversation_.size(), 5u);
}

TEST_P(RoundTripTest, AResultMissingIsTheProvidersBadRequest) {
  const std::vector<ToolCallRequest> calls = FirstStep();
  ASSERT_EQ(calls.size(), 2u);
  conversation_.AppendToolResult(calls[0].id, kWeather);
  switch (GetParam()) {
    case Api::kAnthropic:
      ExpectRefused(
          "messages.1: `tool_use` ids were found without `tool_result` blocks "
          "immediately after: " +
          calls[1].id +
          ". Each `tool_use` block must have a corresponding `tool_result` block in "
          "the next message.");
      break;
    case Api::kBedrock:
      ExpectRefused(
          "ValidationException: Expected toolResult blocks at messages.2.content for "
          "the following Ids: " +
          calls[1].id);
      break;
    case Api::kChat:
      ExpectRefused(
          "An assistant message with 'tool_calls' must be followed by tool messages "
          "responding to each 'tool_call_id'. The following tool_call_ids did not have "
          "response messages: " +
          calls[1].id);
      break;
  }
}

// The thinking APIs only: what Claude checks of its own output, directly (Anthropic) or passed
// on by Bedrock.
class ThinkingRoundTripTest : public RoundTripTest {
 protected:
  // Claude's message, as Anthropic gives it and as Bedrock passes it on.
  std::string ClaudeMessage(const std::string& message) const {
    if (GetParam() == Api::kBedrock) {
      return "ValidationException: The model returned the following errors: " + message;
    }
    return message;
  }

  void AppendBothResults(const std::vector<ToolCallRequest>& calls) {
    conversation_.AppendToolResult(calls[0].id, kWeather);
    conversation_.AppendToolResult(calls[1].id, kTimeFailure, /*is_error=*/true);
  }
};

TEST_P(ThinkingRoundTripTest, ATamperedSignatureIsTheProvidersBadRequest) {
  const std::vector<ToolCallRequest> calls = FirstStep();
  ASSERT_EQ(calls.size(), 2u);
  ASSERT_FALSE(Turn().parts.empty());
  MessagePart& thinking = Turn().parts[0];
  ASSERT_EQ(thinking.kind, PartKind::kReasoning);
  ASSERT_FALSE(thinking.signature.empty());
  thinking.signature.back() = thinking.signature.back() == 'A' ? 'B' : 'A';
  AppendBothResults(calls);
  ExpectRefused(ClaudeMessage("messages.1.content.0: Invalid `signature` in `thinking` block"));
}

TEST_P(ThinkingRoundTripTest, TheThinkingDroppedIsTheProvidersBadRequest) {
  const std::vector<ToolCallRequest> calls = FirstStep();
  ASSERT_EQ(calls.size(), 2u);
  std::vector<MessagePart>& parts = Turn().parts;
  ASSERT_FALSE(parts.empty());
  ASSERT_EQ(parts[0].kind, PartKind::kReasoning);
  parts.erase(parts.begin());
  AppendBothResults(calls);
  ExpectRefused(ClaudeMessage(
      "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
      "`tool_use`. When `thinking` is enabled, a final `assistant` message must start with a "
      "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We "
      "recommend you include thinking blocks from previous turns. To avoid this requirement, "
      "disable `thinking`. Please consult our documentation at "
      "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"));
}

INSTANTIATE_TEST_SUITE_P(Apis, RoundTripTest,
                         ::testing::Values(Api::kAnthropic, Api::kBedrock, Api::kChat), ApiName);
INSTANTIATE_TEST_SUITE_P(Apis, ThinkingRoundTripTest,
                         ::testing::Values(Api::kAnthropic, Api::kBedrock), ApiName);

}  // namespace
}  // namespace llmstream
