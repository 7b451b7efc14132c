// Ollama's native API bodies (docs/api.md): POST /api/chat with `messages` (tool calls with their
// arguments as an object, tool results named by `tool_name`), `tools`, `options` {num_predict,
// temperature, top_p, stop}, `think`; POST /api/generate with one `prompt` and `system`. Both
// stream NDJSON with "stream": true.
#include <string>

#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

// `think`: true / false for most thinking models; gpt-oss takes a level ("low", "medium",
// "high"), which the others accept as "on". Ollama has no token budget: a budget turns thinking
// on.
void Think(const CompletionRequest& request, Json* body) {
  if (request.reasoning_effort) {
    const std::string& effort = *request.reasoning_effort;
    if (effort == "none") {
      (*body)["think"] = false;
    } else if (effort == "low" || effort == "medium" || effort == "high") {
      (*body)["think"] = effort;
    } else {
      (*body)["think"] = true;
    }
  } else if (request.reasoning_budget_tokens) {
    (*body)["think"] = true;
  }
}

Json Options(const CompletionRequest& request) {
  Json options = Json::object();
  if (request.max_tokens) options["num_predict"] = *request.max_tokens;
  if (request.temperature) options["temperature"] = *request.temperature;
  if (request.top_p) options["top_p"] = *request.top_p;
  if (!request.stop.empty()) options["stop"] = request.stop;
  return options;
}

bool ChatMessage(const CompletionRequest& request, size_t index, Json* out, Error* error) {
  const Message& m = request.messages[index];
  const std::string where = "messages[" + std::to_string(index) + "]";
  Json& message = *out;
  message["role"] = m.role == "developer" ? std::string("system") : m.role;
  message["content"] = MessageContent(m);
  if (m.role == "tool") {
    // Current servers name the function (tool_name); tool_call_id is read by newer ones and
    // ignored by older ones.
    if (const std::string* name = ToolNameForResult(request, index)) message["tool_name"] = *name;
    message["tool_call_id"] = m.tool_call_id;
  }
  if (!m.tool_calls.empty()) {
    Json calls = Json::array();
    for (size_t j = 0; j < m.tool_calls.size(); ++j) {
      const ToolCallRequest& call = m.tool_calls[j];
      Json arguments = Json::object();
      if (!call.arguments.empty() &&
          (!ParseJson(call.arguments, &arguments) || !arguments.is_object())) {
        return Invalid(error, where + ".tool_calls[" + std::to_string(j) +
                                  "].arguments must be a JSON object for Ollama");
      }
      Json function = Json::object();
      function["name"] = call.name;
      function["arguments"] = std::move(arguments);
      Json item = Json::object();
      item["id"] = call.id;
      item["function"] = std::move(function);
      calls.push_back(std::move(item));
    }
    message["tool_calls"] = std::move(calls);
  }
  return true;
}

bool ChatBody(const CompletionRequest& request, Json* body, Error* error) {
  Json messages = Json::array();
  if (!request.system.empty()) {
    messages.push_back(Json::object({{"role", "system"}, {"content", request.system}}));
  }
  for (size_t i = 0; i < request.messages.size(); ++i) {
    Json message = Json::object();
    if (!ChatMessage(request, i, &message, error)) return false;
    messages.push_back(std::move(message));
  }
  if (!request.prompt.empty()) {
    messages.push_back(Json::object({{"role", "user"}, {"content", request.prompt}}));
  }
  (*body)["messages"] = std::move(messages);

  const std::string& choice = request.tool_choice;
  if (!choice.empty() && choice != "auto" && choice != "none") {
    return Invalid(error, "tool_choice '" + choice +
                              "' is not supported by Ollama (auto or none: it cannot force a "
                              "tool call)");
  }
  if (!request.tools.empty() && choice != "none") {
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json function = Json::object();
      function["name"] = tool.name;
      if (!tool.description.empty()) function["description"] = tool.description;
      function["parameters"] = ToolParameters(tool);
      tools.push_back(Json::object({{"type", "function"}, {"function", std::move(function)}}));
    }
    (*body)["tools"] = std::move(tools);
  }
  return true;
}

// /api/generate completes one prompt: system text and at most one user turn, no tools.
bool GenerateBody(const CompletionRequest& request, Json* body, Error* error) {
  std::string system = request.system;
  std::string prompt;
  bool has_prompt = false;
  for (const Message& m : request.messages) {
    if (m.role == "system" || m.role == "developer") {
      if (!system.empty() && !m.content.empty()) system += "\n\n";
      system += m.content;
    } else if (m.role == "user" && !has_prompt) {
      prompt = m.content;
      has_prompt = true;
    } else {
      return Invalid(error,
                     "ollama_generate takes one prompt (system and one user message); use "
                     "ollama_chat for a conversation");
    }
  }
  if (!request.prompt.empty()) {
    if (has_prompt) {
      return Invalid(error, "ollama_generate takes one prompt: prompt and a user message given");
    }
    prompt = request.prompt;
  }
  if (!request.tools.empty()) return Invalid(error, "ollama_generate takes no tools");
  (*body)["prompt"] = prompt;
  if (!system.empty()) (*body)["system"] = system;
  return true;
}

}  // namespace

bool BuildOllamaBody(WireApi api, const CompletionRequest& request, Json* body, Error* error) {
  Json& b = *body;
  b["model"] = request.model;
  const bool ok = api == WireApi::kOllamaGenerate ? GenerateBody(request, body, error)
                                                  : ChatBody(request, body, error);
  if (!ok) return false;
  b["stream"] = true;
  Json options = Options(request);
  if (!options.empty()) b["options"] = std::move(options);
  Think(request, body);
  return true;
}

}  // namespace llmstream::request_internal
