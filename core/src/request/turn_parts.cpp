// TurnParts: what of an assistant turn goes to the provider a request is for.
#include "request/request_internal.h"

namespace llmstream::request_internal {

bool SameOrigin(const Message& m, const ProviderConfig& config) {
  if (!m.origin) return true;
  return *m.origin == MessageOrigin{.provider = config.provider, .api = ResolveApi(config)};
}

std::vector<MessagePart> TurnParts(const Message& m, const ProviderConfig& config) {
  std::vector<MessagePart> parts;
  if (m.parts.empty()) {
    if (!m.content.empty()) {
      parts.push_back(MessagePart{.kind = PartKind::kText, .text = m.content, .type = "text"});
    }
    for (const ToolCallRequest& call : m.tool_calls) {
      parts.push_back(
          MessagePart{.kind = PartKind::kToolCall, .type = "function", .tool_call = call});
    }
    return parts;
  }
  if (SameOrigin(m, config)) return m.parts;
  // Another provider cannot read this one's reasoning or blocks, and would refuse its
  // signatures: the text and the calls are what every provider takes.
  for (const MessagePart& part : m.parts) {
    if (part.kind != PartKind::kText && part.kind != PartKind::kToolCall) continue;
    MessagePart portable = part;
    portable.signature.clear();
    portable.id.clear();
    portable.data.clear();
    parts.push_back(std::move(portable));
  }
  return parts;
}

std::string PartPath(const Message& m, size_t index, const std::vector<MessagePart>& parts,
                     size_t j) {
  const std::string turn = "messages[" + std::to_string(index) + "]";
  if (!m.parts.empty() || parts[j].kind != PartKind::kToolCall) {
    return turn + ".parts[" + std::to_string(j) + "]";
  }
  size_t call = 0;
  for (size_t i = 0; i < j; ++i) call += parts[i].kind == PartKind::kToolCall ? 1 : 0;
  return turn + ".tool_calls[" + std::to_string(call) + "]";
}

}  // namespace llmstream::request_internal

namespace llmstream::request_internal {

bool ArgumentsObject(const ToolCallRequest& call, const std::string& where,
                     std::string_view for_what, Json* out, Error* error) {
  *out = Json::object();
  if (call.arguments.empty() || (ParseJson(call.arguments, out) && out->is_object())) return true;
  return Invalid(error, where + ".arguments must be a JSON object for " + std::string(for_what));
}

}  // namespace llmstream::request_internal
