// Cohere v2 chat bodies (POST {base}/v2/chat, API reference "Chat with Streaming"): `messages` of
// system / user / assistant / tool roles (assistant tool_calls with their arguments as text, tool
// results by tool_call_id), function `tools`, `max_tokens`, `temperature`, `p`, `stop_sequences`,
// `tool_choice` REQUIRED / NONE, `thinking`, "stream": true. An assistant turn goes back with its
// tool_plan, its thinking and text content and its tool_calls; a tool result as a document
// (docs/wire-formats.md, "Conversations").
#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

// {role: assistant, tool_plan, content, tool_calls}: the plan the model stated before calling
// tools, its content (a string when it is only text, else thinking and text items in order) and
// the calls. A turn that only calls tools has no content (Cohere refuses an empty one).
Json AssistantTurn(const Message& m, const ProviderConfig& config) {
  std::string plan;
  Json content = Json::array();
  std::vector<ToolCallRequest> calls;
  bool only_text = true;
  for (const MessagePart& part : TurnParts(m, config)) {
    if (part.kind == PartKind::kReasoning && part.type == "tool_plan") {
      plan += part.text;
    } else if (part.kind == PartKind::kReasoning && !part.text.empty()) {
      content.push_back(Json::object({{"type", "thinking"}, {"thinking", part.text}}));
      only_text = false;
    } else if (part.kind == PartKind::kText && !part.text.empty()) {
      content.push_back(Json::object({{"type", "text"}, {"text", part.text}}));
    } else if (part.kind == PartKind::kToolCall) {
      calls.push_back(part.tool_call);
    }
  }
  Json out = Json::object({{"role", "assistant"}});
  if (!plan.empty()) out["tool_plan"] = plan;
  if (only_text && !content.empty()) {
    std::string text;
    for (const Json& item : content) text += item["text"].get<std::string>();
    out["content"] = text;
  } else if (!content.empty() || calls.empty()) {
    out["content"] = std::move(content);
  }
  if (!calls.empty()) out["tool_calls"] = ToolCallsJson(calls);
  return out;
}

// {role: tool, tool_call_id, content: [{type: document, document: {data}}]}: the result as the
// document the model cites; a failed tool's as {"error": ...}, since Cohere has no error flag.
Json ToolResult(const Message& m) {
  std::string data = m.content_json.empty() ? m.content : m.content_json;
  if (m.is_error) data = Dump(Json::object({{"error", MessageContent(m)}}));
  Json document = Json::object({{"data", std::move(data)}});
  Json item = Json::object({{"type", "document"}, {"document", std::move(document)}});
  Json out = Json::object({{"role", "tool"}, {"tool_call_id", m.tool_call_id}});
  out["content"] = Json::array({std::move(item)});
  return out;
}

Json CohereMessage(const Message& m, const ProviderConfig& config) {
  if (m.role == "assistant" && WritesParts(m)) return AssistantTurn(m, config);
  if (m.role == "tool") return ToolResult(m);
  Json out = Json::object();
  out["role"] = m.role == "developer" ? std::string("system") : m.role;
  // An assistant turn that only calls tools has no content (Cohere refuses an empty one).
  if (!(m.content.empty() && m.content_json.empty() && !m.tool_calls.empty())) {
    out["content"] = MessageContent(m);
  }
  if (!m.tool_calls.empty()) out["tool_calls"] = ToolCallsJson(m.tool_calls);
  return out;
}

}  // namespace

bool BuildCohereBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                     Error* error) {
  const std::string& choice = request.tool_choice;
  if (!choice.empty() && choice != "auto" && choice != "none" && choice != "required" &&
      choice != "any") {
    return Invalid(error, "tool_choice '" + choice +
                              "' is not supported by Cohere (auto, none or required: it cannot "
                              "force one named tool)");
  }
  Json& b = *body;
  b["model"] = request.model;
  Json messages = Json::array();
  if (!request.system.empty()) {
    messages.push_back(Json::object({{"role", "system"}, {"content", request.system}}));
  }
  for (const Message& m : request.messages) messages.push_back(CohereMessage(m, config));
  if (!request.prompt.empty()) {
    messages.push_back(Json::object({{"role", "user"}, {"content", request.prompt}}));
  }
  b["messages"] = std::move(messages);
  b["stream"] = true;
  if (request.max_tokens) b["max_tokens"] = *request.max_tokens;
  if (request.temperature) b["temperature"] = *request.temperature;
  if (request.top_p) b["p"] = *request.top_p;
  if (!request.stop.empty()) b["stop_sequences"] = request.stop;
  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json function = Json::object();
      function["name"] = tool.name;
      if (!tool.description.empty()) function["description"] = tool.description;
      function["parameters"] = ToolParameters(tool);
      tools.push_back(Json::object({{"type", "function"}, {"function", std::move(function)}}));
    }
    b["tools"] = std::move(tools);
    if (choice == "none") b["tool_choice"] = "NONE";
    if (choice == "required" || choice == "any") b["tool_choice"] = "REQUIRED";
  }
  // JSON mode: {type: json_object}, constrained by json_schema when there is one.
  if (IsJsonOutput(request)) {
    Json format = Json::object({{"type", "json_object"}});
    if (request.response_format.type == ResponseFormatType::kJsonSchema) {
      format["json_schema"] = ResponseSchema(request.response_format);
    }
    b["response_format"] = std::move(format);
  }
  // Command A Reasoning: thinking on with an optional token budget, or off.
  if (request.reasoning_effort && *request.reasoning_effort == "none") {
    b["thinking"] = Json::object({{"type", "disabled"}});
  } else if (request.reasoning_budget_tokens || request.reasoning_effort) {
    Json thinking = Json::object({{"type", "enabled"}});
    if (request.reasoning_budget_tokens)
      thinking["token_budget"] = *request.reasoning_budget_tokens;
    b["thinking"] = std::move(thinking);
  }
  return true;
}

}  // namespace llmstream::request_internal
