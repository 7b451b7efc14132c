// OpenAI Responses API bodies: `input` items instead of messages, `instructions` for the system
// prompt, `max_output_tokens`, flat function tools, and tool calls / results as their own items.
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

}  // namespace

bool BuildResponsesBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                        Error* error) {
  (void)config;
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
    const bool has_content = !m.content.empty() || !m.content_json.empty();
    if (has_content || m.tool_calls.empty())
      input.push_back(InputMessage(m.role, MessageContent(m)));
    for (const ToolCallRequest& call : m.tool_calls) {
      Json item = Json::object();
      item["type"] = "function_call";
      item["call_id"] = call.id;
      item["name"] = call.name;
      item["arguments"] = call.arguments.empty() ? std::string("{}") : call.arguments;
      input.push_back(std::move(item));
    }
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
  return true;
}

}  // namespace llmstream::request_internal
