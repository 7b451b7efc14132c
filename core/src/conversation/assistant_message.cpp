// AssistantMessage: a Completion's choice as the assistant turn of the next request. The blocks
// the dialects produced (Anthropic content blocks, Responses output items, Gemini parts, Bedrock
// content blocks, Cohere content) become MessageParts in arrival order; dialects without blocks
// (Chat Completions, Ollama) give reasoning, text and tool calls in that order.
#include <algorithm>
#include <string>
#include <string_view>

#include "llmstream/conversation.h"

namespace llmstream {

namespace {

// Block types that hold readable reasoning: Anthropic and Cohere "thinking", Responses and
// Bedrock "reasoning", Gemini "thought", Cohere's "tool_plan" (its plan before calling tools).
bool IsReasoningType(std::string_view type) {
  return type == "thinking" || type == "reasoning" || type == "thought" || type == "tool_plan";
}

ToolCallRequest CallRequest(const ToolCall& call) {
  return ToolCallRequest{.id = call.id, .name = call.name, .arguments = call.arguments};
}

MessagePart PartOf(const Choice& choice, const Block& block) {
  MessagePart part;
  part.type = block.type;
  part.id = block.id;
  part.signature = block.signature;
  if (block.tool_call >= 0 && static_cast<size_t>(block.tool_call) < choice.tool_calls.size()) {
    const ToolCall& call = choice.tool_calls[block.tool_call];
    part.kind = call.kind == ToolKind::kFunction ? PartKind::kToolCall : PartKind::kProviderBlock;
    part.tool_call = CallRequest(call);
    part.data = block.data;
  } else if (block.type == "redacted_thinking" ||
             (IsReasoningType(block.type) && block.text.empty() && block.signature.empty() &&
              !block.data.empty())) {
    part.kind = PartKind::kRedactedReasoning;
    part.data = block.data;
  } else if (IsReasoningType(block.type)) {
    part.kind = PartKind::kReasoning;
    part.text = block.text;
    part.data = block.data;  // Responses: the item's encrypted_content, beside its summary
  } else if (block.type == "text" || block.type == "message") {  // Responses: "message" items
    part.kind = PartKind::kText;
    part.text = block.text;
  } else {
    part.kind = PartKind::kProviderBlock;
    part.data = block.data;
    part.text = block.text;
  }
  return part;
}

// Dialects without blocks: one reasoning part (text and signature), the text, the calls.
void FlatParts(const Choice& choice, std::vector<MessagePart>* parts) {
  if (!choice.reasoning.empty() || !choice.reasoning_signature.empty()) {
    parts->push_back(MessagePart{.kind = PartKind::kReasoning,
                                 .text = choice.reasoning,
                                 .signature = choice.reasoning_signature,
                                 .type = "reasoning"});
  }
  if (!choice.text.empty()) {
    parts->push_back(MessagePart{.kind = PartKind::kText, .text = choice.text, .type = "text"});
  }
  for (const ToolCall& call : choice.tool_calls) {
    parts->push_back(MessagePart{
        .kind = call.kind == ToolKind::kFunction ? PartKind::kToolCall : PartKind::kProviderBlock,
        .type = call.type,
        .tool_call = CallRequest(call)});
  }
}

void BlockParts(const Choice& choice, std::vector<MessagePart>* parts) {
  std::vector<bool> call_seen(choice.tool_calls.size(), false);
  std::string block_text;
  for (const Block& block : choice.blocks) {
    MessagePart part = PartOf(choice, block);
    if (block.tool_call >= 0 && static_cast<size_t>(block.tool_call) < call_seen.size()) {
      call_seen[block.tool_call] = true;
    }
    if (part.kind == PartKind::kText) block_text += part.text;
    parts->push_back(std::move(part));
  }
  // Text that reached no block (a dialect sends it before any block opens) still belongs to the
  // turn: the choice's text is the truth, in the place of the first text block.
  if (block_text != choice.text) {
    size_t first_text = parts->size();
    for (size_t i = parts->size(); i-- > 0;) {
      if ((*parts)[i].kind != PartKind::kText) continue;
      first_text = i;
      if ((*parts)[i].signature.empty()) parts->erase(parts->begin() + i);
    }
    first_text = std::min(first_text, parts->size());
    if (!choice.text.empty()) {
      parts->insert(parts->begin() + first_text,
                    MessagePart{.kind = PartKind::kText, .text = choice.text, .type = "text"});
    }
  }
  // Reasoning that reached no block (Chat Completions streams keep only OpenRouter's encrypted
  // items as blocks) comes first, as the model thought before it answered.
  const bool reasoning_in_blocks =
      std::any_of(parts->begin(), parts->end(),
                  [](const MessagePart& part) { return part.kind == PartKind::kReasoning; });
  // (Text only: a signature alone belongs to a block, as Gemini's on its function call.)
  if (!reasoning_in_blocks && !choice.reasoning.empty()) {
    parts->insert(parts->begin(), MessagePart{.kind = PartKind::kReasoning,
                                              .text = choice.reasoning,
                                              .signature = choice.reasoning_signature,
                                              .type = "reasoning"});
  }
  // Calls that reached no block, likewise: nothing the model asked for is lost.
  for (size_t i = 0; i < choice.tool_calls.size(); ++i) {
    if (call_seen[i]) continue;
    const ToolCall& call = choice.tool_calls[i];
    parts->push_back(MessagePart{
        .kind = call.kind == ToolKind::kFunction ? PartKind::kToolCall : PartKind::kProviderBlock,
        .type = call.type,
        .tool_call = CallRequest(call)});
  }
}

}  // namespace

Message AssistantMessage(const Completion& completion, const MessageOrigin& origin,
                         uint32_t choice_index) {
  Message message;
  message.role = "assistant";
  message.origin = origin;
  const Choice* choice = completion.FindChoice(choice_index);
  if (choice == nullptr) return message;
  if (choice->blocks.empty()) {
    FlatParts(*choice, &message.parts);
  } else {
    BlockParts(*choice, &message.parts);
  }
  message.content = choice->text;
  size_t calls = 0;
  for (MessagePart& part : message.parts) {
    if (part.kind != PartKind::kToolCall) continue;
    if (part.tool_call.id.empty()) {
      part.tool_call.id = std::string(kLocalToolCallIdPrefix) + std::to_string(calls);
    }
    ++calls;
    message.tool_calls.push_back(part.tool_call);
  }
  return message;
}

MessageOrigin OriginOf(const ProviderConfig& config) {
  return MessageOrigin{.provider = config.provider, .api = ResolveApi(config)};
}

}  // namespace llmstream
