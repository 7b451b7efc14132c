// OpenAI Responses API bodies: `input` items instead of messages, `instructions` for the system
// prompt, `max_output_tokens`, flat function tools, and tool calls / results as their own items.
// An assistant turn goes back as the items the model produced, in order (docs/wire-formats.md,
// "Conversations"): reasoning items (their id, summary and encrypted_content), assistant
// messages, function_call items.
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

Json InputMessage(std::string_view role, Json content) {
  Json out = Json::object();
  out["role"] = role;
  out["content"] = std::move(content);
  return out;
}

Json ResponsesToolChoice(const std::string& choice) {
  if (choice == "auto" || choice == "none" || choice == "required") return Json(choice);
  if (choice == "any") return Json("required");
  Json out = Json::object();
  out["type"] = "function";
  out["name"] = choice;
  return out;
}

Json FunctionCallItem(const ToolCallRequest& call, const std::string& item_id) {
  Json item = Json::object();
  item["type"] = "function_call";
  if (!item_id.empty()) item["id"] = item_id;
  item["call_id"] = call.id;
  item["name"] = call.name;
  item["arguments"] = call.arguments.empty() ? std::string("{}") : call.arguments;
  return item;
}

// A reasoning item: its summary, and encrypted_content when the turn carried it (requested with
// include: ["reasoning.encrypted_content"]). Without either an id (a stored item) or encrypted
// content there is nothing the API could read: null.
Json ReasoningItem(const MessagePart& part) {
  if (part.id.empty() && part.data.empty()) return nullptr;
  Json item = Json::object();
  item["type"] = "reasoning";
  if (!part.id.empty()) item["id"] = part.id;
  Json summary = Json::array();
  if (!part.text.empty()) {
    summary.push_back(Json::object({{"type", "summary_text"}, {"text", part.text}}));
  }
  item["summary"] = std::move(summary);
  if (!part.data.empty()) item["encrypted_content"] = part.data;
  return item;
}

// An assistant text: the output message it was (output_text content, its item id) when the model
// wrote it, else the plain form a hand-written turn always had.
Json AssistantText(const MessagePart& part) {
  if (part.id.empty()) return InputMessage("assistant", Json(part.text));
  Json item = Json::object();
  item["role"] = "assistant";
  item["content"] = Json::array({Json::object({{"type", "output_text"}, {"text", part.text}})});
  item["id"] = part.id;
  return item;
}

void AssistantItems(const Message& m, const ProviderConfig& config, Json* input) {
  for (const MessagePart& part : TurnParts(m, config)) {
    Json item;
    switch (part.kind) {
      case PartKind::kText:
        if (!part.text.empty()) item = AssistantText(part);
        break;
      case PartKind::kReasoning:
      case PartKind::kRedactedReasoning:
        item = ReasoningItem(part);
        break;
      case PartKind::kToolCall:
        item = FunctionCallItem(part.tool_call, part.id);
        break;
      case PartKind::kProviderBlock: {
        // Hosted tool items (web search, code interpreter ...) arrive whole: sent back as they
        // came, so that the model sees what it did.
        Json block;
        if (!part.data.empty() && ParseJson(part.data, &block) && block.is_object()) {
          item = std::move(block);
        }
        break;
      }
    }
    if (!item.is_null()) input->push_back(std::move(item));
  }
}

}  // namespace

bool BuildResponsesBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                        Error* error) {
  (void)error;
  Json& b = *body;
  b["model"] = request.model;
  if (!request.system.empty()) b["instructions"] = request.system;

  Json input = Json::array();
  for (const Message& m : request.messages) {
    if (m.role == "tool") {
      Json item = Json::object();
      item["type"] = "function_call_output";
      item["call_id"] = m.tool_call_id;
      item["output"] = MessageContent(m);
      input.push_back(std::move(item));
      continue;
    }
    if (m.role == "assistant" && WritesParts(m)) {
      AssistantItems(m, config, &input);
      continue;
    }
    const bool has_content = !m.content.empty() || !m.content_json.empty();
    if (has_content || m.tool_calls.empty())
      input.push_back(InputMessage(m.role, MessageContent(m)));
    for (const ToolCallRequest& call : m.tool_calls) input.push_back(FunctionCallItem(call, ""));
  }
  if (!request.prompt.empty()) input.push_back(InputMessage("user", Json(request.prompt)));
  b["input"] = std::move(input);

  b["stream"] = true;
  if (request.max_tokens) b["max_output_tokens"] = *request.max_tokens;
  if (request.temperature) b["temperature"] = *request.temperature;
  if (request.top_p) b["top_p"] = *request.top_p;

  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json item = Json::object();
      item["type"] = "function";
      item["name"] = tool.name;
      if (!tool.description.empty()) item["description"] = tool.description;
      item["parameters"] = ToolParameters(tool);
      // Responses function tools are strict by default, which rejects ordinary schemas (every
      // property required, additionalProperties false); keep Chat Completions semantics.
      item["strict"] = false;
      tools.push_back(std::move(item));
    }
    b["tools"] = std::move(tools);
  }
  if (!request.tool_choice.empty() && !request.tools.empty())
    b["tool_choice"] = ResponsesToolChoice(request.tool_choice);
  if (request.reasoning_effort) {
    b["reasoning"] = Json::object({{"effort", *request.reasoning_effort}});
  }
  if (IsJsonOutput(request)) {
    // text.format: the Chat shape flattened ({type, name, schema, strict}).
    const ResponseFormat& format = request.response_format;
    Json out = Json::object();
    if (format.type == ResponseFormatType::kJsonObject) {
      out["type"] = "json_object";
    } else {
      out["type"] = "json_schema";
      out["name"] = ResponseSchemaName(format);
      out["schema"] = ResponseSchema(format);
      out["strict"] = format.strict;
    }
    b["text"] = Json::object({{"format", std::move(out)}});
  }
  return true;
}

}  // namespace llmstream::request_internal
