// A conversation turn as the npm package's message (to_json.h): what the wasm build hands to JS
// as a completion's `message`, so that JS never maps blocks to parts itself.
#include <string_view>

#include "json/writer.h"
#include "llmstream/to_json.h"

namespace llmstream {
namespace {

using json::ObjectWriter;

// Writes the members that may be long (content, part text, signature and data, arguments)
// quoted, or through a LongStringWriter (the wasm build: by address, as a completion's).
class MessageWriter {
 public:
  explicit MessageWriter(const LongStringWriter* long_strings) : long_(long_strings) {}

  void WriteMessage(std::string* out, const Message& message) const;

 private:
  void Text(ObjectWriter& o, std::string_view key, std::string_view value) const {
    if (long_ != nullptr && value.size() >= long_->min_bytes) {
      long_->Write(o.Key(key), value);
    } else {
      o.String(key, value);
    }
  }
  // Members left out when empty keep stored conversations small and read like hand-written ones.
  void OptionalText(ObjectWriter& o, std::string_view key, std::string_view value) const {
    if (!value.empty()) Text(o, key, value);
  }
  void WriteToolCall(std::string* out, const ToolCallRequest& call) const {
    ObjectWriter o(out);
    o.String("id", call.id);
    o.String("name", call.name);
    Text(o, "arguments", call.arguments);
  }
  void WritePart(std::string* out, const MessagePart& part) const {
    ObjectWriter o(out);
    o.String("type", PartKindName(part.kind));
    OptionalText(o, "text", part.text);
    OptionalText(o, "signature", part.signature);
    OptionalText(o, "data", part.data);
    if (!part.id.empty()) o.String("id", part.id);
    if (!part.type.empty()) o.String("blockType", part.type);
    if (part.kind == PartKind::kToolCall || !part.tool_call.id.empty() ||
        !part.tool_call.name.empty()) {
      WriteToolCall(o.Key("toolCall"), part.tool_call);
    }
  }

  const LongStringWriter* long_;
};

void MessageWriter::WriteMessage(std::string* out, const Message& message) const {
  ObjectWriter o(out);
  o.String("role", message.role);
  if (message.content_json.empty()) {
    Text(o, "content", message.content);
  } else {
    json::AppendValueOrString(o.Key("content"), message.content_json);  // the API's own content
  }
  if (!message.name.empty()) o.String("name", message.name);
  if (!message.tool_call_id.empty()) o.String("toolCallId", message.tool_call_id);
  if (!message.tool_calls.empty()) {
    json::AppendArray(
        o.Key("toolCalls"), message.tool_calls,
        [this](std::string* item, const ToolCallRequest& call) { WriteToolCall(item, call); });
  }
  if (message.is_error) o.Bool("isError", true);
  if (!message.parts.empty()) {
    json::AppendArray(
        o.Key("parts"), message.parts,
        [this](std::string* item, const MessagePart& part) { WritePart(item, part); });
  }
  if (message.origin) {
    ObjectWriter origin(o.Key("origin"));
    origin.String("provider", ProviderName(message.origin->provider));
    origin.String("api", WireApiName(message.origin->api));
  }
}

}  // namespace

void AppendJson(std::string* out, const Message& message) {
  MessageWriter(nullptr).WriteMessage(out, message);
}

void AppendJson(std::string* out, const Message& message, const LongStringWriter& long_strings) {
  MessageWriter(&long_strings).WriteMessage(out, message);
}

}  // namespace llmstream
