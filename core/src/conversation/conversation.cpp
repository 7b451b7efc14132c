// Conversation: turns plus the bookkeeping of which tool calls still await a result.
#include "llmstream/conversation.h"

#include <unordered_set>

namespace llmstream {

void Conversation::AppendUser(std::string text) {
  messages_.push_back(Message{.role = "user", .content = std::move(text)});
}

void Conversation::AppendSystem(std::string text) {
  messages_.push_back(Message{.role = "system", .content = std::move(text)});
}

void Conversation::Append(const Completion& completion, const ProviderConfig& config,
                          uint32_t choice) {
  messages_.push_back(AssistantMessage(completion, OriginOf(config), choice));
}

void Conversation::Append(Message message) { messages_.push_back(std::move(message)); }

void Conversation::AppendToolResult(std::string_view tool_call_id, std::string output,
                                    bool is_error) {
  Message result{.role = "tool", .content = std::move(output)};
  result.tool_call_id.assign(tool_call_id);
  result.is_error = is_error;
  messages_.push_back(std::move(result));
}

std::vector<ToolCallRequest> Conversation::PendingToolCalls() const {
  size_t last = messages_.size();
  while (last > 0 && messages_[last - 1].role != "assistant") --last;
  if (last == 0) return {};
  const Message& turn = messages_[last - 1];
  std::unordered_set<std::string_view> answered;
  for (size_t i = last; i < messages_.size(); ++i) {
    if (messages_[i].role == "tool") answered.insert(messages_[i].tool_call_id);
  }
  std::vector<ToolCallRequest> pending;
  auto add = [&](const ToolCallRequest& call) {
    if (!answered.contains(call.id)) pending.push_back(call);
  };
  if (turn.parts.empty()) {
    for (const ToolCallRequest& call : turn.tool_calls) add(call);
  } else {
    for (const MessagePart& part : turn.parts) {
      if (part.kind == PartKind::kToolCall) add(part.tool_call);
    }
  }
  return pending;
}

}  // namespace llmstream

namespace llmstream {

namespace {
constexpr std::string_view kPartKindNames[] = {"text", "reasoning", "redacted_reasoning",
                                               "tool_call", "provider_block"};
}  // namespace

std::string_view PartKindName(PartKind kind) {
  const size_t i = static_cast<size_t>(kind);
  return i < std::size(kPartKindNames) ? kPartKindNames[i] : "unknown";
}

std::optional<PartKind> ParsePartKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kPartKindNames); ++i) {
    if (kPartKindNames[i] == name) return static_cast<PartKind>(i);
  }
  return std::nullopt;
}

}  // namespace llmstream
