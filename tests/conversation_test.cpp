// AssistantMessage and Conversation: the assistant turn built from recorded streams keeps what
// each provider needs back (facts from fixtures/expected.json, checked by hand), in every split.
#include "llmstream/conversation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fixtures.h"

namespace llmstream {
namespace {

using testing::OptionsForFixture;
using testing::ReadFixture;
using testing::RunStream;
using testing::StandardSplits;

// The assistant turn of a recording, the same in every split (checked here once for all tests).
Message TurnOf(const std::string& file, MessageOrigin origin) {
  const std::string body = ReadFixture(file);
  const StreamOptions options = OptionsForFixture(file);
  Message first;
  bool have_first = false;
  for (const testing::Split& split : StandardSplits(body.size())) {
    Message turn = AssistantMessage(RunStream(options, body, split).completion, origin);
    if (!have_first) {
      first = std::move(turn);
      have_first = true;
      continue;
    }
    EXPECT_EQ(turn.parts.size(), first.parts.size()) << file << " split " << split.name;
    for (size_t i = 0; i < std::min(turn.parts.size(), first.parts.size()); ++i) {
      EXPECT_EQ(turn.parts[i].kind, first.parts[i].kind) << file << " " << split.name << " " << i;
      EXPECT_EQ(turn.parts[i].text, first.parts[i].text) << file << " " << split.name << " " << i;
      EXPECT_EQ(turn.parts[i].signature, first.parts[i].signature) << file << " " << i;
      EXPECT_EQ(turn.parts[i].tool_call.arguments, first.parts[i].tool_call.arguments) << file;
    }
  }
  return first;
}

constexpr MessageOrigin kAnthropic{.provider = Provider::kAnthropic,
                                   .api = WireApi::kAnthropicMessages};

TEST(AssistantMessage, AnthropicThinkingKeepsItsSignatureBeforeTheText) {
  Message turn = TurnOf("anthropic-thinking-signature.sse", kAnthropic);
  EXPECT_EQ(turn.role, "assistant");
  ASSERT_TRUE(turn.origin.has_value());
  EXPECT_EQ(*turn.origin, kAnthropic);
  ASSERT_EQ(turn.parts.size(), 2u);
  EXPECT_EQ(turn.parts[0].kind, PartKind::kReasoning);
  EXPECT_EQ(turn.parts[0].type, "thinking");
  EXPECT_TRUE(turn.parts[0].text.starts_with("The user wants two names for a pet pelican"));
  EXPECT_EQ(turn.parts[0].signature.size(), 656u);
  EXPECT_EQ(turn.parts[1].kind, PartKind::kText);
  EXPECT_TRUE(turn.parts[1].text.starts_with("1. **Pouch**"));
  EXPECT_EQ(turn.content, turn.parts[1].text);
  EXPECT_TRUE(turn.tool_calls.empty());
}

TEST(AssistantMessage, AnthropicServerToolStaysAProviderBlockAndOnlyTheClientCallIsOwed) {
  Message turn = TurnOf("anthropic-text-server-tool-and-tool-use.sse", kAnthropic);
  ASSERT_EQ(turn.parts.size(), 5u);
  EXPECT_EQ(turn.parts[0].kind, PartKind::kText);
  EXPECT_EQ(turn.parts[1].kind, PartKind::kProviderBlock);
  EXPECT_EQ(turn.parts[1].type, "server_tool_use");
  EXPECT_EQ(turn.parts[1].tool_call.id, "srvtoolu_01S5swZdBmTzLDVzwcT5LbHp");
  EXPECT_EQ(turn.parts[1].tool_call.arguments,
            R"({"query": "USD EUR exchange rate currency conversion"})");
  EXPECT_EQ(turn.parts[2].kind, PartKind::kProviderBlock);
  EXPECT_EQ(turn.parts[2].type, "tool_search_tool_result");
  EXPECT_TRUE(turn.parts[2].data.starts_with("{\"type\":\"tool_search_tool_result\""))
      << turn.parts[2].data.substr(0, 80);
  EXPECT_EQ(turn.parts[3].kind, PartKind::kText);
  EXPECT_EQ(turn.parts[4].kind, PartKind::kToolCall);
  EXPECT_EQ(turn.parts[4].tool_call.id, "toolu_01EFn5wTNBYA8Reni8rbmnHT");
  EXPECT_EQ(turn.parts[4].tool_call.name, "get_exchange_rate");
  ASSERT_EQ(turn.tool_calls.size(), 1u);
  EXPECT_EQ(turn.tool_calls[0].id, "toolu_01EFn5wTNBYA8Reni8rbmnHT");
  EXPECT_EQ(turn.content, turn.parts[0].text + turn.parts[3].text);

  Conversation conversation;
  conversation.AppendUser("USD to EUR?");
  conversation.Append(turn);
  std::vector<ToolCallRequest> pending = conversation.PendingToolCalls();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, "toolu_01EFn5wTNBYA8Reni8rbmnHT");
  conversation.AppendToolResult(pending[0].id, "0.92");
  EXPECT_TRUE(conversation.PendingToolCalls().empty());
}

TEST(AssistantMessage, ChatParallelCallsComeInOrderAfterTheText) {
  Message turn = TurnOf("openai-chat-parallel-tool-calls.sse",
                        {.provider = Provider::kOpenAI, .api = WireApi::kChatCompletions});
  ASSERT_GE(turn.tool_calls.size(), 2u);
  size_t calls = 0;
  for (const MessagePart& part : turn.parts) {
    if (part.kind != PartKind::kToolCall) continue;
    EXPECT_EQ(part.tool_call.id, turn.tool_calls[calls].id);
    EXPECT_TRUE(part.tool_call.arguments.starts_with("{")) << part.tool_call.arguments;
    ++calls;
  }
  EXPECT_EQ(calls, turn.tool_calls.size());
}

TEST(AssistantMessage, GroqReasoningComesFirst) {
  Message turn = TurnOf("groq-reasoning-tool-call.sse",
                        {.provider = Provider::kGroq, .api = WireApi::kChatCompletions});
  ASSERT_FALSE(turn.parts.empty());
  EXPECT_EQ(turn.parts[0].kind, PartKind::kReasoning);
  EXPECT_FALSE(turn.parts[0].text.empty());
  EXPECT_EQ(turn.parts.back().kind, PartKind::kToolCall);
  EXPECT_EQ(turn.parts.back().tool_call.id,
            "fc_bfb39741-3748-4def-9886-a93fc9c64a90");  // hand-read
}

TEST(AssistantMessage, AnUnknownChoiceGivesAnEmptyTurn) {
  Completion completion;
  Message turn = AssistantMessage(completion, kAnthropic, 3);
  EXPECT_EQ(turn.role, "assistant");
  EXPECT_TRUE(turn.parts.empty());
}

TEST(Conversation, PendingCallsAreThoseOfTheLastAssistantTurnWithoutAResult) {
  Conversation conversation;
  EXPECT_TRUE(conversation.PendingToolCalls().empty());
  conversation.AppendUser("hi");
  conversation.Append(Message{.role = "assistant",
                              .tool_calls = {{.id = "a", .name = "f"}, {.id = "b", .name = "g"}}});
  EXPECT_EQ(conversation.PendingToolCalls().size(), 2u);
  conversation.AppendToolResult("b", "boom", /*is_error=*/true);
  std::vector<ToolCallRequest> pending = conversation.PendingToolCalls();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, "a");
  EXPECT_TRUE(conversation.messages().back().is_error);
  conversation.AppendToolResult("a", "ok");
  EXPECT_TRUE(conversation.PendingToolCalls().empty());
  // A later turn without calls owes nothing, whatever came before.
  conversation.Append(Message{.role = "assistant", .content = "done"});
  EXPECT_TRUE(conversation.PendingToolCalls().empty());
}

}  // namespace
}  // namespace llmstream

namespace llmstream {
namespace {

TEST(PartKindName, EveryKindHasANameThatParsesBack) {
  const std::vector<std::string_view> want = {"text", "reasoning", "redacted_reasoning",
                                              "tool_call", "provider_block"};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(PartKindName(static_cast<PartKind>(i)), want[i]);
    EXPECT_EQ(ParsePartKind(want[i]), static_cast<PartKind>(i));
  }
  EXPECT_EQ(PartKindName(static_cast<PartKind>(want.size())), "unknown");
  EXPECT_FALSE(ParsePartKind("unknown").has_value());
  EXPECT_FALSE(ParsePartKind("Text").has_value());
}

}  // namespace
}  // namespace llmstream
