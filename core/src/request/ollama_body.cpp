// Ollama's native API bodies (docs/api.md): POST /api/chat with `messages` (tool calls with their
// arguments as an object, tool results named by `tool_name`), `tools`, `options` {num_predict,
// temperature, top_p, stop}, `think`; POST /api/generate with one `prompt` and `system`. Both
// stream NDJSON with "stream": true. An assistant turn goes back with its thinking, content and
// tool calls (docs/wire-formats.md, "Conversations").
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

// {function: {name, arguments}} plus the id the model gave (newer servers name their calls).
bool OllamaToolCalls(const std::vector<ToolCallRequest>& tool_calls, const std::string& where,
                     Json* out, Error* error) {
  *out = Json::array();
  for (size_t j = 0; j < tool_calls.size(); ++j) {
    const ToolCallRequest& call = tool_calls[j];
    Json arguments;
    if (!ArgumentsObject(call, where + ".tool_calls[" + std::to_string(j) + "]", "Ollama",
                         &arguments, error)) {
      return false;
    }
    Json function = Json::object();
    function["name"] = call.name;
    function["arguments"] = std::move(arguments);
    Json item = Json::object();
    if (!IsLocalToolCallId(call.id)) item["id"] = call.id;
    item["function"] = std::move(function);
    out->push_back(std::move(item));
  }
  return true;
}

// {role: assistant, content, thinking, tool_calls}: Ollama keeps one thinking text and one
// content per message, so the turn's reasoning and text parts are joined in order.
bool AssistantTurn(const Message& m, const ProviderConfig& config, const std::string& where,
                   Json* out, Error* error) {
  std::string content, thinking;
  std::vector<ToolCallRequest> calls;
  for (const MessagePart& part : TurnParts(m, config)) {
    if (part.kind == PartKind::kText) content += part.text;
    if (part.kind == PartKind::kReasoning) thinking += part.text;
    if (part.kind == PartKind::kToolCall) calls.push_back(part.tool_call);
  }
  Json& message = *out;
  message["role"] = "assistant";
  message["content"] = content;
  if (!thinking.empty()) message["thinking"] = thinking;
  if (calls.empty()) return true;
  return OllamaToolCalls(calls, where, &message["tool_calls"], error);
}

bool ChatMessage(const ProviderConfig& config, const CompletionRequest& request, size_t index,
                 Json* out, Error* error) {
  const Message& m = request.messages[index];
  const std::string where = "messages[" + std::to_string(index) + "]";
  if (m.role == "assistant" && WritesParts(m)) return AssistantTurn(m, config, where, out, error);
  Json& message = *out;
  message["role"] = m.role == "developer" ? std::string("system") : m.role;
  message["content"] = MessageContent(m);
  if (m.role == "tool") {
    // Current servers name the function (tool_name); tool_call_id is read by newer ones and
    // ignored by older ones.
    if (const std::string* name = ToolNameForResult(request, index)) message["tool_name"] = *name;
    if (!IsLocalToolCallId(m.tool_call_id)) message["tool_call_id"] = m.tool_call_id;
  }
  if (m.tool_calls.empty()) return true;
  return OllamaToolCalls(m.tool_calls, where, &message["tool_calls"], error);
}

bool ChatBody(const ProviderConfig& config, const CompletionRequest& request, Json* body,
              Error* error) {
  Json messages = Json::array();
  if (!request.system.empty()) {
    messages.push_back(Json::object({{"role", "system"}, {"content", request.system}}));
  }
  for (size_t i = 0; i < request.messages.size(); ++i) {
    Json message = Json::object();
    if (!ChatMessage(config, request, i, &message, error)) return false;
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

bool BuildOllamaBody(const ProviderConfig& config, WireApi api, const CompletionRequest& request,
                     Json* body, Error* error) {
  Json& b = *body;
  b["model"] = request.model;
  const bool ok = api == WireApi::kOllamaGenerate ? GenerateBody(request, body, error)
                                                  : ChatBody(config, request, body, error);
  if (!ok) return false;
  b["stream"] = true;
  // Structured outputs: the schema itself, or "json" for any JSON.
  if (IsJsonOutput(request)) {
    b["format"] = request.response_format.type == ResponseFormatType::kJsonSchema
                      ? ResponseSchema(request.response_format)
                      : Json("json");
  }
  Json options = Options(request);
  if (!options.empty()) b["options"] = std::move(options);
  Think(request, body);
  return true;
}

}  // namespace llmstream::request_internal
