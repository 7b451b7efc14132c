// Chat Completions bodies: OpenAI, Groq, OpenRouter, Mistral, DeepSeek, Azure OpenAI, xAI,
// compatible servers and the local server (wire-formats.md section 5 and docs/wire-formats.md,
// "Requests"). The providers differ in how max tokens and reasoning are spelled, and Mistral
// takes no stream_options.
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

Json ChatMessage(const Message& m, Provider provider) {
  Json out = Json::object();
  out["role"] = m.role;
  if (m.role == "tool") {
    out["tool_call_id"] = m.tool_call_id;
    out["content"] = MessageContent(m);
    return out;
  }
  if (m.role == "assistant" && !m.tool_calls.empty() && m.content.empty() &&
      m.content_json.empty()) {
    // What the API itself returns for a pure tool-call turn; Mistral's schema wants a string.
    out["content"] = provider == Provider::kMistral ? Json("") : Json(nullptr);
  } else {
    out["content"] = MessageContent(m);
  }
  if (!m.name.empty()) out["name"] = m.name;
  if (!m.tool_calls.empty()) out["tool_calls"] = ToolCallsJson(m.tool_calls);
  return out;
}

Json ChatToolChoice(const std::string& choice) {
  if (choice == "auto" || choice == "none" || choice == "required") return Json(choice);
  if (choice == "any") return Json("required");
  Json function = Json::object();
  function["name"] = choice;
  Json out = Json::object();
  out["type"] = "function";
  out["function"] = std::move(function);
  return out;
}

}  // namespace

Json ToolCallsJson(const std::vector<ToolCallRequest>& tool_calls) {
  Json calls = Json::array();
  for (const ToolCallRequest& call : tool_calls) {
    Json function = Json::object();
    function["name"] = call.name;
    function["arguments"] = call.arguments.empty() ? std::string("{}") : call.arguments;
    Json item = Json::object();
    item["id"] = call.id;
    item["type"] = "function";
    item["function"] = std::move(function);
    calls.push_back(std::move(item));
  }
  return calls;
}

bool BuildChatBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
                   Error* error) {
  Json& b = *body;
  b["model"] = request.model;

  Json messages = Json::array();
  if (!request.system.empty()) {
    Json system = Json::object();
    system["role"] = "system";
    system["content"] = request.system;
    messages.push_back(std::move(system));
  }
  for (const Message& m : request.messages) messages.push_back(ChatMessage(m, config.provider));
  if (!request.prompt.empty()) {
    Json user = Json::object();
    user["role"] = "user";
    user["content"] = request.prompt;
    messages.push_back(std::move(user));
  }
  b["messages"] = std::move(messages);

  b["stream"] = true;
  // Usage arrives only with this switch on OpenAI and Azure; Groq, DeepSeek and xAI accept it;
  // OpenRouter ignores it (usage always comes); compatible servers (vLLM, llama.cpp, Ollama) need
  // it to report usage at all. Mistral always sends usage and has no such field.
  if (config.provider != Provider::kMistral) {
    b["stream_options"] = Json::object({{"include_usage", true}});
  }

  if (request.max_tokens) {
    // OpenAI deprecated max_tokens (reasoning models reject it), and Azure follows; the others
    // still take it.
    const bool completion_tokens =
        config.provider == Provider::kOpenAI || config.provider == Provider::kAzure;
    b[completion_tokens ? "max_completion_tokens" : "max_tokens"] = *request.max_tokens;
  }
  if (request.temperature) b["temperature"] = *request.temperature;
  if (request.top_p) b["top_p"] = *request.top_p;
  if (request.n > 1) b["n"] = request.n;
  if (!request.stop.empty()) b["stop"] = request.stop;

  if (!request.tools.empty()) {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json function = Json::object();
      function["name"] = tool.name;
      if (!tool.description.empty()) function["description"] = tool.description;
      function["parameters"] = ToolParameters(tool);
      Json item = Json::object();
      item["type"] = "function";
      item["function"] = std::move(function);
      tools.push_back(std::move(item));
    }
    b["tools"] = std::move(tools);
  }
  if (!request.tool_choice.empty() && !request.tools.empty())
    b["tool_choice"] = ChatToolChoice(request.tool_choice);

  if (config.provider == Provider::kOpenRouter) {
    // OpenRouter normalizes reasoning for every upstream; it takes an effort or a token budget,
    // not both, so the more specific budget wins.
    if (request.reasoning_budget_tokens) {
      b["reasoning"] = Json::object({{"max_tokens", *request.reasoning_budget_tokens}});
    } else if (request.reasoning_effort) {
      b["reasoning"] = Json::object({{"effort", *request.reasoning_effort}});
    }
  } else if (config.provider == Provider::kDeepSeek) {
    // DeepSeek's thinking mode is a switch (`thinking`) plus an effort; "none" turns it off.
    if (request.reasoning_effort && *request.reasoning_effort == "none") {
      b["thinking"] = Json::object({{"type", "disabled"}});
    } else if (request.reasoning_effort || request.reasoning_budget_tokens) {
      b["thinking"] = Json::object({{"type", "enabled"}});
      if (request.reasoning_effort) b["reasoning_effort"] = *request.reasoning_effort;
    }
  } else if (request.reasoning_effort) {
    b["reasoning_effort"] = *request.reasoning_effort;
  }
  (void)error;
  return true;
}

}  // namespace llmstream::request_internal
