// Cohere v2 chat bodies (POST {base}/v2/chat, API reference "Chat with Streaming"): `messages` of
// system / user / assistant / tool roles (assistant tool_calls with their arguments as text, tool
// results by tool_call_id), function `tools`, `max_tokens`, `temperature`, `p`, `stop_sequences`,
// `tool_choice` REQUIRED / NONE, `thinking`, "stream": true.
#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

Json CohereMessage(const Message& m) {
  Json out = Json::object();
  out["role"] = m.role == "developer" ? std::string("system") : m.role;
  if (m.role == "tool") out["tool_call_id"] = m.tool_call_id;
  // An assistant turn that only calls tools has no content (Cohere refuses an empty one).
  if (!(m.content.empty() && m.content_json.empty() && !m.tool_calls.empty())) {
    out["content"] = MessageContent(m);
  }
  if (!m.tool_calls.empty()) out["tool_calls"] = ToolCallsJson(m.tool_calls);
  return out;
}

}  // namespace

bool BuildCohereBody(const CompletionRequest& request, Json* body, Error* error) {
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
  for (const Message& m : request.messages) messages.push_back(CohereMessage(m));
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
