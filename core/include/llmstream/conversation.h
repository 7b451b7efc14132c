// Conversations: the next request of a multi-turn exchange, built from the completions so far.
//
//   Conversation conversation;
//   conversation.AppendUser("What is the weather in Paris and in Rome?");
//   CompletionRequest request{.model = ..., .tools = tools};
//   for (;;) {
//     request.messages = conversation.messages();
//     Completion completion = StreamIt(config, request);      // Session, Client, wasm ...
//     conversation.Append(completion, config);                // the assistant turn, as produced
//     auto calls = conversation.PendingToolCalls();
//     if (calls.empty()) break;                               // a final answer
//     for (const ToolCallRequest& call : calls)
//       conversation.AppendToolResult(call.id, Run(call));    // or (id, why, /*is_error=*/true)
//   }
//
// Providers check their own output on the next turn: Anthropic wants its thinking blocks back
// with their signatures (and redacted_thinking data untouched) before the tool_use blocks,
// Gemini its thoughtSignature on the very part that carried it, the Responses API its reasoning
// items (with encrypted_content when stored nowhere), and a tool result must name a call id the
// previous turn made. Append keeps all of that (Message::parts, in order) and BuildRequest
// writes it in the target API's own shape; sent to another provider, the turn falls back to its
// text and tool calls. The rules per API are in docs/wire-formats.md, "Conversations".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/completion.h"
#include "llmstream/request.h"

namespace llmstream {

// The prefix of the tool call ids AssistantMessage makes for calls that came without one
// ("llmstream_call_0", "llmstream_call_1" ... in the turn's order).
inline constexpr std::string_view kLocalToolCallIdPrefix = "llmstream_call_";

// The assistant turn of `choice` of `completion` (which `origin` produced): its parts in the
// order they arrived (reasoning with signatures, redacted reasoning, text, tool calls, provider
// blocks), plus `content` (the text) and `tool_calls` as readable copies. Tool calls the provider
// ran itself (ToolKind::kServer) stay as provider blocks: nothing is owed for them. A call whose
// arguments never completed or are not valid JSON is kept with its text as it arrived;
// BuildRequest refuses it for the APIs that need an object, so repair or drop it first. A call
// the stream named no id for (Gemini, older Ollama) gets one here, kLocalToolCallIdPrefix and its
// place among the turn's calls, so that a result can answer it; it is never sent to a provider.
// An unknown choice gives an assistant message without parts.
Message AssistantMessage(const Completion& completion, const MessageOrigin& origin,
                         uint32_t choice = 0);

// The provider and wire API a config talks to (ResolveApi for the API).
MessageOrigin OriginOf(const ProviderConfig& config);

// An ordered list of turns with the bookkeeping of tool calls. A value type: copy it to branch.
class Conversation {
 public:
  Conversation() = default;
  explicit Conversation(std::vector<Message> messages) : messages_(std::move(messages)) {}

  // Appends a user turn.
  void AppendUser(std::string text);
  // Appends a system (instructions) turn.
  void AppendSystem(std::string text);
  // Appends the assistant turn of `completion` as `config` produced it (AssistantMessage).
  // A completion that ended in an error is appended as far as it got: what arrived is a valid
  // turn, and the caller decides whether to send it.
  void Append(const Completion& completion, const ProviderConfig& config, uint32_t choice = 0);
  // Appends any message as it is.
  void Append(Message message);
  // Appends the result of tool call `tool_call_id` (a role "tool" message); `is_error` when the
  // tool failed and `output` says why: the model reads it and may retry or answer without it.
  void AppendToolResult(std::string_view tool_call_id, std::string output, bool is_error = false);

  // The tool calls of the last assistant turn that no result answers yet, in their order
  // (complete or not; see AssistantMessage). Empty when the last assistant turn made no call,
  // when every call has its result, or when there is no assistant turn.
  std::vector<ToolCallRequest> PendingToolCalls() const;

  const std::vector<Message>& messages() const { return messages_; }
  std::vector<Message>& messages() { return messages_; }
  size_t size() const { return messages_.size(); }

 private:
  std::vector<Message> messages_;
};

}  // namespace llmstream
