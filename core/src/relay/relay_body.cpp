// The body a client POSTs to a relay (docs/relay-protocol.md, "Starting a stream"): the request
// part of the npm package's streamCompletion options, with its names (npm/src/relay/policy.js,
// RELAY_REQUEST_FIELDS), so one relay serves the package and this client alike. Nothing that
// chooses where a key goes (apiKey, baseURL, headers, provider, api): the relay decides those and
// refuses a body that names them.
#include <string>

#include "llmstream/to_json.h"
#include "request/request_internal.h"

namespace llmstream::request_internal {

namespace {

Json ResponseFormatJson(const ResponseFormat& format) {
  Json out = Json::object();
  if (format.type == ResponseFormatType::kJsonObject) {
    out["type"] = "json_object";
    return out;
  }
  out["type"] = "json_schema";
  if (!format.name.empty()) out["name"] = format.name;
  Json schema;
  if (ParseJson(format.schema_json, &schema)) out["schema"] = std::move(schema);
  if (format.strict) out["strict"] = true;
  return out;
}

}  // namespace

bool BuildRelayBody(const CompletionRequest& request, Json* body, Error* error) {
  Json& b = *body;
  // An empty model is left to the relay's default (its policy names one).
  if (!request.model.empty()) b["model"] = request.model;
  if (!request.prompt.empty()) b["prompt"] = request.prompt;
  if (!request.system.empty()) b["system"] = request.system;
  if (!request.messages.empty()) {
    Json messages = Json::array();
    for (const Message& message : request.messages) {
      // The package's message shape (content, toolCalls, parts, origin ...), as to_json.h writes
      // it for the package.
      std::string text;
      AppendJson(&text, message);
      Json parsed;
      if (!ParseJson(text, &parsed)) return Invalid(error, "a message could not be written");
      messages.push_back(std::move(parsed));
    }
    b["messages"] = std::move(messages);
  }
  if (request.max_tokens) b["maxTokens"] = *request.max_tokens;
  if (request.temperature) b["temperature"] = *request.temperature;
  if (request.top_p) b["topP"] = *request.top_p;
  if (!request.stop.empty()) b["stop"] = request.stop;
  if (request.n != 1) b["n"] = request.n;
  if (request.reasoning_effort) b["reasoningEffort"] = *request.reasoning_effort;
  if (request.reasoning_budget_tokens)
    b["reasoningBudgetTokens"] = *request.reasoning_budget_tokens;
  if (request.response_format.type != ResponseFormatType::kText) {
    b["responseFormat"] = ResponseFormatJson(request.response_format);
  }
  if (!request.tools.empty()) {
    // Definitions only (the package's array form): the page runs the calls, or a relay with
    // tools of its own runs the ones named here.
    Json tools = Json::array();
    for (const ToolDefinition& tool : request.tools) {
      Json definition = Json::object();
      definition["name"] = tool.name;
      if (!tool.description.empty()) definition["description"] = tool.description;
      Json parameters;
      if (!tool.parameters_json.empty() && ParseJson(tool.parameters_json, &parameters)) {
        definition["parameters"] = std::move(parameters);
      }
      tools.push_back(std::move(definition));
    }
    b["tools"] = std::move(tools);
  }
  if (!request.tool_choice.empty()) b["toolChoice"] = request.tool_choice;
  return true;
}

}  // namespace llmstream::request_internal
